import Foundation
import HubCore
import HubLifecycle
import HubProtocol
import HubStore
import HubThreads
import Logging
import ZeroMQ

/// The hub's router thread: owns the CURVE ROUTER socket that every client talks to and the
/// PULL socket its helper threads wake it through. It decodes only the command frame,
/// authenticates the sender from the connection's ZAP `User-Id`, validates and routes
/// submissions, hands them to the journal writer, replies once they are durable, and drives
/// each receiving session's `DeliverySession`.
///
/// Invariant behind `@unchecked Sendable`: once `loop` started, every stored property other
/// than the immutable `loop`, `endpoint`, `writer`, `reader`, `replayReader` and `monitoring`
/// (whose shared parts are thread-safe) is touched only by the loop's body, on the router
/// thread; `socket` and `wake` are made in `init` and used only there after that.
final class Router: @unchecked Sendable {
    struct Session {
        let id: UInt64
        let routingId: [UInt8]
        let party: String
        var lastSeen: ContinuousClock.Instant
        var delivery: DeliverySession<Outgoing>
        var parkedSince: ContinuousClock.Instant?
    }

    let socket: ZMQSocket
    private let wake: ZMQSocket
    let mailbox: Mailbox
    let writer: JournalWriter
    let reader: JournalReader
    /// Reads for replays only, so they never queue behind the receiving sessions' catch-up.
    let replayReader: JournalReader
    /// Who may replay whose stream, and what of each body they see.
    let observers: ObserverPolicy
    let routing: RoutingTable
    let policy: RedactionPolicy
    let settings: HubConfig.Settings
    let logger: Logger
    let clock = ContinuousClock()
    /// Metrics and the monitor's snapshot.
    let monitoring: RouterMonitoring

    /// Receiving sessions by connection, and each party's current receiving connection.
    var sessions: [[UInt8]: Session] = [:]
    var receivers: [String: [UInt8]] = [:]
    /// Receiving sessions' connections by session id (journal fetches name the session).
    var sessionConnections: [UInt64: [UInt8]] = [:]
    /// Replay sessions by connection, and their connections by session id.
    var replays: [[UInt8]: ReplayStream] = [:]
    var replayConnections: [UInt64: [UInt8]] = [:]
    var nextSessionId: UInt64 = 1
    /// Acknowledgement positions: in memory, and the ones not yet handed to the writer.
    var acked: [String: UInt64]
    var dirtyAcks: [String: UInt64] = [:]
    var lastAckFlush: ContinuousClock.Instant
    /// Delivery and acknowledgement positions with their times, for `swhub trace`.
    var progress = ProgressLog()
    var headSeq: UInt64
    /// Submissions handed to the writer and not yet answered.
    var pending = 0
    /// Submissions accepted for the journal during this turn of the loop, handed over at its end.
    var toJournal: [PendingSubmit] = []
    /// Replies that met a full peer queue, retried on later turns.
    var replyBacklog: [(routingId: [UInt8], frame: [UInt8])] = []
    var draining = false
    private var lastHousekeeping = ContinuousClock.now
    /// The business flows, when the config turns them on.
    var flows: FlowEngine?
    var lastFlowTick = ContinuousClock.now
    /// The monitoring tap's hand-over, when the config has a tap (set before `start()`).
    var tap: TapMailbox?
    /// What the flows still owed when the hub started (rebuilt from the journal).
    private var owedEmissions: [FlowEmission] = []

    private let loop = ThreadLoop(name: "swhub-router")
    /// The endpoint actually bound (a `*` port resolved), read once when binding.
    let endpoint: String

