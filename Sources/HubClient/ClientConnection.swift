import Foundation
import HubProtocol
import HubThreads
import Logging
import Synchronization
import ZeroMQ

/// The client's I/O thread and the state it shares with callers.
///
/// Invariant behind `@unchecked Sendable`: `dealer`, `monitor` and the `io*` properties are
/// touched only on the I/O thread; callers reach it through `shared` (a Mutex) and the
/// `wake` PUSH socket, which the `wakeLock` owns.
final class ClientConnection: @unchecked Sendable {
    struct Pending {
        let header: WireHeader
        let body: [UInt8]
        /// Called once, with the hub's answer or the failure.
        let complete: @Sendable (Result<SubmitReceipt, HubClientError>) -> Void
        var deadline: ContinuousClock.Instant
        /// Submission order: a reconnect sends the unanswered again in it.
        let order: UInt64
    }

    /// A submission waiting to be sent.
    struct Outgoing {
        let id: String
        let header: WireHeader
        let body: [UInt8]
    }

    struct Shared {
        var outbox: [Outgoing] = []
        /// When the oldest submission in `outbox` was queued (for the batch linger).
        var outboxSince: ContinuousClock.Instant?
        /// Whether `flush()` asked for what lingers to be sent now.
        var flushRequested = false
        var pending: [String: Pending] = [:]
        /// The next submission's `Pending.order`.
        var nextOrder: UInt64 = 0
        var welcome: WireWelcome?
        var ackRequested: UInt64 = 0
        var failure: HubClientError?
        var closed = false
        /// Why the client stopped on its own (a revoked key); nil when it was closed or runs.
        var stoppedBecause: HubClientError?
        /// The hub endpoint the client is connected or connecting to.
        var endpoint = ""
    }

    let configuration: HubClientConfiguration
    let logger: Logger
    let shared = Mutex(Shared())
    private let context: ZMQContext
    private let wakeLock: Mutex<ZMQSocket>
    private let wakeEndpoint: String
    let deliveries: AsyncStream<Delivery>.Continuation
    /// The I/O thread; it ends when `close()` sets `closed` (or the connection cannot be made).
    private let thread = ThreadLoop(name: "swhub-client-io")
    private let clock = ContinuousClock()

    // I/O thread only.
    private var dealer: ZMQSocket?
    private var monitor: ZMQSocketMonitor?
    private var ioHeartbeat: Heartbeat
    var ioDelivered: UInt64 = 0
    private var ioAckSent: UInt64 = 0
    private var ioLastHello: ContinuousClock.Instant?
    private var ioHealth = ConnectionHealth()
    /// When the next connection attempt is due, while there is no connection.
    private var ioReconnectAt: ContinuousClock.Instant?
    /// When the pending requests are next checked for timeouts.
    private var ioNextExpiryCheck: ContinuousClock.Instant?
    /// Which of `configuration.endpoints` the client is connected or connecting to.
    private var ioEndpointIndex = 0
    /// The endpoint of the current (or next) connection attempt.
    private var ioEndpoint: String { configuration.endpoints[ioEndpointIndex] }
    /// Which of `configuration.hubPublicKeys` the current (or next) attempt expects.
    private var ioServerKeyIndex = 0
    /// The hub answered `430 KEY_REVOKED`: the connection is to be dropped.
    private var ioKeyRevoked = false
    /// Whether the last send of queued submissions met a full socket (the hub is not
    /// reading): the loop then waits its usual 20 ms instead of the linger's remainder.
    private var ioSendBlocked = false
    /// SUBMIT_BATCHes sent and not answered: their message ids, by batch number.
    var ioBatches: [UInt64: [String]] = [:]
    private var ioNextBatch: UInt64 = 1

