import HubCore
import HubProtocol

/// One replay session of the router: a connection that asked for a party's journaled
/// stream with REPLAY. Its delivery state is a `DeliverySession` resuming before the first
/// seq, so catch-up from the journal and the switch to live delivery (with `follow`) work
/// exactly as for a receiving session: no gap, no duplicate. Its ACKs only return credit.
struct ReplayStream: Sendable {
    let id: UInt64
    let routingId: [UInt8]
    let plan: ReplayPlan
    /// The plan's types as the journal's query takes them (empty: every type).
    let typeList: [String]
    /// Bumped whenever sends already handed out must no longer be performed (see `DeliveryWork`).
    var epoch: UInt32 = 0
    /// The most deliveries per DELIVER_BATCH (0: one DELIVER each), from `Replay.batch_deliveries`.
    var batchEntries = 0
    var lastSeen: ContinuousClock.Instant
    var parkedSince: ContinuousClock.Instant?
    /// Nil while the journal looks up where `since_us` begins.
    var delivery: DeliverySession<Outgoing>?
    /// The first seq the replay considers.
    var firstSeq: UInt64 = 0
    /// DELIVERs sent so far.
    var delivered: UInt64 = 0
    /// Whether CAUGHT_UP has been sent.
    var caughtUp = false
    /// The journal head seen by the latest fetch.
    var fetchHead: UInt64 = 0
    /// When a failed fetch is retried, and how many failed in a row.
    var retryAt: ContinuousClock.Instant?
    var readFailures = 0
    /// Set when a fetch met a damaged record: the replay ends with this ERROR once what
    /// came before it was sent.
    var ending: WireCommand.OneOf_Kind?
    /// The CURVE key the connection authenticated with, when the I/O layer knows it.
    var key: String?

    init(id: UInt64, routingId: [UInt8], plan: ReplayPlan, now: ContinuousClock.Instant) {
        self.id = id
        self.routingId = routingId
        self.plan = plan
        typeList = plan.typeList
        lastSeen = now
    }

    /// Where the session is, for REPLAY_STATUS.
    func status(_ phase: WireReplayStatus.Phase, head: UInt64) -> WireReplayStatus {
        var status = WireReplayStatus()
        status.phase = phase
        status.party = plan.party
        status.firstSeq = firstSeq
        status.headSeq = head
        status.delivered = delivered
        status.credit = UInt32(plan.credit)
        return status
    }
}
