import HubCore
import HubProtocol
import HubRouting
import HubStore
import Logging

/// Drives a `RouterCore` synchronously against an `InMemoryJournalStore`, the way the hub's
/// router thread drives it against the socket and the journal threads: each input is one
/// turn of the loop (frames, then the turn's hand-over to the journal), and the journal's
/// work (group commits, fetches, lookups) is performed at once after it, until nothing is
/// left, unless `journalsAutomatically` is off. Replies and DELIVERs are recorded per
/// connection (`HarnessPeer`); time moves only with `advance(by:)`.
///
/// Single owner; not for use from several threads.
public final class RouterHarness {
    /// A read the journal owes the router.
    enum Read {
        case fetch(session: UInt64, party: String, after: UInt64, limit: Int, types: [String])
        case locate(session: UInt64, sinceUs: Int64)
    }

    /// The router's state.
    public private(set) var core: RouterCore
    /// The journal.
    public let store: InMemoryJournalStore
    /// The router's clock.
    public private(set) var now: ContinuousClock.Instant
    /// Perform the journal's work after every input (otherwise only in `runJournal()`).
    public var journalsAutomatically = true
    /// Most messages in one group commit (`commit_batch_max`).
    public var batchMax: Int
    /// The metrics notes, in order.
    public private(set) var notes: [RouterNote] = []
    /// The headers of the messages handed to the tap (new ones with recipients), in order.
    public private(set) var tapped: [WireHeader] = []
    /// Journal fetches performed for sessions and replays.
    public private(set) var fetches = 0
    /// The group commits reported to the router, each with its size.
    public private(set) var commits: [Int] = []
    /// The delivery works performed, in order: each one's stream and number of sends.
    public private(set) var deliveryWorks: [(stream: String, sends: Int)] = []

    private var observers: ObserverPolicy
    private var peers: [[UInt8]: HarnessPeer] = [:]
    private var nextPeer: UInt32 = 1
    private var writerQueue: [PendingSubmission] = []
    private var writerAcks: [String: UInt64] = [:]
    private var writerProgress: [ProgressMark] = []
    private var reads: [Read] = []
    private var turnDepth = 0
    private var actions: [RouterAction] = []

    /// A router over `config`, its journal in `store`; with flows on, the flows are rebuilt
    /// from the journal and what they still owe is journaled in the first turn.
    ///
    /// - Parameters:
    ///   - config: The hub's configuration.
    ///   - store: The journal.
    ///   - logger: Where the router logs (nowhere by default).
    ///   - fromSnapshot: Start the flows from the newest usable snapshot in `store` and the
    ///     journal after it (as one hub on SQLite does), not from the whole journal.
    public init(
        config: HubConfig, store: InMemoryJournalStore = InMemoryJournalStore(),
        logger: Logger = Logger(label: "router-harness", factory: { _ in SwiftLogNoOpLogHandler() }), fromSnapshot: Bool = false
    ) throws {
        let policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        observers = ObserverPolicy(config: config, redaction: policy)
        var flows = config.flows.map { _ in FlowEngine(config: config, policy: policy) }
        var owed: [FlowEmission] = []
        if var engine = flows {
            var start: UInt64 = 0
            var owedBefore: [FlowEmission] = []
            if fromSnapshot, let snapshot = FlowSnapshotLoader.newestUsable(in: store, headSeq: try store.headSeq(), logger: logger) {
                engine = engine.restored(from: snapshot)
                start = snapshot.seq
                owedBefore = snapshot.owed
            }
            owed = try RouterCore.rebuild(&engine, from: store, after: start, owed: owedBefore)
            flows = engine
        }
        self.store = store
        batchMax = config.settings.commitBatchMax
        now = ContinuousClock.now
        core = RouterCore(
            settings: config.settings, routing: RoutingTable(config: config), policy: policy, observers: observers, flows: flows,
            acked: try store.ackPositions(), headSeq: try store.headSeq(), now: now, logger: logger)
        core.emit(owed)
        endTurn()
    }

    /// A new connection.
    ///
    /// - Parameters:
    ///   - party: The party it authenticated as; nil for none.
    /// - Returns: The connection.
    public func connect(_ party: String?) -> HarnessPeer {
        let id = nextPeer
        nextPeer += 1
        // As libzmq's ROUTER makes them: a zero byte, then 4 bytes.
        return connect(party, routingId: [0] + withUnsafeBytes(of: id.bigEndian, Array.init))
    }

    /// A new connection with the routing id a client chose (`ZMQ_ROUTING_ID`).
    ///
    /// - Parameters:
    ///   - party: The party it authenticated as; nil for none.
    ///   - routingId: Its routing id.
    /// - Returns: The connection.
    public func connect(_ party: String?, routingId: [UInt8]) -> HarnessPeer {
        let peer = HarnessPeer(routingId: routingId, party: party)
        peers[peer.routingId] = peer
        return peer
    }

