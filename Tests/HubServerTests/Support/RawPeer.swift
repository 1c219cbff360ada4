import Foundation
import HubProtocol
import HubTestSupport
import ZeroMQ

/// One frame set from the hub: the decoded first frame and any further frames.
struct Reply: Sendable, CustomStringConvertible {
    let command: WireCommand
    let extra: [[UInt8]]

    var description: String {
        switch command.kind {
        case .error(let e): "ERROR \(e.code) \(e.name) id=\(e.id.prefix(40)) (\(e.reason))"
        case .accepted(let a): "ACCEPTED id=\(a.id.prefix(40)) seq=\(a.seq) duplicate=\(a.duplicate)"
        case .deliver(let d): "DELIVER seq=\(d.header.seq) id=\(d.header.id.prefix(40)) (\(extra.count) extra frames)"
        case .welcome(let w): "WELCOME party=\(w.party) acked=\(w.ackedSeq) credit=\(w.credit)"
        case .pong(let p): "PONG nonce=\(p.nonce) acked=\(p.ackedSeq)"
        case .none: "(no command)"
        default: "\(command.kind.map { "\($0)" } ?? "?")"
        }
    }
}

/// A delivered message as a raw receiver saw it.
struct Delivered: Sendable {
    let header: WireHeader
    let body: [UInt8]
    var seq: UInt64 { header.seq }
}

/// A raw CURVE DEALER talking the wire protocol frame by frame, for protocol-level tests.
///
/// Every socket call runs through ``io(_:)`` on a thread of its own (never on the
/// cooperative pool) under a lock, so the socket has one owner at a time. Every wait is
/// bounded by a poll timeout.
final class RawPeer: @unchecked Sendable {
    let name: String
    private let socket: ZMQSocket
    private let lock = NSLock()
    private var nonce: UInt64 = 0
    private var lastPing = ContinuousClock.now

    /// Connects to `hub` with `keys` (a party's, or a stranger's).
    /// - Parameter receiveHighWaterMark: `ZMQ_RCVHWM` to set before connecting.
    /// - Parameter routingId: `ZMQ_ROUTING_ID` to set before connecting (which clients must not do).
    init(
        _ hub: TestHub, context: ZMQContext, keys: CurveKeyPair, name: String, receiveHighWaterMark: Int32? = nil,
        routingId: [UInt8]? = nil
    ) throws {
        self.name = name
        socket = try ZMQSocket(context: context, type: .dealer)
        try socket.makeCurveClient(keyPair: keys, serverPublicKey: hub.hubKeys.publicKey)
        try socket.linger(ms: 0)
        try socket.sendTimeout(ms: 5000)
        if let receiveHighWaterMark { try socket.receiveHighWaterMark(receiveHighWaterMark) }
        if let routingId { try socket.routingId(routingId) }
        try socket.connect(hub.endpoint)
    }

    /// A raw peer for a configured party.
    convenience init(
        _ hub: TestHub, context: ZMQContext, party: String, receiveHighWaterMark: Int32? = nil, routingId: [UInt8]? = nil
    ) throws {
        guard let keys = hub.partyKeys[party] else { throw TestHubError("no party \(party)") }
        try self.init(hub, context: context, keys: keys, name: party, receiveHighWaterMark: receiveHighWaterMark, routingId: routingId)
    }

    /// Runs `body` with exclusive use of the socket, on a thread of its own.
    func io<T: Sendable>(_ body: @escaping @Sendable (RawPeer) throws -> T) async throws -> T {
        try await onThread { [self] in
            lock.lock()
            defer { lock.unlock() }
            return try body(self)
        }
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        socket.close()
    }

    // MARK: blocking primitives (inside `io` only)

    func sendFrames(_ frames: [[UInt8]]) throws {
        guard try socket.sendMultipart(frames) else { throw TestHubError("\(name): could not send within 5 s") }
    }

    func send(_ kind: WireCommand.OneOf_Kind, body: [UInt8]? = nil) throws {
        var frames = [WireProtocol.frame(kind)]
        if let body { frames.append(body) }
        try sendFrames(frames)
    }

    /// SUBMIT frames for a header; `body` nil sends no body frame.
    static func submitFrames(
        id: String, type: String = "demo.Note", recipients: [String] = [], sender: String = "", body: [UInt8]? = Array("body".utf8)
    ) -> [[UInt8]] {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.recipients = recipients
        header.sender = sender
        var submit = WireSubmit()
        submit.header = header
        var frames = [WireProtocol.frame(.submit(submit))]
        if let body { frames.append(body) }
        return frames
    }

    func submit(id: String, type: String = "demo.Note", recipients: [String] = [], body: [UInt8] = Array("body".utf8)) throws {
        try sendFrames(Self.submitFrames(id: id, type: type, recipients: recipients, body: body))
    }

    /// The next frame set, or nil if none arrives within `timeoutMs`.
    func receive(timeoutMs: Int) throws -> Reply? {
        let events = try ZMQPoll.poll([ZMQPoll.Item(socket: socket, events: .pollIn)], timeoutMs: max(0, timeoutMs))
        guard events.first?.contains(.pollIn) == true, let frames = try socket.receiveMultipart(dontWait: true) else { return nil }
        guard let first = frames.first else { throw TestHubError("\(name): empty frame set from the hub") }
        let command: WireCommand
        do {
            command = try WireCommand(serializedBytes: first.bytes)
        } catch {
            throw TestHubError("\(name): undecodable frame from the hub: \(error)")
        }
        return Reply(command: command, extra: frames.dropFirst().map(\.bytes))
    }

