import HubCore
import HubProtocol
import HubStore
import HubThreads
import Logging

/// The router's decisions as a value: frame sets from connections, journal events, send
/// reports and clock ticks in; `RouterAction`s out (replies, deliveries, journal appends,
/// reads, acknowledgement and progress writes, tap hand-offs, metrics notes). No socket, no
/// disk: the hub's router thread performs the actions with ZeroMQ and the journal threads,
/// a test harness performs them in memory.
///
/// Every input takes an `into actions:` buffer the caller owns and reuses, so deciding
/// allocates nothing beyond what the actions themselves carry. Bodies stay opaque (`any RouterBody`)
/// and are handed on as received: the same frame goes to the journal, the recipients and
/// the tap.
///
/// Invariants: a connection holds at most one receiving or replay session; a party has at
/// most one receiving session; `pending` counts the submissions handed to the journal and
/// not yet answered; each session's deliveries follow its `DeliverySession`.
public struct RouterCore: Sendable {
    struct Session: Sendable {
        let id: UInt64
        let routingId: [UInt8]
        let party: String
        var lastSeen: ContinuousClock.Instant
        var delivery: DeliverySession<Outgoing>
        var parkedSince: ContinuousClock.Instant?
        /// Bumped whenever sends already handed out must no longer be performed.
        var epoch: UInt32 = 0
        /// When a fetch that failed or met a damaged record is retried (see `RouterCore+Damage`).
        var retryAt: ContinuousClock.Instant?
        /// Fetches failed in a row (for the retry's back-off).
        var readFailures = 0
        /// What the session's client was told about the journal (one ERROR per trouble).
        var told: ReadTrouble?
        /// The most deliveries per DELIVER_BATCH (0: one DELIVER each), from `Hello.batch_deliveries`.
        var batchEntries = 0
        /// The CURVE key the connection authenticated with, when the I/O layer knows it.
        var key: String?
    }

    /// Who may send what to whom; replaced by a reload (``reconfigure(_:now:into:)``).
    var routing: RoutingTable
    var policy: RedactionPolicy
    var observers: ObserverPolicy
    let settings: HubConfig.Settings
    let logger: Logger