    init(
        context: ZMQContext, keyPair: CurveKeyPair, settings: HubConfig.Settings, routing: RoutingTable,
        policy: RedactionPolicy, observers: ObserverPolicy, flows: FlowEngine?, store: any JournalStore, monitoring: RouterMonitoring,
        logger: Logger
    ) throws {
        if var engine = flows {
            let started = ContinuousClock.now
            owedEmissions = try Self.rebuild(&engine, from: store)
            self.flows = engine
            logger.info("flows rebuilt from the journal", metadata: ["owed_emissions": "\(owedEmissions.count)", "took": "\(ContinuousClock.now - started)"])
        }
        self.settings = settings
        self.routing = routing
        self.policy = policy
        self.observers = observers
        self.logger = logger
        self.monitoring = monitoring
        acked = try store.ackPositions()
        headSeq = try store.headSeq()
        lastAckFlush = clock.now

        let wakeEndpoint = "inproc://swhub-wake-\(UUID().uuidString)"
        wake = try ZMQSocket(context: context, type: .pull)
        try wake.bind(wakeEndpoint)
        mailbox = Mailbox()
        writer = try JournalWriter(
            store: store, mailbox: mailbox, context: context, wakeEndpoint: wakeEndpoint,
            batchMax: settings.commitBatchMax, logger: logger)
        reader = try JournalReader(
            store: store, mailbox: mailbox, context: context, wakeEndpoint: wakeEndpoint, logger: logger)
        replayReader = try JournalReader(
            store: store, mailbox: mailbox, context: context, wakeEndpoint: wakeEndpoint, logger: logger, name: "swhub-replay")

        socket = try ZMQSocket(context: context, type: .router)
        try socket.makeCurveServer(secretKey: keyPair.secretKey)
        try socket.zapDomain("swhub")
        try socket.routerMandatory(true)
        try socket.sendHighWaterMark(100_000)
        try socket.receiveHighWaterMark(100_000)
        try socket.linger(ms: 2000)
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
        emit(owedEmissions)
        owedEmissions = []
        logger.info("router running", metadata: ["endpoint": "\(endpoint)", "head_seq": "\(headSeq)"])
        let poller = ZMQPoller(items: [
            ZMQPoll.Item(socket: socket, events: .pollIn),
            ZMQPoll.Item(socket: wake, events: .pollIn),
        ])
        while true {
            if !draining && loop.isStopRequested {
                draining = true
                logger.info("draining: refusing new submissions, committing the ones in flight", metadata: ["pending": "\(pending)"])
            }
            if draining && pending == 0 { break }
            if draining && writer.hasEnded {
                logger.error("draining: the journal writer has stopped; submissions in flight stay unanswered", metadata: ["pending": "\(pending)"])
                break
            }
            do {
                let busy = !replyBacklog.isEmpty || sessions.values.contains { $0.parkedSince != nil }
                    || replays.values.contains { $0.parkedSince != nil }
                _ = try poller.poll(timeoutMs: busy ? 5 : 50)
                // Bounded so that journal results keep flowing while clients flood us.
                for _ in 0..<2000 {
                    guard let frames = try socket.receiveMultipart(dontWait: true) else { break }
                    handle(frames)
                }
                while try wake.receive(dontWait: true) != nil {}
                for event in mailbox.drain() { handle(event) }
                housekeeping()
                // Submissions of this turn, and what the flows emitted while it ran.
                writer.enqueue(toJournal)
                toJournal.removeAll(keepingCapacity: true)
            } catch let error as ZMQError where error.isTerminated {
                break
            } catch {
                logger.error("router loop error", metadata: ["error": "\(error)"])
            }
        }
        flushAcks(force: true)
        flushProgress(force: true)
        retryReplies()
        socket.close()
        wake.close()
        logger.info("router stopped", metadata: ["head_seq": "\(headSeq)"])
    }

    /// Timers: heartbeat expiry, parked sessions, reply retries, ack persistence. Runs at
    /// most every 5 ms, however busy the loop is.
    private func housekeeping() {
        let now = clock.now
        guard now - lastHousekeeping >= .milliseconds(5) else { return }
        lastHousekeeping = now
        let expiry = Duration.milliseconds(settings.heartbeatMs * 3)
        for (routingId, session) in sessions {
            if now - session.lastSeen > expiry {
                closeSession(routingId, reason: "no heartbeat")
            } else if let parked = session.parkedSince, now - parked > .milliseconds(20) {
                sessions[routingId]?.parkedSince = nil
                guard let actions = sessions[routingId]?.delivery.resume() else { continue }
                perform(actions, for: routingId)
            }
        }
        if !replays.isEmpty { replayHousekeeping(now: now, expiry: expiry) }
        if !replyBacklog.isEmpty { retryReplies() }
        flushAcks(force: false)
        flushProgress(force: false)
        flowsTick()
        monitoring.tick(now: now, headSeq: headSeq, receivers: receivers, acked: acked, flows: flows)
    }

    func flushAcks(force: Bool) {
        guard !dirtyAcks.isEmpty, force || clock.now - lastAckFlush > .milliseconds(20) else { return }
        writer.enqueue(acks: dirtyAcks)
        dirtyAcks.removeAll(keepingCapacity: true)
        lastAckFlush = clock.now
    }

    func flushProgress(force: Bool) {
        guard !progress.isEmpty else { return }
        let marks = progress.due(now: clock.now, force: force)
        if !marks.isEmpty { writer.enqueue(progress: marks) }
    }

    func closeSession(_ routingId: [UInt8], reason: String = "closed") {
        guard let session = sessions.removeValue(forKey: routingId) else { return }
        logger.info(
            "receiving session closed",
            metadata: ["party": "\(session.party)", "session": "\(session.id)", "reason": "\(reason)", "acked_seq": "\(acked[session.party] ?? 0)"])
        sessionConnections[session.id] = nil
        if receivers[session.party] == routingId { receivers[session.party] = nil }
    }

    // MARK: replies

    /// Sends a one-frame reply; a full peer queue keeps it for a later turn, a vanished peer drops it.
    func reply(_ routingId: [UInt8], _ kind: WireCommand.OneOf_Kind) {
        guard !routingId.isEmpty else { return }  // the flows' own messages: nobody waits
        if case .error(let error) = kind { monitoring.errorSent(error) }
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