    /// One frame set from `peer`: the command frame, then the body frames.
    ///
    /// - Parameters:
    ///   - peer: The connection.
    ///   - frames: The frames after the routing id.
    public func send(_ peer: HarnessPeer, _ frames: [[UInt8]]) {
        core.received(
            connection: peer.routingId, party: peer.party, command: frames.first ?? [], frameCount: frames.count,
            body: frames.count >= 2 ? frames[1] : nil, now: now, key: { peer.key }, into: &actions)
        performActions()
        endTurn()
    }

    /// A reload between two turns (`swhub reload`): the router takes `config` over.
    ///
    /// - Parameters:
    ///   - config: The new configuration.
    /// - Returns: What became of the sessions.
    @discardableResult
    public func reload(_ config: HubConfig) throws -> ReloadEffect {
        let reload = try RouterReload(config: config)
        observers = reload.observers
        let effect = core.reconfigure(reload, into: &actions)
        performActions()
        endTurn()
        return effect
    }

    /// The keys the router accepts at start, as the hub gives them (`RouterCore.accept(keys:)`).
    ///
    /// - Parameters:
    ///   - config: The configuration the harness was made with.
    public func acceptKeys(of config: HubConfig) {
        core.accept(keys: config.partiesByKey)
    }

    /// Runs `body` as one turn of the router's loop: its inputs are handed to the journal
    /// together at its end, as one group commit if they fit.
    ///
    /// - Parameters:
    ///   - body: The inputs.
    public func turn(_ body: () -> Void) {
        turnDepth += 1
        body()
        turnDepth -= 1
        endTurn()
    }

    /// What a hub node's journal writer hands its router when other nodes share the
    /// journal (`SharedJournal`): records they journaled, in seq order.
    ///
    /// - Parameters:
    ///   - records: The records, in seq order.
    public func journaledElsewhere(_ records: [JournalRecord]) {
        core.journal(.journaledElsewhere(records), now: now, into: &actions)
        performActions()
        endTurn()
    }

    /// Other nodes journaled up to `seq`, not handed over as records.
    ///
    /// - Parameters:
    ///   - seq: The head they reached.
    public func headAdvanced(to seq: UInt64) {
        core.journal(.headAdvanced(seq), now: now, into: &actions)
        performActions()
        endTurn()
    }

    /// This node took (true) or lost (false) the flows' lease.
    ///
    /// - Parameters:
    ///   - leads: Whether it now runs the flows.
    public func flowLeadership(_ leads: Bool) {
        core.journal(.flowLeadership(leads), now: now, into: &actions)
        performActions()
        endTurn()
    }

    /// The flows' snapshot the router would save now, if one is due (a cluster's flow leader).
    public func flowSnapshotDue() -> FlowSnapshot? {
        core.flowSnapshotDue(now: now)
    }

    /// Makes the router save the flows' snapshots to its store, as one hub on SQLite does
    /// (``saveDueFlowSnapshot()`` saves one when due).
    public func savesFlowSnapshots() {
        core.savesFlowSnapshots = true
    }

    /// Saves the flows' snapshot to the store if one is due (``RouterCore/flowSnapshotDue(now:)``).
    ///
    /// - Returns: The snapshot saved, nil if none was due.
    @discardableResult
    public func saveDueFlowSnapshot() throws -> FlowSnapshot? {
        guard let snapshot = core.flowSnapshotDue(now: now) else { return nil }
        try store.saveFlowSnapshot(seq: snapshot.seq, bytes: snapshot.encoded())
        return snapshot
    }

    /// Makes the router a node of a cluster sharing its journal (``RouterCore/sharedJournal``).
    public func shareJournal() {
        core.sharedJournal = true
    }

    /// Moves the clock and lets the router's timers run.
    ///
    /// - Parameters:
    ///   - duration: How far.
    public func advance(by duration: Duration) {
        now += duration
        core.tick(now: now, into: &actions)
        performActions()
        endTurn()
    }

    /// What the hub's router does when an enterprise's keys were shredded: it lets go of the
    /// messages it holds for catch-ups (`RouterCore.forgetRecentMessages()`).
    public func personalDataShredded() {
        core.forgetRecentMessages()
    }

    /// Starts the router's graceful stop (what SIGTERM does).
    public func beginDraining() {
        core.beginDraining()
    }

    /// Performs the journal's queued work (commits, then reads) until none is left.
    public func runJournal() {
        while true {
            if !writerQueue.isEmpty || !writerAcks.isEmpty || !writerProgress.isEmpty {
                commit()
            } else if !reads.isEmpty {
                read(reads.removeFirst())
            } else {
                return
            }
            performActions()
            core.endTurn(into: &actions)
            performActions()
        }
    }

    /// Submissions handed to the journal and not yet committed.
    public var queuedForJournal: Int { writerQueue.count }

    private func endTurn() {
        guard turnDepth == 0 else { return }
        core.endTurn(into: &actions)
        performActions()
        if journalsAutomatically { runJournal() }
    }

