import Foundation
public import HubProtocol
import SwiftProtobuf
import ZeroMQ

/// One copy received from the hub's monitoring tap (PROTOCOL.md section 15).
public struct TapMessage: Sendable {
    /// `observer/type/sender/recipient`.
    public var topic: String
    /// The message's header as delivered to `recipient` (seq, sender, time set by the hub).
    public var header: WireHeader
    /// How many copies for this party the hub had dropped when it published the batch this
    /// copy came in (its subscribers were too slow); a change between two copies means a gap
    /// before the later one.
    public var dropped: UInt64
    /// The body as the policy lets the observing party see it (empty for headers only).
    public var body: [UInt8]

    /// The party the copy was delivered to.
    public var recipient: String { header.recipients.first ?? "" }
    /// The journal sequence number of the message.
    public var seq: UInt64 { header.seq }
    /// The message type, e.g. `ceb.Order`.
    public var type: String { header.type }
    /// The party that submitted the message.
    public var sender: String { header.sender }
}

/// A subscriber to the hub's monitoring tap: a CURVE SUB socket with the party's own key
/// pair, connected to `tap_endpoint`, subscribed to `<party>/` plus a filter. The hub
/// refuses every subscription outside the party's own prefix. The hub publishes copies in
/// batches (`TapBatch`); `next(timeout:)` hands them out one by one.
///
/// While the tap's key is being rotated the configuration lists two tap keys: the subscriber
/// expects the first, and when a CURVE handshake fails (the tap presents the other key, say
/// after the hub restarted with its next tap key pair) it opens a new socket expecting the
/// next one, with the same subscriptions, and stays with the key that worked.
///
/// Owns its socket: use one `HubTap` from one thread (or task) at a time. Not `Sendable`.
public final class HubTap {
    /// The party whose copies this subscriber receives (its topics start with `party/`).
    public let party: String
    private let context: ZMQContext
    private var socket: ZMQSocket
    /// The socket's connection events: a refused key or handshakes that never complete (a
    /// wrong tap key) end `next` with the reason instead of an endless wait.
    private var monitor: ZMQSocketMonitor
    private var health = ConnectionHealth()
    private let endpoint: String
    private let keyPair: CurveKeyPair
    /// The tap's public keys (one, or two while its key is rotated) and which one the socket
    /// expects.
    private let serverKeys: [String]
    private var serverKeyIndex = 0
    private let receiveQueue: Int32
    /// The subscriptions in force, as given to the socket (each time it was given), for a
    /// socket opened with the tap's other key.
    private var subscriptions: [[UInt8]] = []
    private var closed = false
    /// Copies of the last batch not handed out yet.
    private var pending: [TapMessage] = []
    private var pendingIndex = 0

    /// Connects to the tap of `configuration` (which must carry `tapEndpoint` and at least
    /// one of `tapPublicKeys`).
    /// - Parameters:
    ///   - configuration: the client configuration (its key pair authenticates the party).
    ///   - party: the party the key belongs to (the topics' first part).
    ///   - receiveQueue: messages queued on this side before libzmq stops reading (`ZMQ_RCVHWM`).
    public init(configuration: HubClientConfiguration, party: String, receiveQueue: Int32 = 10_000) throws {
        guard let endpoint = configuration.tapEndpoint, !configuration.tapPublicKeys.isEmpty else {
            throw HubClientError(.configuration, "the client configuration names no tap (tap_endpoint, tap_public_key_file)")
        }
        self.party = party
        self.endpoint = endpoint
        self.keyPair = configuration.keyPair
        self.serverKeys = configuration.tapPublicKeys
        self.receiveQueue = receiveQueue
        do {
            context = try ZMQContext(ioThreads: 1)
            let opened = try Self.open(
                endpoint, serverKey: configuration.tapPublicKeys[0], keyPair: configuration.keyPair, receiveQueue: receiveQueue,
                context: context)
            socket = opened.socket
            monitor = opened.monitor
        } catch let error as ZMQError {
            throw HubClientError(.configuration, "tap \(endpoint): \(error)")
        }
    }

    /// A CURVE SUB socket expecting `serverKey`, with a monitor on its connection events,
    /// connected to `endpoint`.
    private static func open(
        _ endpoint: String, serverKey: String, keyPair: CurveKeyPair, receiveQueue: Int32, context: ZMQContext
    ) throws -> (socket: ZMQSocket, monitor: ZMQSocketMonitor) {
        let socket = try ZMQSocket(context: context, type: .sub)
        try socket.makeCurveClient(keyPair: keyPair, serverPublicKey: serverKey)
        try socket.linger(ms: 0)
        try socket.receiveHighWaterMark(receiveQueue)
        let monitor = try ZMQSocketMonitor(socket: socket, context: context)
        try socket.connect(endpoint)
        return (socket, monitor)
    }

    deinit { close() }

