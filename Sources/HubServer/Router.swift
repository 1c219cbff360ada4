import Foundation
import HubCore
import HubLifecycle
import HubProtocol
import HubRouting
import HubStore
import HubThreads
import Logging
import ZeroMQ

/// The hub's router thread: owns the CURVE ROUTER socket that every client talks to and the
/// PULL socket its helper threads wake it through. It is the I/O shell of `RouterCore`,
/// which makes every decision (authentication from the connection's ZAP `User-Id`,
/// validation, routing, delivery sessions, replays, flows): the thread feeds it frame sets,
/// journal events and ticks, and performs the actions it returns with the socket and the
/// journal threads.
///
/// Invariant behind `@unchecked Sendable`: once `loop` started, every stored property other
/// than the immutable `loop`, `endpoint`, `writer`, `reader`, `replayReader` and `monitoring`
/// (whose shared parts are thread-safe) is touched only by the loop's body, on the router
/// thread; `socket` and `wake` are made in `init` and used only there after that.
final class Router: @unchecked Sendable {
    let socket: ZMQSocket
    private let wake: ZMQSocket
    let mailbox: Mailbox
    let writer: JournalWriter
    let reader: JournalReader
    /// Reads for replays only, so they never queue behind the receiving sessions' catch-up.
    let replayReader: JournalReader
    /// What of each body an observer sees (applied to each DELIVER); replaced by a reload.
    var observers: ObserverPolicy
    /// Reloaded configurations handed over by ``post(_:)``, taken over between two turns.
    let reloads = ReloadSlot()
    let settings: HubConfig.Settings
    let logger: Logger
    let clock = ContinuousClock()
    /// Metrics and the monitor's snapshot.
    let monitoring: RouterMonitoring

    /// The router's decisions and state.
    var core: RouterCore
    /// The actions of the input being handled; kept between inputs so that its storage is reused.
    var work: [RouterAction] = []
    /// Replies that met a full peer queue, retried on later turns.
    var replyBacklog: [(routingId: [UInt8], frame: [UInt8])] = []
    private var lastHousekeeping = ContinuousClock.now
    /// When the router last read its socket while the journal's queue was full.
    private var lastTrickle = ContinuousClock.now
    /// The monitoring tap's hand-over, when the config has a tap (set before `start()`).
    var tap: TapMailbox?
    /// What the flows still owed when the hub started (rebuilt from the journal).
    private var owedEmissions: [FlowEmission] = []
    /// Saves the flows' snapshots while this node leads them (a cluster node).
    private var flowSnapshots: FlowSnapshotSaver?
    /// How many shreds the personal-data cipher has applied (nil without one), and the count
    /// when the router last looked: a change makes the core forget the messages it holds.
    private let shreds: (@Sendable () -> Int)?
    private var shredsSeen = 0

    /// The ROUTER's failed handshakes (a client configured with another hub's public key
    /// never gets as far as ZAP), logged at a bounded rate. Made in `init`, read by the loop.
    private let handshakes: ZMQSocketMonitor
    private var handshakePace = LogPace()

    private let loop = ThreadLoop(name: "swhub-router")
    /// The endpoint actually bound (a `*` port resolved), read once when binding.
    let endpoint: String

    /// Where the flows' snapshots are kept: the store's, sealed whole when personal fields
    /// are (a snapshot holds waiting filings), nil when the store keeps none.
    static func snapshots(of store: any JournalStore, seal: PersonalDataSeal?) -> (any FlowSnapshotStore)? {
        guard let saved = store as? any FlowSnapshotStore else { return nil }
        return seal.map { SealedFlowSnapshots(saved, cipher: $0.cipher) } ?? saved
    }

