import Foundation
import HubProtocol
import HubThreads
public import Logging
import SwiftProtobuf
import Synchronization
import ZeroMQ

/// A replay of a party's journaled stream on a connection of its own: sends REPLAY, yields
/// the hub's statuses and deliveries as `events`, and sends cumulative ACKs for what the
/// caller acknowledges (they return credit; a replay never moves the party's durable
/// position). If the connection drops, it is opened again and the replay asked for from
/// the seq after the last delivery, so the caller sees each seq once (a new `started`
/// follows). With several endpoints (a hub cluster), a connection that drops or stays
/// silent is opened again on the next one, round robin. A refusal (ERROR) ends `events`
/// with a `HubClientError`.
///
/// Invariant behind `@unchecked Sendable`: the DEALER, its monitor and the `io*` properties
/// are touched only on the I/O thread; callers reach it through `shared` and the `wake`
/// socket, which its Mutex owns.
public final class ReplaySession: @unchecked Sendable {
    private struct Shared {
        var ackRequested: UInt64 = 0
        var closed = false
    }

    /// The replay's events; ends after `finished`, on `close()`, or with an error.
    public let events: AsyncThrowingStream<ReplayEvent, any Error>
    private let continuation: AsyncThrowingStream<ReplayEvent, any Error>.Continuation
    private let configuration: HubClientConfiguration
    private let request: ReplayRequest
    private let logger: Logger
    private let shared = Mutex(Shared())
    private let context: ZMQContext
    private let wake: Mutex<ZMQSocket>
    private let wakeEndpoint: String
    /// The I/O thread; it ends at FINISHED, on a failure, or when `close()` sets `closed`.
    private let thread = ThreadLoop(name: "swhub-replay-io")
    private let clock = ContinuousClock()

    // I/O thread only.
    private var dealer: ZMQSocket?
    private var monitor: ZMQSocketMonitor?
    private var ioLastDelivered: UInt64 = 0
    private var ioAckSent: UInt64 = 0
    private var ioHeartbeat: Heartbeat
    private var ioHealth = ConnectionHealth()
    /// Which of `configuration.endpoints` the replay is connected or connecting to.
    private var ioEndpointIndex = 0
    private var ioEndpoint: String { configuration.endpoints[ioEndpointIndex] }
    /// Which of `configuration.hubPublicKeys` the current (or next) attempt expects.
    private var ioServerKeyIndex = 0

    /// Connects and asks for the replay; events start arriving on `events`.
    public init(configuration: HubClientConfiguration, request: ReplayRequest, logger: Logger) throws {
        guard !configuration.endpoints.isEmpty else {
            throw HubClientError(.configuration, "no hub endpoint: the configuration's endpoints list is empty")
        }
        self.configuration = configuration
        self.request = request
        self.logger = logger
        (events, continuation) = AsyncThrowingStream<ReplayEvent, any Error>.makeStream()
        context = try ZMQContext(ioThreads: 1)
        wakeEndpoint = "inproc://swhub-replay-\(UUID().uuidString)"
        let receiver = try ZMQSocket(context: context, type: .pull)
        try receiver.bind(wakeEndpoint)
        let push = try ZMQSocket(context: context, type: .push)
        try push.linger(ms: 0)
        try push.connect(wakeEndpoint)
        wake = Mutex(push)
        ioHeartbeat = Heartbeat(interval: configuration.heartbeat, now: clock.now)
        thread.start { [self] _ in run(wake: receiver) }
    }

    /// Acknowledges every delivery up to `seq` (cumulative), returning credit to the hub.
    public func acknowledge(_ seq: UInt64) {
        shared.withLock { $0.ackRequested = max($0.ackRequested, seq) }
        poke()
    }

    /// Ends the replay: closes the connection and ends `events`.
    public func close() {
        let wasClosed = shared.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !wasClosed else { return }
        poke()
        thread.stop()
    }

    deinit { close() }

    private func poke() {
        wake.withLock { _ = try? $0.send(bytes: [], dontWait: true) }
    }

    // MARK: I/O thread

    private func run(wake receiver: ZMQSocket) {
        var outcome: (any Error)?
        do {
            try open()
            outcome = try loop(wake: receiver)
        } catch {
            outcome = error
        }
        monitor?.close()
        dealer?.close()
        receiver.close()
        wake.withLock { $0.close() }
        continuation.finish(throwing: outcome)
    }

    /// Runs until FINISHED, close() or a failure; returns the failure, if any.
    private func loop(wake receiver: ZMQSocket) throws -> (any Error)? {
        while true {
            guard let dealer else { return HubClientError(.closed, "no connection") }
            if shared.withLock({ $0.closed }) {
                flushAck()
                return nil
            }
            let poller = ZMQPoller(items: [ZMQPoll.Item(socket: dealer, events: .pollIn), ZMQPoll.Item(socket: receiver, events: .pollIn)])
            _ = try poller.poll(timeoutMs: 20)
            while try receiver.receive(dontWait: true) != nil {}
            for _ in 0..<1000 {
                guard let frames = try dealer.receiveMultipart(dontWait: true) else { break }
                ioHeartbeat.heard(at: clock.now)
                switch try handle(frames) {
                case .goOn: continue
                case .finished:
                    flushAck()
                    return nil
                }
            }
            flushAck()
            try housekeeping()
        }
    }

