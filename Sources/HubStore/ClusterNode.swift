/// One hub node of a cluster sharing a journal, as it last reported itself.
public struct ClusterNode: Sendable, Equatable, Codable {
    /// The node's name (`hub.node` in its config; by default host name and endpoint).
    public var name: String
    /// The ROUTER endpoint it serves.
    public var endpoint: String
    /// When it started, microseconds since the Unix epoch.
    public var startedAtUs: Int64
    /// When it last reported, microseconds since the Unix epoch (the database's clock).
    public var seenAtUs: Int64
    /// How long ago it last reported, by the database's clock, milliseconds.
    public var silentMs: Int64
    /// The parties with a receiving session on it.
    public var parties: [String]
    /// The journal's head as the node last handed it to its router.
    public var headSeq: UInt64
    /// Whether it runs the single-window flows.
    public var leadsFlows: Bool

    public init(
        name: String, endpoint: String, startedAtUs: Int64, seenAtUs: Int64, silentMs: Int64, parties: [String], headSeq: UInt64,
        leadsFlows: Bool
    ) {
        self.name = name
        self.endpoint = endpoint
        self.startedAtUs = startedAtUs
        self.seenAtUs = seenAtUs
        self.silentMs = silentMs
        self.parties = parties
        self.headSeq = headSeq
        self.leadsFlows = leadsFlows
    }
}