    init(
        context: ZMQContext, keyPair: CurveKeyPair, settings: HubConfig.Settings, routing: RoutingTable,
        policy: RedactionPolicy, observers: ObserverPolicy, flows: FlowEngine?, store: any JournalStore, seal: PersonalDataSeal? = nil,
        monitoring: RouterMonitoring, logger: Logger
    ) throws {
        var flows = flows
        var damagedSeqs: Set<UInt64> = []
        if var engine = flows {
            let started = ContinuousClock.now
            var start: UInt64 = 0
            var owedBefore: [FlowEmission] = []
            // A hub (one alone, or a node of a cluster) starts from its newest usable snapshot
            // and reads only the journal after it; in a cluster, the flow leader saved it.
            if let saved = Self.snapshots(of: store, seal: seal), !settings.readOnly,
                let snapshot = FlowSnapshotLoader.newestUsable(in: saved, headSeq: try store.headSeq(), logger: logger)
            {
                logger.info(
                    "flows' snapshot read", metadata: ["seq": "\(snapshot.seq)", "took": "\(ContinuousClock.now - started)"])
                engine = engine.restored(from: snapshot)
                start = snapshot.seq
                owedBefore = snapshot.owed
            }
            owedEmissions = try RouterCore.rebuild(&engine, from: store, after: start, owed: owedBefore, seal: seal) { damage in
                // Skipped, never read into the flows; logged and counted once per seq.
                if let seq = damage.seq, !damagedSeqs.insert(seq).inserted { return }
                if damage.seq != nil { monitoring.journalDamaged() }
                logger.error(
                    "damaged journal record skipped while rebuilding the flows (run swhub verify)",
                    metadata: ["seq": "\(damage.seq.map(String.init) ?? "unknown")", "reason": "\(damage.reason)"])
            }
            // What the journal holds of the held release notices leaves memory (an engine
            // given somewhere to read them back from, Hub.init).
            engine.parkHeldBodies(except: Set(owedEmissions.map(\.id)))
            engine.releaseSlack()
            flows = engine
            logger.info(
                "flows rebuilt from the journal",
                metadata: [
                    "from_snapshot_seq": "\(start)", "owed_emissions": "\(owedEmissions.count)", "took": "\(ContinuousClock.now - started)",
                ])
        }
        self.settings = settings
        self.observers = observers
        self.logger = logger
        self.monitoring = monitoring
        let head = try store.headSeq()
        core = RouterCore(
            settings: settings, routing: routing, policy: policy, observers: observers, flows: flows,
            acked: try store.ackPositions(), headSeq: head, now: clock.now, logger: logger)
        core.damagedSeqs = damagedSeqs
        // A node of a cluster follows the flows until it holds their lease (Hub's membership).
        if store is any ClusterCoordination { core.flowLeadership(false) }
        core.sharedJournal = store is any SharedJournal
        shreds = seal?.cipher.shreds
        shredsSeen = shreds?() ?? 0
        if let saved = Self.snapshots(of: store, seal: seal), core.flows != nil, !settings.readOnly {
            // One hub saves as its flows' settings say; a cluster's flow leader while it leads.
            core.savesFlowSnapshots = !(store is any ClusterCoordination)
            flowSnapshots = FlowSnapshotSaver(logger: logger) { try saved.saveFlowSnapshot(seq: $0, bytes: $1) }
        }

        let wakeEndpoint = "inproc://swhub-wake-\(UUID().uuidString)"
        wake = try ZMQSocket(context: context, type: .pull)
        try wake.bind(wakeEndpoint)
        mailbox = Mailbox()
        writer = try JournalWriter(
            store: store, mailbox: mailbox, context: context, wakeEndpoint: wakeEndpoint,
            batchMax: settings.commitBatchMax, headSeq: head, seal: seal, logger: logger)
        reader = try JournalReader(
            store: store, mailbox: mailbox, context: context, wakeEndpoint: wakeEndpoint, seal: seal, logger: logger)
        replayReader = try JournalReader(
            store: store, mailbox: mailbox, context: context, wakeEndpoint: wakeEndpoint, seal: seal, logger: logger,
            name: "swhub-replay")

        socket = try ZMQSocket(context: context, type: .router)
        try socket.makeCurveServer(secretKey: keyPair.secretKey)
        try socket.zapDomain("swhub")
        try socket.routerMandatory(true)
        try socket.sendHighWaterMark(100_000)
        try socket.receiveHighWaterMark(Self.receiveHighWaterMark(maxBodyBytes: settings.maxBodyBytes))
        try socket.linger(ms: 2000)
        handshakes = try ZMQSocketMonitor(socket: socket, context: context, events: ZMQSocketMonitor.handshakeFailures)
        try socket.bind(settings.endpoint)
        endpoint = try socket.lastEndpoint()
    }