    private enum Step { case goOn, finished }

    private func handle(_ frames: [ZMQMessage]) throws -> Step {
        guard let first = frames.first, let command = try? WireCommand(serializedBytes: first.bytes) else {
            throw HubClientError(.protocolViolation, "undecodable frame from the hub")
        }
        switch command.kind {
        case .replayStatus(let wire):
            guard let status = ReplayStatus(wire: wire) else { break }
            switch status.phase {
            case .started: continuation.yield(.started(status))
            case .caughtUp: continuation.yield(.caughtUp(status))
            case .finished:
                continuation.yield(.finished(status))
                return .finished
            }
        case .deliver(let deliver):
            guard frames.count == 2 else { throw HubClientError(.protocolViolation, "DELIVER without exactly one body frame") }
            let seq = deliver.header.seq
            guard seq > ioLastDelivered else { return .goOn }  // again after a reconnection
            ioLastDelivered = seq
            continuation.yield(.delivery(Delivery(header: deliver.header, body: frames[1].bytes)))
        case .deliverBatch(let batch):
            guard frames.count == 2, let deliveries = Delivery.unpack(batch, bodies: frames[1].bytes) else {
                throw HubClientError(.protocolViolation, "DELIVER_BATCH whose body sizes do not match its bodies frame")
            }
            for delivery in deliveries where delivery.seq > ioLastDelivered {
                ioLastDelivered = delivery.seq
                continuation.yield(.delivery(delivery))
            }
        case .error(let error):
            throw HubClientError(wire: error)
        case .pong, .welcome, .accepted, .none, .hello, .submit, .ack, .ping, .replay, .submitBatch, .acceptedBatch:
            break
        }
        return .goOn
    }

    private func open() throws {
        let (socket, opened) = try configuration.connectDealer(to: ioEndpoint, serverKey: ioServerKeyIndex, context: context, lingerMs: 0)
        monitor = opened
        dealer = socket
        ioHeartbeat.heard(at: clock.now)
        var replay = request.wire(client: configuration.clientName)
        replay.batchDeliveries = configuration.batchDeliveries
        if ioLastDelivered > 0 {
            // Resume after what was already passed on.
            replay.fromSeq = ioLastDelivered + 1
            replay.sinceUs = 0
        }
        _ = try socket.send(bytes: WireProtocol.frame(.replay(replay)), dontWait: true)
    }

    private func reopen() throws {
        monitor?.close()
        monitor = nil
        dealer?.close()
        dealer = nil
        ioAckSent = 0
        ioHealth.attempting()
        try open()
    }

    /// The connection was lost: handshakes that keep failing end the session with the
    /// reason (a wrong hub key never completes one); otherwise it is opened again, and the
    /// line about it is logged at most every 10 s.
    private func lost(_ why: String, peerClosed: Bool) throws {
        let lost = ioHealth.lost(peerClosed: peerClosed)
        let keys = configuration.hubPublicKeys.count
        // While the hub's key is rotated, a failed handshake tries the next key in the list.
        if keys > 1 && lost.failedHandshakes > 0 { ioServerKeyIndex = (ioServerKeyIndex + 1) % keys }
        if lost.failedHandshakes >= ConnectionHealth.handshakeFailuresToReport * max(1, keys) {
            throw HubClientError(
                .handshakeFailed,
                "the CURVE handshake with \(ioEndpoint) failed \(lost.failedHandshakes) times in a row: the hub's public key (hub_public_key_file) is not this hub's, or the endpoint is not a swhub hub"
            )
        }
        let from = ioEndpoint
        if configuration.endpoints.count > 1 { ioEndpointIndex = (ioEndpointIndex + 1) % configuration.endpoints.count }
        if let heldBack = ioHealth.mayLog(at: clock.now) {
            logger.info(
                "\(why); asking again after the last delivery",
                metadata: [
                    "seq": "\(ioLastDelivered)", "endpoint": "\(from)", "next_endpoint": "\(ioEndpoint)",
                    "similar_lines_held_back": "\(heldBack)",
                ])
        }
        try reopen()
    }

    private func flushAck() {
        let wanted = min(shared.withLock { $0.ackRequested }, ioLastDelivered)
        guard wanted > ioAckSent, let dealer else { return }
        var ack = WireAck()
        ack.seq = wanted
        if (try? dealer.send(bytes: WireProtocol.frame(.ack(ack)), dontWait: true)) == true {
            ioAckSent = wanted
        }
    }

    private func housekeeping() throws {
        let now = clock.now
        while let event = try monitor?.next(timeoutMs: 0) {
            if event.kind == .handshakeFailedAuth {
                throw HubClientError(.authenticationFailed, "the hub at \(ioEndpoint) refused this key")
            } else if event.kind == .connected {
                ioHealth.connected()
            } else if event.kind == .handshakeSucceeded {
                ioHealth.handshakeSucceeded()
            } else if event.kind == .disconnected {
                try lost("replay connection lost", peerClosed: true)
                return
            }
        }
        if let ping = ioHeartbeat.pingDue(at: now) {
            _ = try dealer?.send(bytes: WireProtocol.frame(.ping(ping)), dontWait: true)
        }
        if ioHeartbeat.isSilent(at: now) {
            try lost("no traffic from the hub for 3 heartbeats", peerClosed: false)
        }
    }
}
