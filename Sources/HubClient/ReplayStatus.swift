import HubProtocol

/// Where a replay stands, as the hub reports it at the start, on catching up and at the
/// end (PROTOCOL.md section 14).
public struct ReplayStatus: Sendable, Equatable {
    /// The moment of a replay a status reports.
    public enum Phase: Sendable, Hashable {
        /// The hub opened the replay.
        case started
        /// Everything journaled when the replay started has been delivered.
        case caughtUp
        /// Without `follow`: everything was delivered and acknowledged.
        case finished
    }

    /// Which moment this status reports.
    public var phase: Phase
    /// Whose stream is replayed.
    public var party: String
    /// The first seq the replay delivers.
    public var firstSeq: UInt64
    /// The journal's last seq for this stream when the status was sent.
    public var headSeq: UInt64
    /// Deliveries made so far.
    public var delivered: UInt64
    /// Deliveries that may be unacknowledged at once, as the hub granted them.
    public var credit: UInt32

    /// Creates a status from its values (for tests and stand-ins of the hub).
    /// - Parameters:
    ///   - phase: which moment it reports.
    ///   - party: whose stream is replayed.
    ///   - firstSeq: the first seq delivered.
    ///   - headSeq: the stream's last seq.
    ///   - delivered: deliveries so far.
    ///   - credit: deliveries that may be unacknowledged at once.
    public init(phase: Phase, party: String, firstSeq: UInt64 = 0, headSeq: UInt64 = 0, delivered: UInt64 = 0, credit: UInt32 = 0) {
        self.phase = phase
        self.party = party
        self.firstSeq = firstSeq
        self.headSeq = headSeq
        self.delivered = delivered
        self.credit = credit
    }

    /// The status a REPLAY_STATUS reply carries; nil for a phase this client does not know.
    init?(wire: WireReplayStatus) {
        let phase: Phase
        switch wire.phase {
        case .started: phase = .started
        case .caughtUp: phase = .caughtUp
        case .finished: phase = .finished
        case .unspecified, .UNRECOGNIZED: return nil
        }
        self.init(
            phase: phase, party: wire.party, firstSeq: wire.firstSeq, headSeq: wire.headSeq, delivered: wire.delivered,
            credit: wire.credit)
    }
}
