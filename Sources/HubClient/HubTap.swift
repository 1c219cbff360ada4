import Foundation
import HubProtocol
import ZeroMQ

/// One copy received from the hub's monitoring tap (PROTOCOL.md section 15).
public struct TapMessage: Sendable {
    /// `observer/type/sender/recipient`.
    public var topic: String
    /// The message's header as delivered to `recipient` (seq, sender, time set by the hub).
    public var header: WireHeader
    /// How many copies for this party the hub has dropped so far (its subscribers were too
    /// slow); a change between two messages means a gap before the later one.
    public var dropped: UInt64
    /// The body as the policy lets the observing party see it (empty for headers only).
    public var body: [UInt8]

    /// The party the copy was delivered to.
    public var recipient: String { header.recipients.first ?? "" }
}

/// A subscriber to the hub's monitoring tap: a CURVE SUB socket with the party's own key
/// pair, connected to `tap_endpoint`, subscribed to `<party>/` plus a filter. The hub
/// refuses every subscription outside the party's own prefix.
///
/// Owns its socket: use one `HubTap` from one thread (or task) at a time. Not `Sendable`.
public final class HubTap {
    /// The party whose copies this subscriber receives (its topics start with `party/`).
    public let party: String
    private let context: ZMQContext
    private let socket: ZMQSocket
    private var closed = false

    /// Connects to the tap of `configuration` (which must carry `tapEndpoint` and
    /// `tapPublicKey`).
    /// - Parameters:
    ///   - configuration: the client configuration (its key pair authenticates the party).
    ///   - party: the party the key belongs to (the topics' first part).
    ///   - receiveQueue: messages queued on this side before libzmq stops reading (`ZMQ_RCVHWM`).
    public init(configuration: HubClientConfiguration, party: String, receiveQueue: Int32 = 10_000) throws {
        guard let endpoint = configuration.tapEndpoint, let serverKey = configuration.tapPublicKey else {
            throw HubClientError(.configuration, "the client configuration names no tap (tap_endpoint, tap_public_key_file)")
        }
        self.party = party
        do {
            context = try ZMQContext(ioThreads: 1)
            socket = try ZMQSocket(context: context, type: .sub)
            try socket.makeCurveClient(keyPair: configuration.keyPair, serverPublicKey: serverKey)
            try socket.linger(ms: 0)
            try socket.receiveHighWaterMark(receiveQueue)
            try socket.connect(endpoint)
        } catch let error as ZMQError {
            throw HubClientError(.configuration, "tap \(endpoint): \(error)")
        }
    }

    deinit { close() }

    /// Subscribes to the copies whose topic starts with `<party>/` + `filter`, e.g.
    /// `ceb.Order/` (one type) or `ceb.Order/enterprise/` (one type from one sender);
    /// an empty filter takes every copy for the party.
    public func subscribe(_ filter: String = "") throws {
        try socket.subscribe(Array("\(party)/\(filter)".utf8))
    }

    /// Stops receiving the copies of an earlier `subscribe(filter)`.
    public func unsubscribe(_ filter: String = "") throws {
        try socket.unsubscribe(Array("\(party)/\(filter)".utf8))
    }

    /// The next copy, or nil when none arrives within `timeout`.
    /// Throws `.protocolViolation` for a frame set that is not `[topic, TapInfo, body]`.
    public func next(timeout: Duration) throws -> TapMessage? {
        let millis = max(0, Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        let events = try ZMQPoll.poll([ZMQPoll.Item(socket: socket, events: .pollIn)], timeoutMs: millis)
        guard events.first?.contains(.pollIn) == true, let frames = try socket.receiveMultipart(dontWait: true) else {
            return nil
        }
        guard frames.count == 3 else {
            throw HubClientError(.protocolViolation, "a tap message has \(frames.count) frames instead of 3")
        }
        let info: WireTapInfo
        do {
            info = try frames[1].withUnsafeBytes { try WireTapInfo(serializedBytes: Array($0)) }
        } catch {
            throw HubClientError(.protocolViolation, "a tap message's second frame is not a TapInfo: \(error)")
        }
        return TapMessage(
            topic: String(decoding: frames[0].bytes, as: UTF8.self), header: info.header, dropped: info.dropped,
            body: frames[2].bytes)
    }

    /// Closes the socket; further calls throw.
    public func close() {
        guard !closed else { return }
        closed = true
        socket.close()
        context.shutdown()
    }
}