    /// The router loop. A stop is graceful: new submissions are refused with SHUTTING_DOWN,
    /// everything already handed to the journal is committed and answered, acknowledgement
    /// positions are handed to the writer, then the loop ends. The writer, the readers and
    /// the backlog counter are services of their own, to stop after this one. A terminated
    /// context ends the loop unexpectedly.
    var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in run(loop) }
    }

    private func run(_ loop: ThreadLoop) {
        core.emit(owedEmissions)
        owedEmissions = []
        logger.info("router running", metadata: ["endpoint": "\(endpoint)", "head_seq": "\(core.headSeq)"])
        let poller = ZMQPoller(items: [
            ZMQPoll.Item(socket: socket, events: .pollIn),
            ZMQPoll.Item(socket: wake, events: .pollIn),
        ])
        // While the journal's queue is full the router waits for the journal alone.
        let journalPoller = ZMQPoller(items: [ZMQPoll.Item(socket: wake, events: .pollIn)])
        while true {
            if !core.draining && loop.isStopRequested { core.beginDraining() }
            if core.isDrained { break }
            if core.draining && writer.hasEnded {
                logger.error(
                    "draining: the journal writer has stopped; submissions in flight stay unanswered",
                    metadata: ["pending": "\(core.pending)"])
                break
            }
            do {
                let busy = !replyBacklog.isEmpty || core.hasParkedSessions
                if core.ingressFull {
                    _ = try journalPoller.poll(timeoutMs: busy ? 5 : Self.trickleIntervalMs)
                } else {
                    _ = try poller.poll(timeoutMs: busy ? 5 : 50)
                }
                forgetShredded()
                try readClients()
                while try wake.receive(dontWait: true) != nil {}
                for event in mailbox.drain() { handle(event) }
                if let request = reloads.take() { apply(request) }
                housekeeping()
                // Submissions of this turn, and what the flows emitted while it ran.
                core.endTurn(into: &work)
                performWork()
            } catch let error as ZMQError where error.isTerminated {
                break
            } catch {
                logger.error("router loop error", metadata: ["error": "\(error)"])
            }
        }
        core.finish(now: clock.now, into: &work)
        performWork()
        retryReplies()
        handshakes.close()
        socket.close()
        wake.close()
        logger.info("router stopped", metadata: ["head_seq": "\(core.headSeq)"])
    }

    /// Before any catch-up of this turn is answered from the messages held in memory: if an
    /// enterprise's keys were shredded since the last turn (the cipher checks its shred log
    /// at most once a second), those messages are let go of, so that catch-ups read the
    /// journal, where the enterprise's personal fields no longer open.
    private func forgetShredded() {
        guard let shreds else { return }
        let count = shreds()
        guard count != shredsSeen else { return }
        shredsSeen = count
        core.forgetRecentMessages()
        logger.info("personal data shredded: the messages held for catch-ups are let go of")
    }

    /// The ROUTER's receive high-water mark, per connection: how many frame sets libzmq
    /// holds for the router before it stops reading that connection's TCP stream. 1,000,
    /// fewer when bodies may be large (256 MiB of the largest bodies, at least 64), so that
    /// what one connection can park in the hub's memory stays bounded.
    static func receiveHighWaterMark(maxBodyBytes: Int) -> Int32 {
        Int32(min(1000, max(64, (256 << 20) / max(1, maxBodyBytes))))
    }

    /// How often the router reads its socket while the journal's queue is full, ms.
    static let trickleIntervalMs = 100
    /// How many frame sets it reads then.
    static let trickleFrameSets = 64

    /// Reads client frame sets: up to 2,000 a turn (so that journal results keep flowing
    /// while clients flood), and none while the journal's queue is full (`RouterCore.ingressFull`),
    /// so that libzmq's high-water mark and TCP hold the senders back and the hub's memory stays
    /// bounded. Only every `trickleIntervalMs` it then reads `trickleFrameSets` anyway: libzmq
    /// reads connections in turn, so other clients' PINGs, ACKs and HELLOs are still answered
    /// (and their sessions kept alive) while one client floods or the journal is stuck, and a
    /// SUBMIT read then is refused with `301 HUB_BUSY`.
    private func readClients() throws {
        var budget = 2000
        var trickle = false
        if core.ingressFull {
            let now = clock.now
            guard now - lastTrickle >= .milliseconds(Self.trickleIntervalMs) else { return }
            lastTrickle = now
            budget = Self.trickleFrameSets
            trickle = true
        }
        for _ in 0..<budget {
            guard trickle || !core.ingressFull else { return }
            guard let frames = try socket.receiveMultipart(dontWait: true) else { return }
            handle(frames)
        }
    }

    /// Timers: heartbeat expiry, parked sessions, reply retries, ack persistence. Runs at
    /// most every 5 ms, however busy the loop is.
    private func housekeeping() {
        let now = clock.now
        guard now - lastHousekeeping >= .milliseconds(5) else { return }
        lastHousekeeping = now
        core.tick(now: now, into: &work)
        performWork()
        if let flowSnapshots, flowSnapshots.isReady(at: now), let snapshot = core.flowSnapshotDue(now: now) {
            flowSnapshots.save(snapshot)
        }
        if !replyBacklog.isEmpty { retryReplies() }
        while let failed = try? handshakes.next(timeoutMs: 0) {
            guard let heldBack = handshakePace.allow(at: now) else { continue }
            logger.warning(
                "a client's CURVE handshake failed before authentication: most likely its configuration names another hub's public key (libzmq does not say which peer)",
                metadata: ["endpoint": "\(failed.endpoint)", "protocol_error": "\(failed.value)", "similar_lines_held_back": "\(heldBack)"])
        }
        monitoring.tick(now: now, headSeq: core.headSeq, receivers: core.receivers, acked: core.acked, flows: core.flows)
    }

    // MARK: replies

    /// Sends a one-frame reply; a full peer queue keeps it for a later turn, a vanished peer drops it.
    func reply(_ routingId: [UInt8], _ kind: WireCommand.OneOf_Kind) {
        guard !routingId.isEmpty else { return }  // the flows' own messages: nobody waits
        switch kind {
        case .error(let error):
            monitoring.errorSent(error)
        case .acceptedBatch(let batch):
            for result in batch.results where result.error.code != 0 { monitoring.errorSent(result.error) }
        default:
            break
        }
        send(routingId, WireProtocol.frame(kind), retryable: true)
    }

    func send(_ routingId: [UInt8], _ frame: [UInt8], retryable: Bool) {
        do {
            guard try socket.send(bytes: routingId, more: true, dontWait: true) else {
                if retryable { keepForRetry(routingId, frame) }
                return
            }
            _ = try socket.send(bytes: frame, dontWait: true)
        } catch let error as ZMQError where error.isHostUnreachable {
            logger.debug("reply to a vanished peer dropped")
        } catch {
            logger.warning("reply failed", metadata: ["error": "\(error)"])
        }
    }

    private func keepForRetry(_ routingId: [UInt8], _ frame: [UInt8]) {
        if replyBacklog.count >= 100_000 {
            logger.warning("reply backlog full: oldest reply dropped (the client's resubmission is idempotent)")
            replyBacklog.removeFirst(replyBacklog.count / 10)
        }
        replyBacklog.append((routingId, frame))
    }

    private func retryReplies() {
        let backlog = replyBacklog
        replyBacklog.removeAll()
        for (index, item) in backlog.enumerated() {
            do {
                guard try socket.send(bytes: item.routingId, more: true, dontWait: true) else {
                    replyBacklog.append(contentsOf: backlog[index...])
                    return
                }
                _ = try socket.send(bytes: item.frame, dontWait: true)
            } catch {
                continue  // peer gone
            }
        }
    }
}
