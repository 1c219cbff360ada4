import HubCore

/// What the web monitor shows, refreshed by the router thread about once a second
/// (``Hub/snapshot()``): the parties with their connection, backlog and rates, the last
/// minute's traffic between parties, and the latest registrations and declarations with
/// their unified state.
public struct HubSnapshot: Sendable, Codable, Equatable {
    /// One party.
    public struct Party: Sendable, Codable, Equatable {
        /// The party id.
        public var id: String
        /// Its roles (customs, tax, ..., platform, ...); `hub` for the hub's own flows.
        public var roles: [String]
        /// True when it has a receiving session, or sent anything within the last few
        /// heartbeat intervals; always true for `hub`.
        public var connected: Bool
        /// True when it has a receiving session.
        public var receiving: Bool
        /// Messages journaled for it and not yet acknowledged (counted every second or so).
        public var backlog: Int
        /// Messages it submitted that were journaled, per second over the last ~10 s.
        public var rateIn: Double
        /// Messages delivered to it, per second over the last ~10 s.
        public var rateOut: Double
        /// Its submissions journaled since the hub started.
        public var totalIn: Int
        /// Deliveries sent to it since the hub started.
        public var totalOut: Int
        /// Its acknowledgement position.
        public var ackedSeq: UInt64
    }

    /// Messages journaled from one party to another in the last minute. With flows on, a
    /// message addressed to nobody (the flows route it) counts as one to `hub`.
    public struct Edge: Sendable, Codable, Equatable {
        /// The sender.
        public var from: String
        /// The recipient (`hub` for a message the flows route).
        public var to: String
        /// Messages in the window.
        public var count: Int
        /// The same count by message type.
        public var types: [String: Int]

        /// An edge as the router counts it.
        public init(from: String, to: String, count: Int, types: [String: Int]) {
            self.from = from
            self.to = to
            self.count = count
            self.types = types
        }
    }

    /// Flows of one kind in one state.
    public struct FlowCount: Sendable, Codable, Equatable {
        /// registration or declaration.
        public var kind: String
        /// The unified state, lower case.
        public var state: String
        /// How many flows are in it.
        public var count: Int
    }

    /// When it was taken, µs since the epoch.
    public var takenAtUs: Int64
    /// The journal's head seq.
    public var headSeq: UInt64
    /// Seconds covered by `edges` (up to 60: less just after the hub started).
    public var windowSeconds: Int
    /// Every configured party, and `hub` when flows are on, in config order.
    public var parties: [Party]
    /// The last minute's traffic, busiest first.
    public var edges: [Edge]
    /// The latest registrations (newest first), empty without flows.
    public var registrations: [FlowBrief]
    /// The latest declarations (newest first), empty without flows.
    public var declarations: [FlowBrief]
    /// Flows by kind and state.
    public var flows: [FlowCount]

    /// An empty snapshot (before the router's first refresh).
    public init(parties: [Party] = []) {
        takenAtUs = 0
        headSeq = 0
        windowSeconds = 0
        self.parties = parties
        edges = []
        registrations = []
        declarations = []
        flows = []
    }
}