    /// Subscribes to the copies whose topic starts with `<party>/` + `filter`, e.g.
    /// `ceb.Order/` (one type) or `ceb.Order/enterprise/` (one type from one sender);
    /// an empty filter takes every copy for the party.
    public func subscribe(_ filter: String = "") throws {
        let prefix = Array("\(party)/\(filter)".utf8)
        try socket.subscribe(prefix)
        subscriptions.append(prefix)
    }

    /// Stops receiving the copies of an earlier `subscribe(filter)`.
    public func unsubscribe(_ filter: String = "") throws {
        let prefix = Array("\(party)/\(filter)".utf8)
        try socket.unsubscribe(prefix)
        if let given = subscriptions.firstIndex(of: prefix) { subscriptions.remove(at: given) }
    }

    /// The next copy, or nil when none arrives within `timeout`.
    /// Throws `.protocolViolation` for a message that is not `[channel, TapBatch]`,
    /// `.authenticationFailed` when the tap refused this key, and `.handshakeFailed` when
    /// handshakes keep failing before they complete (the tap's public key is not this tap's).
    public func next(timeout: Duration) throws -> TapMessage? {
        if pendingIndex < pending.count {
            defer { pendingIndex += 1 }
            return pending[pendingIndex]
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            try checkConnection()
            // In slices, so that the connection's events are looked at while waiting.
            let wait = min(deadline - ContinuousClock.now, .milliseconds(100))
            let events = try ZMQPoll.poll([ZMQPoll.Item(socket: socket, events: .pollIn)], timeoutMs: max(wait.pollMilliseconds, 0))
            guard events.first?.contains(.pollIn) == true, let frames = try socket.receiveMultipart(dontWait: true) else {
                if ContinuousClock.now >= deadline { return nil }
                continue
            }
            pending = try Self.copies(of: frames)
            pendingIndex = 0
            if !pending.isEmpty {
                pendingIndex = 1
                return pending[0]
            }
            // An empty batch (none is published, but a peer might): wait out the rest.
            if ContinuousClock.now >= deadline { return nil }
        }
    }

    /// Reads the socket's connection events (libzmq reconnects by itself; each new TCP
    /// connection is a new attempt).
    private func checkConnection() throws {
        while let event = try monitor.next(timeoutMs: 0) {
            switch event.kind {
            case .connected:
                health.attempting()
                health.connected()
            case .handshakeSucceeded:
                health.handshakeSucceeded()
            case .handshakeFailedAuth:
                throw HubClientError(.authenticationFailed, "the tap at \(endpoint) refused this key")
            case .disconnected:
                let lost = health.lost(peerClosed: true)
                if lost.failedHandshakes >= ConnectionHealth.handshakeFailuresToReport * serverKeys.count {
                    throw HubClientError(
                        .handshakeFailed,
                        "the CURVE handshake with the tap at \(endpoint) failed \(lost.failedHandshakes) times in a row: the tap's public key (tap_public_key_file) is not this tap's, or the endpoint is not a swhub tap"
                    )
                }
                if serverKeys.count > 1 && lost.failedHandshakes > 0 {
                    // The tap presented another key than the one expected: while its key is
                    // being rotated, the next one in the list.
                    try useNextServerKey()
                }
            default:
                break
            }
        }
    }

    /// Replaces the socket with one expecting the tap's next public key, subscribed as the old
    /// one was (a CURVE client's server key is fixed before it connects). The old socket's
    /// remaining events go with it.
    private func useNextServerKey() throws {
        serverKeyIndex = (serverKeyIndex + 1) % serverKeys.count
        monitor.close()
        socket.close()
        do {
            (socket, monitor) = try Self.open(
                endpoint, serverKey: serverKeys[serverKeyIndex], keyPair: keyPair, receiveQueue: receiveQueue, context: context)
            for prefix in subscriptions { try socket.subscribe(prefix) }
        } catch let error as ZMQError {
            close()
            throw HubClientError(.configuration, "tap \(endpoint): \(error)")
        }
    }

    /// The copies of one tap message `[prefix + 0x00, TapBatch]`.
    static func copies(of frames: [ZMQMessage]) throws -> [TapMessage] {
        guard frames.count == 2 else {
            throw HubClientError(.protocolViolation, "a tap message has \(frames.count) frames instead of 2")
        }
        guard frames[0].withUnsafeBytes({ $0.last == 0 }) else {
            throw HubClientError(.protocolViolation, "a tap message's first frame does not end with a zero byte")
        }
        let batch: WireTapBatch
        do {
            batch = try frames[1].withUnsafeBytes { try WireTapBatch(serializedBytes: Array($0)) }
        } catch {
            throw HubClientError(.protocolViolation, "a tap message's second frame is not a TapBatch: \(error)")
        }
        return batch.copies.map { copy in
            TapMessage(topic: copy.topic, header: copy.header, dropped: batch.dropped, body: [UInt8](copy.body))
        }
    }

    /// Closes the socket; further calls throw.
    public func close() {
        guard !closed else { return }
        closed = true
        monitor.close()
        socket.close()
        context.shutdown()
    }
}