    init(configuration: HubClientConfiguration, deliveries: AsyncStream<Delivery>.Continuation, logger: Logger) throws {
        guard let first = configuration.endpoints.first else {
            throw HubClientError(.configuration, "no hub endpoint: the configuration's endpoints list is empty")
        }
        self.configuration = configuration
        self.deliveries = deliveries
        self.logger = logger
        shared.withLock { $0.endpoint = first }
        context = try ZMQContext(ioThreads: 1)
        wakeEndpoint = "inproc://swhub-client-\(UUID().uuidString)"
        let wake = try ZMQSocket(context: context, type: .push)
        try wake.linger(ms: 0)
        wakeLock = Mutex(wake)
        ioHeartbeat = Heartbeat(interval: configuration.heartbeat, now: clock.now)
    }

    func start() {
        let receiver: ZMQSocket
        do {
            receiver = try ZMQSocket(context: context, type: .pull)
            try receiver.bind(wakeEndpoint)
            try wakeLock.withLock { try $0.connect(wakeEndpoint) }
        } catch {
            fail(HubClientError(.configuration, "cannot set up the client's wake-up socket: \(error)"), closing: true)
            return  // never started: close() returns at once
        }
        thread.start { [self] _ in run(wake: receiver) }
    }

    // MARK: caller side

    /// The hub endpoint the client is connected or connecting to.
    var currentEndpoint: String { shared.withLock { $0.endpoint } }

    /// Submissions waiting for their answer.
    var pendingCount: Int { shared.withLock { $0.pending.count } }

    var unsentCount: Int { shared.withLock { $0.outbox.count } }