    private func commit() {
        let batch = Array(writerQueue.prefix(PendingSubmission.commitCount(writerQueue, batchMax: batchMax)))
        writerQueue.removeFirst(batch.count)
        let acks = writerAcks
        let progress = writerProgress
        writerAcks = [:]
        writerProgress = []
        let appends = batch.map {
            JournalAppend(
                sender: $0.party, id: $0.header.id, type: $0.header.type, recipients: $0.recipients,
                correlationId: $0.header.correlationID, createdAtUs: $0.header.createdAtUs, body: $0.body)
        }
        let event: JournalEvent
        do {
            event = .committed(batch, try store.append(appends, acks: acks, progress: progress))
            if !batch.isEmpty { commits.append(batch.count) }
        } catch {
            writerAcks.merge(acks, uniquingKeysWith: max)  // retried with the next commit, as the writer does
            writerProgress += progress
            event = .commitFailed(batch, reason: "\(error)")
        }
        guard !batch.isEmpty else { return }
        core.journal(event, now: now, into: &actions)
    }

    private func read(_ read: Read) {
        let event: JournalEvent
        switch read {
        case .fetch(let session, let party, let after, let limit, let types):
            fetches += 1
            do {
                let result = try store.fetch(recipient: party, after: after, limit: limit, types: types)
                if let damaged = result.damaged {
                    event = .damaged(session: session, records: result.records, headSeq: result.headSeq, error: damaged)
                } else {
                    event = .fetched(session: session, records: result.records, headSeq: result.headSeq)
                }
            } catch {
                // As the hub's reader: a damaged page (no seq) is reported as damage.
                if let damage = DamagedReads.damage(in: error) {
                    event = .damaged(session: session, records: [], headSeq: 0, error: damage)
                } else {
                    event = .fetchFailed(session: session, reason: "\(error)")
                }
            }
        case .locate(let session, let sinceUs):
            do {
                event = .located(session: session, firstSeq: try store.firstSeq(journaledAtOrAfter: sinceUs), headSeq: try store.headSeq())
            } catch {
                event = .fetchFailed(session: session, reason: "\(error)")
            }
        }
        core.journal(event, now: now, into: &actions)
    }

    private func performActions() {
        var index = 0
        while index < actions.count {
            let action = actions[index]
            index += 1
            perform(action)
        }
        actions.removeAll(keepingCapacity: true)
    }

    private func perform(_ action: RouterAction) {
        switch action {
        case .reply(let connection, let kind):
            guard let peer = peers[connection], peer.queue != .gone else { return }
            peer.receive(.reply(kind))
        case .deliver(let work):
            perform(work)
        case .locate(let session, _, let sinceUs):
            reads.append(.locate(session: session, sinceUs: sinceUs))
        case .journal(let batch):
            writerQueue += batch
        case .saveAcks(let acks):
            writerAcks.merge(acks, uniquingKeysWith: max)
        case .saveProgress(let marks):
            writerProgress += marks
        case .tap(let batch, let outcomes):
            for (submit, outcome) in zip(batch, outcomes) where !outcome.duplicate && !outcome.recipients.isEmpty {
                var header = submit.header
                header.sender = submit.party
                header.seq = outcome.seq
                header.journaledAtUs = outcome.journaledAtUs
                tapped.append(header)
            }
        case .note(let note):
            notes.append(note)
        }
    }

    /// Performs a delivery session's steps as the router thread does: stops at the first
    /// send the peer refuses, reports, and performs what follows from the report at once.
    private func perform(_ work: DeliveryWork) {
        guard core.isCurrent(work) else { return }
        var sends = 0
        for case .send in work.steps { sends += 1 }
        deliveryWorks.append((work.stream, sends))
        var report = DeliveryReport()
        steps: for step in work.steps {
            switch step {
            case .fetch(let after, let limit):
                reads.append(.fetch(session: work.session, party: work.stream, after: after, limit: limit, types: work.types))
            case .send(let seq, let payload):
                let peer = peers[work.connection]
                switch peer?.queue ?? .gone {
                case .open:
                    peer?.receive(.deliver(delivery(payload, stream: work.stream, observer: work.observer)))
                    report.sent += 1
                    report.lastSent = seq
                case .full:
                    report.failure = (seq, .peerFull)
                    break steps
                case .gone:
                    report.failure = (seq, .peerGone)
                    break steps
                }
            }
        }
        var follow: [RouterAction] = []
        core.performed(work, report, now: now, into: &follow)
        for action in follow { perform(action) }
    }

    /// The DELIVER as the hub's router thread builds it: the header addressed to the stream's
    /// party alone, the body as the observer may see it (empty if redaction fails).
    private func delivery(_ payload: Outgoing, stream: String, observer: String) -> HarnessPeer.Delivery {
        var header: WireHeader
        let body: [UInt8]
        switch payload {
        case .live(let message):
            header = message.header
            body = message.body.bytes
        case .stored(let record):
            header = record.deliveryHeader
            body = record.body
        }
        header.recipients = [stream]
        let view = observers.view(observer: observer, stream: stream, type: header.type)
        let seen = (try? body.withUnsafeBytes { try view.apply(to: $0) }) ?? []
        return HarnessPeer.Delivery(header: header, body: seen)
    }
}