    /// The next frame set, which must arrive within `timeoutMs`.
    func expectReply(timeoutMs: Int = 5000, _ what: String) throws -> Reply {
        guard let reply = try receive(timeoutMs: timeoutMs) else {
            throw TestHubError("\(name): no reply within \(timeoutMs) ms (expected \(what))")
        }
        return reply
    }

    /// The next frame set, which must be an ERROR.
    func expectError(timeoutMs: Int = 5000) throws -> WireError {
        let reply = try expectReply(timeoutMs: timeoutMs, "an ERROR")
        guard case .error(let error) = reply.command.kind else { throw TestHubError("\(name): expected ERROR, got \(reply)") }
        guard reply.extra.isEmpty else { throw TestHubError("\(name): ERROR came with \(reply.extra.count) extra frames") }
        guard reply.command.version == WireProtocol.version else {
            throw TestHubError("\(name): ERROR with version \(reply.command.version)")
        }
        return error
    }

    /// The next frame set, which must be an ACCEPTED.
    func expectAccepted(timeoutMs: Int = 5000) throws -> WireAccepted {
        let reply = try expectReply(timeoutMs: timeoutMs, "an ACCEPTED")
        guard case .accepted(let accepted) = reply.command.kind else { throw TestHubError("\(name): expected ACCEPTED, got \(reply)") }
        return accepted
    }

    /// HELLO, and the WELCOME that must come first.
    func hello(credit: UInt32, receive: Bool = true, ackedSeq: UInt64 = 0) throws -> WireWelcome {
        var hello = WireHello()
        hello.client = "raw-\(name)"
        hello.credit = credit
        hello.receive = receive
        hello.ackedSeq = ackedSeq
        try send(.hello(hello))
        lastPing = .now
        let reply = try expectReply("WELCOME")
        guard case .welcome(let welcome) = reply.command.kind else { throw TestHubError("\(name): expected WELCOME, got \(reply)") }
        return welcome
    }

    func ack(_ seq: UInt64) throws {
        var ack = WireAck()
        ack.seq = seq
        try send(.ack(ack))
    }

    /// Sends a PING if `everyMs` passed since the last one (keeps a session alive).
    func pingIfDue(everyMs: Int) throws {
        guard ContinuousClock.now - lastPing >= .milliseconds(everyMs) else { return }
        nonce += 1
        var ping = WirePing()
        ping.nonce = nonce
        try send(.ping(ping))
        lastPing = .now
    }

    /// Receives DELIVERs for up to `withinMs`, PINGing every `pingEveryMs` and skipping
    /// PONGs, until `stop` says so. Any other frame set is an error.
    /// - Parameter ackEach: ACK every delivery as it arrives.
    func receiveDelivers(
        withinMs: Int, pingEveryMs: Int = 250, ackEach: Bool = false, stop: ([Delivered]) -> Bool = { _ in false }
    ) throws -> [Delivered] {
        var delivered: [Delivered] = []
        let deadline = ContinuousClock.now + .milliseconds(withinMs)
        while ContinuousClock.now < deadline {
            try pingIfDue(everyMs: pingEveryMs)
            let left = deadline - ContinuousClock.now
            let wait = min(Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000), 50)
            guard let reply = try receive(timeoutMs: max(wait, 1)) else { continue }
            switch reply.command.kind {
            case .pong:
                continue
            case .deliver(let deliver):
                guard reply.extra.count == 1 else {
                    throw TestHubError("\(name): DELIVER with \(reply.extra.count) body frames")
                }
                delivered.append(Delivered(header: deliver.header, body: reply.extra[0]))
                if ackEach { try ack(deliver.header.seq) }
                if stop(delivered) { return delivered }
            default:
                throw TestHubError("\(name): expected DELIVER, got \(reply)")
            }
        }
        return delivered
    }

    /// PINGs and returns the party's acknowledgement position from the PONG.
    func ackPosition() throws -> UInt64 {
        nonce += 1
        let mine = nonce
        var ping = WirePing()
        ping.nonce = mine
        try send(.ping(ping))
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            guard let reply = try receive(timeoutMs: 100) else { continue }
            if case .pong(let pong) = reply.command.kind, pong.nonce == mine { return pong.ackedSeq }
        }
        throw TestHubError("\(name): no PONG within 5 s")
    }
}

extension TestHub {
    /// Waits until the hub reports `party`'s acknowledgement position at `seq` or beyond
    /// (asked with PING on a connection of its own, which opens no session).
    func waitForAckPosition(_ party: String, atLeast seq: UInt64, within limit: Duration = .seconds(5)) async throws {
        let context = try ZMQContext()
        let peer = try RawPeer(self, context: context, party: party)
        defer { peer.close() }
        let deadline = ContinuousClock.now + limit
        while true {
            let position = try await peer.io { try $0.ackPosition() }
            if position >= seq { return }
            if ContinuousClock.now >= deadline {
                throw TimeoutError(description: "\(party)'s ack position is \(position), expected ≥ \(seq) within \(limit)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