    /// Receiving sessions by connection, and each party's current receiving connection.
    var sessions: [[UInt8]: Session] = [:]
    /// Each party's receiving connection.
    public internal(set) var receivers: [String: [UInt8]] = [:]
    /// Receiving sessions' connections by session id (journal fetches name the session).
    var sessionConnections: [UInt64: [UInt8]] = [:]
    /// Replay sessions by connection, and their connections by session id.
    var replays: [[UInt8]: ReplayStream] = [:]
    var replayConnections: [UInt64: [UInt8]] = [:]
    var nextSessionId: UInt64 = 1
    /// Every party's acknowledgement position, as the router knows it.
    public internal(set) var acked: [String: UInt64]
    /// The positions not yet handed to the journal.
    var dirtyAcks: [String: UInt64] = [:]
    var lastAckFlush: ContinuousClock.Instant
    /// Delivery and acknowledgement positions with their times, for `swhub trace`.
    var progress = ProgressLog()
    /// The highest seq the router has seen journaled.
    public internal(set) var headSeq: UInt64
    /// The messages journaled last, which sessions that fell behind catch up from before
    /// the journal (`hub.recent_delivery_bytes`).
    var recent: RecentJournal
    /// Submissions handed to the journal and not yet answered.
    public internal(set) var pending = 0
    /// What the pending submissions weigh: their bodies plus `pendingOverheadBytes` each.
    public internal(set) var pendingBytes = 0
    /// The journal's head when the hub started: a previous run may have delivered any seq up
    /// to it, so a HELLO's `acked_seq` up to it is believed (section 6.1 of PROTOCOL.md).
    let startHead: UInt64
    /// The highest seq delivered to each party's receiving sessions since the hub started.
    var deliveredUpTo: [String: UInt64] = [:]
    /// Whether other hub nodes share the journal (a cluster on PostgreSQL): they deliver
    /// too, and this node learns of their commits a moment after them, so a HELLO's
    /// `acked_seq` is checked against this node's head only (see `handleHello`).
    public var sharedJournal = false {
        // Other nodes' records reach this one apart from its commits: nothing is held.
        didSet { if sharedJournal { recent.invalidate() } }
    }
    /// The parties whose HELLO named a seq beyond the journal head, alarmed once each per run.
    var beyondHeadAlarmed: Set<String> = []
    /// Submissions accepted during this turn, handed to the journal by `endTurn(into:)`.
    var toJournal: [PendingSubmission] = []
    /// SUBMIT_BATCHes waiting for the journal, by the token their entries carry.
    var batches: [UInt64: OpenBatch] = [:]
    var nextBatchToken: UInt64 = 1
    /// Whether the hub is stopping: new submissions, HELLOs and REPLAYs are refused.
    public private(set) var draining = false
    /// The business flows, when the config turns them on.
    public internal(set) var flows: FlowEngine?
    /// Whether this hub journals what the flows emit. Always, for one hub; in a cluster,
    /// only on the node holding the flows' lease: the others run their flows as followers
    /// (the same state, read from every journaled record, for admission and takeover) and
    /// keep what they would emit in ``followerOwed`` until the leader's copy is journaled.
    public internal(set) var leadsFlows = true
    /// A follower's emissions not yet seen journaled by the leader, oldest first: emitted
    /// when this node takes the lease over (the journal deduplicates any the old leader
    /// journaled after all).
    public internal(set) var followerOwed: [FlowEmission] = []
    /// On a shared journal or when saving snapshots, the flows' emissions handed to the journal and not yet seen
    /// committed, by id: owed in a snapshot taken meanwhile.
    var emissionsInFlight: [String: FlowEmission] = [:]
    /// When the flows' state was last snapshotted.
    var lastFlowSnapshot = ContinuousClock.now
    /// Whether this hub saves the flows' state to its own store (one hub on SQLite), every
    /// `flows.snapshot_every` flow messages or `flows.snapshot_interval_s` seconds.
    public var savesFlowSnapshots = false
    /// Flow messages read since the last snapshot.
    var flowReadsSinceSnapshot = 0
    var lastFlowTick: ContinuousClock.Instant
    /// Damaged records seen since start, by seq (each is logged and counted once).
    public var damagedSeqs: Set<UInt64> = []
    /// Paces the log lines of failed journal reads.
    var readLogPace = LogPace(interval: .seconds(10))
    /// Read-only (salvage, `settings.readOnly`): whether dropping acknowledgements was logged.
    var loggedUnsavedAcks = false
    /// Every accepted key with its party, once a reload has revoked a key that was accepted
    /// before (nil until then): from then on every frame set's key is checked against it, as
    /// a connection made with a revoked key stays open (a ROUTER cannot close one peer).
    public internal(set) var keyHolders: [String: String]?
    /// The keys the configuration accepts, with their parties (set at start and by reloads).
    var acceptedKeys: [String: String] = [:]

    /// Creates the router's state.
    ///
    /// - Parameters:
    ///   - settings: The hub's settings (credit, heartbeat, queue limit).
    ///   - routing: Who may send what to whom.
    ///   - policy: Body checks and redaction.
    ///   - observers: Who may replay whose stream, and what of each body they see.
    ///   - flows: The business flows (already rebuilt from the journal), if on.
    ///   - acked: Every party's durable acknowledgement position.
    ///   - headSeq: The journal's head.
    ///   - now: The current time.
    ///   - logger: Where decisions are logged.
    public init(
        settings: HubConfig.Settings, routing: RoutingTable, policy: RedactionPolicy, observers: ObserverPolicy, flows: FlowEngine?,
        acked: [String: UInt64], headSeq: UInt64, now: ContinuousClock.Instant, logger: Logger
    ) {
        self.settings = settings
        self.routing = routing
        self.policy = policy
        self.observers = observers
        // Read-only: the flows would journal their own messages; they stay off.
        self.flows = settings.readOnly ? nil : flows
        self.acked = acked
        self.headSeq = headSeq
        startHead = headSeq
        recent = RecentJournal(byteLimit: settings.readOnly ? 0 : settings.recentDeliveryBytes)
        lastFlowSnapshot = now
        self.logger = logger
        lastAckFlush = now
        lastFlowTick = now
    }