    func awaitWelcome(timeout: Duration) async throws -> WireWelcome {
        let deadline = clock.now + timeout
        while true {
            let state = shared.withLock { ($0.welcome, $0.failure, $0.closed) }
            if let welcome = state.0 { return welcome }
            if let failure = state.1 { throw failure }
            if state.2 { throw HubClientError(.closed, "client closed") }
            if clock.now >= deadline { throw HubClientError(.timeout, "no WELCOME from \(endpointsText) within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func submit(header: WireHeader, body: [UInt8]) async throws -> SubmitReceipt {
        try await withCheckedThrowingContinuation { continuation in
            enqueue([(header, body)]) { _, result in continuation.resume(with: result.mapError { $0 as any Error }) }
        }
    }

    /// Submits several messages, handed to the socket in this order (one after the other on
    /// the connection, so the hub journals them in this order unless one is resent), and
    /// waits for every answer.
    func submit(inOrder messages: [(header: WireHeader, body: [UInt8])]) async -> [Result<SubmitReceipt, HubClientError>] {
        guard !messages.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let results = Mutex<(remaining: Int, values: [Result<SubmitReceipt, HubClientError>?])>(
                (messages.count, Array(repeating: nil, count: messages.count)))
            enqueue(messages) { index, result in
                let done: [Result<SubmitReceipt, HubClientError>]? = results.withLock { state in
                    state.values[index] = result
                    state.remaining -= 1
                    return state.remaining == 0 ? state.values.map { $0 ?? .failure(HubClientError(.closed, "no answer")) } : nil
                }
                if let done { continuation.resume(returning: done) }
            }
        }
    }

    /// Queues the messages in order under one lock; `complete(index, result)` is called once
    /// per message.
    private func enqueue(
        _ messages: [(header: WireHeader, body: [UInt8])],
        complete: @escaping @Sendable (Int, Result<SubmitReceipt, HubClientError>) -> Void
    ) {
        let deadline = clock.now + configuration.requestTimeout
        let refusals: [(Int, HubClientError)] = shared.withLock { state in
            var refusals: [(Int, HubClientError)] = []
            for (index, message) in messages.enumerated() {
                let id = message.header.id
                if state.closed {
                    refusals.append((index, state.failure ?? HubClientError(.closed, "client closed")))
                } else if let failure = state.failure, failure.code == .authenticationFailed || failure.code == .handshakeFailed {
                    refusals.append((index, failure))
                } else if state.pending[id] != nil {
                    refusals.append((index, HubClientError(.configuration, "message id \(id) is already awaiting its reply")))
                } else {
                    state.pending[id] = Pending(
                        header: message.header, body: message.body, complete: { complete(index, $0) }, deadline: deadline,
                        order: state.nextOrder)
                    state.nextOrder += 1
                    if state.outbox.isEmpty { state.outboxSince = clock.now }
                    state.outbox.append(Outgoing(id: id, header: message.header, body: message.body))
                }
            }
            return refusals
        }
        for (index, refusal) in refusals { complete(index, .failure(refusal)) }
        if refusals.count < messages.count { poke() }
    }

    /// Sends the submissions lingering for a batch now.
    func flush() {
        shared.withLock { $0.flushRequested = true }
        poke()
    }

    func acknowledge(_ seq: UInt64) {
        shared.withLock { $0.ackRequested = max($0.ackRequested, seq) }
        poke()
    }

    /// Why the client stopped on its own (its key revoked), nil while it runs or after `close()`.
    var failure: HubClientError? {
        shared.withLock { $0.stoppedBecause }
    }

    func close() {
        let wasClosed = shared.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !wasClosed else { return }
        poke()
        thread.stop()
    }

    private func poke() {
        wakeLock.withLock { _ = try? $0.send(bytes: [], dontWait: true) }
    }

    // MARK: I/O thread

    private func run(wake: ZMQSocket) {
        connectDealer()
        while true {
            let closing = shared.withLock { $0.closed }
            if closing {
                flushAck()
                break
            }
            expirePending()
            guard let dealer else {
                // Between attempts (backing off): only the wake-up socket and the timeouts.
                if let due = ioReconnectAt, clock.now < due {
                    let wait = min(due - clock.now, .milliseconds(20))
                    _ = try? ZMQPoller(items: [ZMQPoll.Item(socket: wake, events: .pollIn)]).poll(timeoutMs: wait.pollMilliseconds)
                    while (try? wake.receive(dontWait: true)) != nil {}
                } else {
                    connectDealer()
                }
                continue
            }
            do {
                let poller = ZMQPoller(items: [
                    ZMQPoll.Item(socket: dealer, events: .pollIn), ZMQPoll.Item(socket: wake, events: .pollIn),
                ])
                _ = try poller.poll(timeoutMs: lingerTimeoutMs())
                while try wake.receive(dontWait: true) != nil {}
                for _ in 0..<1000 {
                    guard let frames = try dealer.receiveMultipart(dontWait: true) else { break }
                    ioHeartbeat.heard(at: clock.now)
                    handle(frames)
                }
                try sendOutbox()
                flushAck()
                try housekeeping()
            } catch {
                reconnect("client connection error (\(error))")
            }
        }
        monitor?.close()
        dealer?.close()
        wake.close()
        wakeLock.withLock { $0.close() }
        // Waiters still get the reason the client stopped for, if it had one.
        fail(shared.withLock { $0.failure } ?? HubClientError(.closed, "client closed"), closing: true)
        deliveries.finish()
    }

    private func connectDealer() {
        ioReconnectAt = nil
        ioHealth.attempting()
        do {
            let (socket, opened) = try configuration.connectDealer(
                to: ioEndpoint, serverKey: ioServerKeyIndex, context: context, lingerMs: 1000)
            monitor = opened
            dealer = socket
            ioHeartbeat.heard(at: clock.now)
            try sendHello(on: socket)
            // Everything unanswered goes again, under the same ids: the hub journals it once;
            // in the order first submitted (the hub journals a sender's messages in the order
            // they arrive), never the dictionary's.
            ioBatches.removeAll()
            shared.withLock { state in
                state.outbox = state.pending.sorted { $0.value.order < $1.value.order }
                    .map { Outgoing(id: $0.key, header: $0.value.header, body: $0.value.body) }
                state.outboxSince = state.outbox.isEmpty ? nil : clock.now
            }
        } catch {
            fail(HubClientError(.configuration, "cannot connect to \(ioEndpoint): \(error)"), closing: true)
            dealer = nil
        }
    }

    private func sendHello(on socket: ZMQSocket) throws {
        var hello = WireHello()
        hello.client = configuration.clientName
        hello.credit = configuration.credit
        hello.receive = configuration.receive
        hello.ackedSeq = ioAckSent
        hello.batchDeliveries = configuration.batchDeliveries
        ioLastHello = clock.now
        _ = try socket.send(bytes: WireProtocol.frame(.hello(hello)), dontWait: true)
    }

    /// Says HELLO again on the same connection when the hub reports that this connection
    /// has no receiving session (it expired or was replaced), at most every 2 heartbeats.
    func reopenSession() {
        guard configuration.receive, let dealer else { return }
        if let last = ioLastHello, clock.now - last < configuration.heartbeat * 2 { return }
        logger.info("the hub has no receiving session for this connection; saying HELLO again")
        do { try sendHello(on: dealer) } catch { logger.warning("HELLO failed", metadata: ["error": "\(error)"]) }
    }

    /// The hub's configuration no longer accepts this client's key (`430 KEY_REVOKED`, after
    /// a reload): final for this key (PROTOCOL.md section 8), so the client stops: waiters and
    /// new submissions fail with `.authenticationFailed`, the deliveries end, and
    /// ``failure`` says why, instead of a client retrying for good with a key every
    /// handshake refuses.
    func keyRevoked(_ error: WireError) {
        logger.error("the hub revoked this client's key", metadata: ["endpoint": "\(ioEndpoint)", "reason": "\(error.reason)"])
        let failure = HubClientError(.authenticationFailed, "the hub at \(ioEndpoint) revoked this key: \(error.reason)")
        shared.withLock { $0.stoppedBecause = failure }
        fail(failure, closing: true)
        ioKeyRevoked = true  // the connection is dropped by `housekeeping`, outside the receive loop
    }

    /// Drops the connection and schedules the next attempt: at once after a hub restart,
    /// backing off while attempts keep failing. With several endpoints (a hub cluster) the
    /// next attempt goes to the next one, round robin: a node that died, refused the
    /// connection or stayed silent is left for another. Handshakes that keep failing (the
    /// hub's key is not this hub's, or the endpoint is no swhub hub) fail every waiter with
    /// the reason, and new submissions at once, until a handshake succeeds.
    private func reconnect(_ why: String, peerClosed: Bool = false) {
        monitor?.close()
        monitor = nil
        dealer?.close()
        dealer = nil
        shared.withLock { $0.welcome = nil }
        let lost = ioHealth.lost(peerClosed: peerClosed)
        ioReconnectAt = clock.now + lost.delay
        let from = ioEndpoint
        let keys = configuration.hubPublicKeys.count
        if keys > 1 && lost.failedHandshakes > 0 {
            // The hub presented another key than the one expected: while its key is being
            // rotated, the next one in the list.
            ioServerKeyIndex = (ioServerKeyIndex + 1) % keys
            logger.info(
                "the CURVE handshake failed; trying the hub's next public key",
                metadata: ["endpoint": "\(from)", "hub_key": "\(configuration.hubPublicKeys[ioServerKeyIndex])"])
        }
        if configuration.endpoints.count > 1 {
            ioEndpointIndex = (ioEndpointIndex + 1) % configuration.endpoints.count
            let next = ioEndpoint
            shared.withLock { $0.endpoint = next }
            if lost.wasUp {
                logger.warning(
                    "\(why); failing over to the next hub node",
                    metadata: ["from": "\(from)", "to": "\(next)", "retry_in": "\(lost.delay)"])
            }
        }
        if let heldBack = ioHealth.mayLog(at: clock.now), !(lost.wasUp && configuration.endpoints.count > 1) {
            logger.info(
                "\(why); reconnecting",
                metadata: [
                    "endpoint": "\(from)", "next_endpoint": "\(ioEndpoint)", "retry_in": "\(lost.delay)",
                    "similar_lines_held_back": "\(heldBack)",
                ])
        }
        if lost.failedHandshakes >= ConnectionHealth.handshakeFailuresToReport * max(1, keys) {
            let failure = HubClientError(
                .handshakeFailed,
                "the CURVE handshake with \(from) failed \(lost.failedHandshakes) times in a row: the hub's public key (hub_public_key_file) is not this hub's, or the endpoint is not a swhub hub"
            )
            if shared.withLock({ $0.failure?.code }) != .handshakeFailed { logger.error("\(failure.reason)") }
            fail(failure, closing: false)
        }
    }

    /// Sends queued submissions without blocking: what the socket cannot take now (the hub
    /// is unreachable and the send queue is full) stays queued, so timeouts, heartbeats and
    /// `close()` keep working. To a hub that speaks batches (its WELCOME said so) they go as
    /// SUBMIT_BATCHes, a partly filled one only once the oldest submission in it has lingered
    /// `batchLinger` or `flush()` asked; else as one SUBMIT each.
    private func sendOutbox() throws {
        guard let dealer else { return }
        let now = clock.now
        let (welcome, outbox, since, flush) = shared.withLock { state in
            let taken = (state.welcome, state.outbox, state.outboxSince, state.flushRequested)
            // With a `party:` to check, nothing is submitted before the WELCOME confirmed it.
            if configuration.party == nil || state.welcome != nil {
                state.outbox.removeAll()
                state.outboxSince = nil
                state.flushRequested = false
            }
            return taken
        }
        if configuration.party != nil && welcome == nil { return }
        guard !outbox.isEmpty else { return }
        let limits = batchLimits(welcome)
        guard limits.entries > 1 else { return try sendEach(outbox, on: dealer) }
        var start = 0
        while start < outbox.count {
            var end = start
            var bytes = 0
            while end < outbox.count, end - start < limits.entries, end == start || bytes + outbox[end].body.count <= limits.bytes {
                bytes += outbox[end].body.count
                end += 1
            }
            let full = end - start == limits.entries || end < outbox.count
            if !full && !flush, let since, now - since < configuration.batchLinger {
                requeue(outbox[start...], since: since)
                return
            }
            guard try sendBatch(outbox[start..<end], on: dealer) else {
                ioSendBlocked = true
                requeue(outbox[start...], since: since ?? now)
                return
            }
            ioSendBlocked = false
            start = end
        }
    }

    /// How many submissions, and how many bytes of bodies, one SUBMIT_BATCH may carry (one
    /// entry: batches are off, or the hub does not speak them).
    private func batchLimits(_ welcome: WireWelcome?) -> (entries: Int, bytes: Int) {
        guard let welcome, welcome.protocolVersion >= WireProtocol.batchVersion else { return (1, 0) }
        return (min(configuration.batchSubmissions, Int(welcome.maxBatchEntries)), Int(welcome.maxBatchBytes))
    }

    private func sendEach(_ outbox: [Outgoing], on dealer: ZMQSocket) throws {
        for (index, item) in outbox.enumerated() {
            var submit = WireSubmit()
            submit.header = item.header
            guard try dealer.sendMultipart([WireProtocol.frame(.submit(submit)), item.body], dontWait: true) else {
                ioSendBlocked = true
                requeue(outbox[index...], since: clock.now)
                return
            }
        }
        ioSendBlocked = false
    }

    /// Sends one SUBMIT_BATCH; false when the socket's queue is full.
    private func sendBatch(_ items: ArraySlice<Outgoing>, on dealer: ZMQSocket) throws -> Bool {
        var batch = WireSubmitBatch()
        batch.batch = ioNextBatch
        batch.headers = items.map(\.header)
        batch.bodySizes = items.map { UInt32($0.body.count) }
        var bodies: [UInt8] = []
        bodies.reserveCapacity(items.reduce(0) { $0 + $1.body.count })
        for item in items { bodies.append(contentsOf: item.body) }
        guard try dealer.sendMultipart([WireProtocol.frame(.submitBatch(batch)), bodies], dontWait: true) else { return false }
        ioBatches[ioNextBatch] = items.map(\.id)
        ioNextBatch &+= 1
        return true
    }

    /// Puts unsent submissions back at the head of the outbox (those still awaited).
    private func requeue(_ items: ArraySlice<Outgoing>, since: ContinuousClock.Instant) {
        shared.withLock { state in
            let unsent = items.filter { state.pending[$0.id] != nil }
            guard !unsent.isEmpty else { return }
            state.outbox.insert(contentsOf: unsent, at: 0)
            state.outboxSince = min(state.outboxSince ?? since, since)
        }
    }

    /// The I/O loop's poll timeout: 20 ms, or less when a batch lingers. Nothing lingers
    /// while the outbox waits for the WELCOME that confirms `party:` (the WELCOME itself
    /// wakes the poll): a timeout of 0 then made the loop spin on a core for as long as the
    /// hub could not be reached.
    private func lingerTimeoutMs() -> Int {
        let (since, awaitingWelcome) = shared.withLock { ($0.outboxSince, configuration.party != nil && $0.welcome == nil) }
        guard !ioSendBlocked, !awaitingWelcome, let since else { return 20 }
        let left = configuration.batchLinger - (clock.now - since)
        return left <= .zero ? 0 : min(20, left.pollMilliseconds)
    }

    private func flushAck() {
        let wanted = shared.withLock { $0.ackRequested }
        guard wanted > ioAckSent, let dealer else { return }
        var ack = WireAck()
        ack.seq = wanted
        if (try? dealer.send(bytes: WireProtocol.frame(.ack(ack)))) == true {
            ioAckSent = wanted
        }
    }

    private func housekeeping() throws {
        let now = clock.now
        if ioKeyRevoked {
            ioKeyRevoked = false
            reconnect("the hub revoked this client's key")
            return
        }
        while let event = try monitor?.next(timeoutMs: 0) {
            if event.kind == .connected {
                ioHealth.connected()
            } else if event.kind == .disconnected {
                // libzmq reconnects by itself, but the hub on the other side may be a new
                // process that knows nothing of our session: start over with HELLO.
                reconnect("connection to the hub lost", peerClosed: true)
                return
            } else if event.kind == .connectRetried && configuration.endpoints.count > 1 {
                // This node refused the connection (or is unreachable): libzmq would retry it
                // alone; with other nodes to try, go on to the next one.
                reconnect("\(ioEndpoint) refused the connection")
                return
            } else if event.kind == .handshakeFailedAuth {
                ioHealth.refusedByHub()
                logger.error("the hub refused this client's CURVE key", metadata: ["endpoint": "\(ioEndpoint)"])
                fail(HubClientError(.authenticationFailed, "the hub at \(ioEndpoint) refused this key"), closing: false)
            } else if event.kind == .handshakeSucceeded {
                ioHealth.handshakeSucceeded()
                shared.withLock { state in
                    if state.failure?.code == .authenticationFailed || state.failure?.code == .handshakeFailed { state.failure = nil }
                }
            }
        }
        if let ping = ioHeartbeat.pingDue(at: now) {
            _ = try dealer?.send(bytes: WireProtocol.frame(.ping(ping)), dontWait: true)
        }
        if ioHeartbeat.isSilent(at: now) {
            reconnect("no traffic from the hub for 3 heartbeats")
        }
    }

    /// Fails the submissions whose reply is overdue (every turn, connected or not).
    private func expirePending() {
        let now = clock.now
        // Every 10 ms at most, not on every turn of the loop: the check goes through all
        // pending requests, thousands of times a second under load.
        if let due = ioNextExpiryCheck, now < due { return }
        ioNextExpiryCheck = now + .milliseconds(10)
        let expired = shared.withLock { state in
            let late = state.pending.filter { $0.value.deadline <= now }
            for id in late.keys { state.pending[id] = nil }
            return late.values.map(\.complete)
        }
        for complete in expired {
            complete(.failure(HubClientError(.timeout, "no reply from \(endpointsText) within \(configuration.requestTimeout)")))
        }
    }

    /// The endpoint for a message: the one endpoint, or the list of a cluster's nodes.
    private var endpointsText: String {
        configuration.endpoints.count == 1 ? configuration.endpoint : "any of \(configuration.endpoints.joined(separator: ", "))"
    }

    /// A configuration the hub contradicts: every waiter fails with it and the client closes.
    func failConfiguration(_ error: HubClientError) {
        fail(error, closing: true)
    }

    /// Fails every waiter; `closing` also marks the client closed.
    func fail(_ error: HubClientError, closing: Bool) {
        let pending = shared.withLock { state in
            state.failure = error
            if closing { state.closed = true }
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for item in pending { item.complete(.failure(error)) }
    }
}
