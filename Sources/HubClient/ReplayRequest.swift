import HubProtocol

/// What a replay asks for: whose stream, from where, which types, and whether to go on
/// live afterwards (PROTOCOL.md section 14).
public struct ReplayRequest: Sendable, Equatable {
    /// Whose stream; empty means the asker's own.
    public var party: String
    /// Replay messages with seq ≥ this (exclusive with `sinceUs`; both 0: from the start).
    public var fromSeq: UInt64
    /// Replay messages journaled at or after this time, µs since the Unix epoch.
    public var sinceUs: Int64
    /// Only these types (empty: every type).
    public var types: [String]
    /// Deliver new messages live after catching up, without a gap or duplicate.
    public var follow: Bool
    /// Unacknowledged deliveries at once (0: the hub's default).
    public var credit: UInt32

    /// Creates a request; by default the asker's own stream from the start, every type.
    public init(
        party: String = "", fromSeq: UInt64 = 0, sinceUs: Int64 = 0, types: [String] = [], follow: Bool = false, credit: UInt32 = 0
    ) {
        self.party = party
        self.fromSeq = fromSeq
        self.sinceUs = sinceUs
        self.types = types
        self.follow = follow
        self.credit = credit
    }

    /// The REPLAY command, named `client` for the hub's logs.
    func wire(client: String) -> WireReplay {
        var replay = WireReplay()
        replay.party = party
        replay.fromSeq = fromSeq
        replay.sinceUs = sinceUs
        replay.types = types
        replay.follow = follow
        replay.credit = credit
        replay.client = client
        return replay
    }
}

/// What a replay session reports, in order: `started`, deliveries, `caughtUp`, then (with
/// `follow`) live deliveries until closed, or (without) `finished` once everything is
/// acknowledged.
public enum ReplayEvent: Sendable {
    /// The hub opened the replay; `firstSeq` is where it starts.
    case started(ReplayStatus)
    /// A replayed (or, after catching up, live) message. Acknowledge it to return credit.
    case delivery(Delivery)
    /// Everything up to `headSeq` has been delivered.
    case caughtUp(ReplayStatus)
    /// Without `follow`: everything was delivered and acknowledged; the stream ends.
    case finished(ReplayStatus)
}