    /// Whether a receiving or replay session waits to retry (after a full peer queue or a
    /// failed read): the I/O layer should tick soon.
    public var hasParkedSessions: Bool {
        sessions.values.contains { $0.parkedSince != nil } || replays.values.contains { $0.parkedSince != nil }
    }

    /// What one pending submission is counted as beyond its body: its header, routing and
    /// bookkeeping in memory (an estimate on the safe side).
    public static let pendingOverheadBytes = 1024

    /// The weight of pending submissions at which the router stops reading its socket and
    /// refuses submissions with `301 HUB_BUSY`: 64 MiB, or four of the largest bodies when
    /// `max_body_bytes` is larger than 16 MiB.
    public var pendingBytesLimit: Int { max(64 << 20, 4 * (settings.maxBodyBytes + Self.pendingOverheadBytes)) }

    /// Whether the journal's queue is full: `max_pending` submissions, or `pendingBytesLimit`
    /// bytes of them, wait for the journal. While it is, the I/O layer reads its socket only
    /// sparingly (libzmq's high-water mark and TCP then hold senders back) and a SUBMIT read
    /// is refused with `301 HUB_BUSY`.
    public var ingressFull: Bool { pending >= settings.maxPending || pendingBytes >= pendingBytesLimit }

    /// Counts a submission handed to the journal.
    mutating func hold(_ submission: PendingSubmission) {
        pending += 1
        pendingBytes += submission.body.count + Self.pendingOverheadBytes
        toJournal.append(submission)
    }

    /// Forgets submissions the journal answered (committed or failed).
    mutating func release(_ batch: [PendingSubmission]) {
        pending -= batch.count
        // By index: `for submission in batch` copies each submission, retaining all it holds.
        for index in batch.indices { pendingBytes -= batch[index].body.count + Self.pendingOverheadBytes }
    }

    /// A receiving session of `party` sent everything up to `seq`.
    mutating func noteDelivered(_ party: String, _ seq: UInt64) {
        if seq > deliveredUpTo[party] ?? 0 { deliveredUpTo[party] = seq }
        progress.note(party, .delivered, seq: seq, atUs: WallClock.nowMicroseconds())
    }

    /// Whether the hub has finished draining: stopping, and nothing left for the journal.
    public var isDrained: Bool { draining && pending == 0 }

    /// Lets go of the messages journaled last that catch-ups are answered from
    /// (`hub.recent_delivery_bytes`), and holds again from the next commit: an enterprise's
    /// personal fields were shredded, and what is held would still show them.
    public mutating func forgetRecentMessages() {
        recent.forget()
    }

    /// Starts refusing new submissions, HELLOs and REPLAYs; what was handed to the journal
    /// is still answered.
    public mutating func beginDraining() {
        guard !draining else { return }
        draining = true
        logger.info("draining: refusing new submissions, committing the ones in flight", metadata: ["pending": "\(pending)"])
    }

    /// Ends a turn of the I/O loop: the submissions accepted during it, and what the flows
    /// emitted, go to the journal as one hand-over.
    ///
    /// - Parameters:
    ///   - actions: Where the actions go.
    public mutating func endTurn(into actions: inout [RouterAction]) {
        guard !toJournal.isEmpty else { return }
        actions.append(.journal(toJournal))
        toJournal.removeAll(keepingCapacity: true)
    }

