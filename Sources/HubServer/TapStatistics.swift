/// What the monitoring tap has done so far (PROTOCOL.md section 15), for metrics and the
/// monitor: a snapshot taken by `Hub.tapStatistics()`.
public struct TapStatistics: Sendable, Equatable {
    /// One observing party's figures.
    public struct Observer: Sendable, Equatable {
        /// Copies published for it (handed to its subscribers' queues; a copy matching two
        /// of its prefixes counts twice, once in each prefix's batch).
        public var published: UInt64 = 0
        /// Copies dropped because its subscribers' queues were full (or the hand-over from
        /// the router to the tap overflowed); `TapBatch.dropped` carries the same number.
        public var dropped: UInt64 = 0
        /// Its applied subscriptions right now (one per subscriber and prefix).
        public var subscriptions = 0

        public init() {}
    }

    /// By party id; a party appears once it has subscribed, and stays with its counts.
    public var observers: [String: Observer] = [:]
    /// Subscriptions refused so far (outside the subscriber's own `party/` prefix).
    public var refusedSubscriptions: UInt64 = 0
    /// Committed messages the router handed to the tap.
    public var messages: UInt64 = 0

    public init() {}
}