    /// Timers: heartbeat expiry, parked sessions, acknowledgement and progress persistence,
    /// the flows' deadlines.
    ///
    /// - Parameters:
    ///   - now: The current time.
    ///   - actions: Where the actions go.
    public mutating func tick(now: ContinuousClock.Instant, into actions: inout [RouterAction]) {
        let expiry = Duration.milliseconds(settings.heartbeatMs * 3)
        for (routingId, session) in sessions {
            if now - session.lastSeen > expiry {
                closeSession(routingId, reason: "no heartbeat")
            } else if let parked = session.parkedSince, now - parked > .milliseconds(20) {
                sessions[routingId]?.parkedSince = nil
                guard let steps = sessions[routingId]?.delivery.resume() else { continue }
                deliver(steps, for: routingId, into: &actions)
            } else if let retry = session.retryAt, now >= retry {
                sessions[routingId]?.retryAt = nil
                guard let steps = sessions[routingId]?.delivery.resume() else { continue }
                deliver(steps, for: routingId, into: &actions)
            }
        }
        if !replays.isEmpty { replayHousekeeping(now: now, expiry: expiry, into: &actions) }
        flushAcks(force: false, now: now, into: &actions)
        flushProgress(force: false, now: now, into: &actions)
        flowsTick(now: now, into: &actions)
    }

    /// The last actions before the router stops: every acknowledgement position and progress
    /// mark still held, and what this turn accepted.
    ///
    /// - Parameters:
    ///   - now: The current time.
    ///   - actions: Where the actions go.
    public mutating func finish(now: ContinuousClock.Instant, into actions: inout [RouterAction]) {
        endTurn(into: &actions)
        flushAcks(force: true, now: now, into: &actions)
        flushProgress(force: true, now: now, into: &actions)
    }

    mutating func flushAcks(force: Bool, now: ContinuousClock.Instant, into actions: inout [RouterAction]) {
        guard !dirtyAcks.isEmpty, force || now - lastAckFlush > .milliseconds(20) else { return }
        if settings.readOnly {
            // Salvage: the journal takes no writes; positions live in `acked` until the hub stops.
            if !loggedUnsavedAcks {
                loggedUnsavedAcks = true
                logger.warning("read-only (salvage): acknowledgements are kept in memory and not saved to the journal")
            }
            dirtyAcks.removeAll(keepingCapacity: true)
            return
        }
        actions.append(.saveAcks(dirtyAcks))
        dirtyAcks.removeAll(keepingCapacity: true)
        lastAckFlush = now
    }

    mutating func flushProgress(force: Bool, now: ContinuousClock.Instant, into actions: inout [RouterAction]) {
        guard !progress.isEmpty else { return }
        let marks = progress.due(now: now, force: force)
        if !marks.isEmpty && !settings.readOnly { actions.append(.saveProgress(marks)) }
    }

    mutating func closeSession(_ routingId: [UInt8], reason: String = "closed") {
        guard let session = sessions.removeValue(forKey: routingId) else { return }
        logger.info(
            "receiving session closed",
            metadata: [
                "party": "\(session.party)", "session": "\(session.id)", "reason": "\(reason)", "acked_seq": "\(acked[session.party] ?? 0)",
            ])
        sessionConnections[session.id] = nil
        if receivers[session.party] == routingId { receivers[session.party] = nil }
    }

    /// A reply to a connection; none for the flows' own messages (nobody waits for them).
    func reply(_ routingId: [UInt8], _ kind: WireCommand.OneOf_Kind, into actions: inout [RouterAction]) {
        guard !routingId.isEmpty else { return }
        actions.append(.reply(connection: routingId, kind))
    }

    mutating func noteAck(_ party: String, _ seq: UInt64) {
        acked[party] = seq
        dirtyAcks[party] = seq
        progress.note(party, .acked, seq: seq, atUs: WallClock.nowMicroseconds())
    }

    /// The id to carry back in an ERROR: the submitted id itself, so the client can match the
    /// refusal to its request, unless it is absurdly long (then its first 4 KiB).
    ///
    /// - Parameters:
    ///   - id: The submitted id.
    /// - Returns: The id to echo.
    public static func echo(_ id: String) -> String {
        id.utf8.count <= 4096 ? id : String(decoding: id.utf8.prefix(4096), as: UTF8.self)
    }
}
