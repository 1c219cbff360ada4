import Foundation
import Histogram
import HubProtocol
import ZeroMQ

/// What a bench client connects to.
struct BenchEndpoint: Sendable {
    var endpoint: String
    /// The server's CURVE public key; nil for plain TCP (the reference baseline only).
    var serverKey: String?
    var keys: CurveKeyPair

    /// Applies CURVE (when there is a server key) and connects.
    func connect(_ socket: ZMQSocket) throws {
        if let serverKey { try socket.makeCurveClient(keyPair: keys, serverPublicKey: serverKey) }
        try socket.connect(endpoint)
    }
}

/// The bench's sender: one DEALER (or PUB for the fan-out baseline) that sends `count`
/// SUBMIT frame sets of `size`-byte bodies, keeping at most `window` unanswered, and
/// counts replies. The same code drives the hub and the zmq_proxy baseline.
struct BenchSender: Sendable {
    var target: BenchEndpoint
    /// One id per message to send, made before the run is timed (``BenchMessageId``).
    var ids: [String]
    var count: Int { ids.count }
    var size: Int
    var window: Int
    var recipients: [String]
    /// Message ids are `prefix + index`; receivers count only their run's ids.
    var idPrefix: String
    /// Whether replies come back (false for the PUB fan-out baseline).
    var expectReplies = true
    /// Fixed send rate in messages/s for latency runs; nil = as fast as the window allows.
    var rate: Double?
    /// For the PUB fan-out baseline: probes are published until this says every subscriber
    /// has seen one (PUB drops whatever is sent before a subscription has arrived).
    var subscribersReady: (@Sendable () -> Bool)?
    /// Messages per SUBMIT_BATCH (PROTOCOL.md section 16); 1 sends one SUBMIT each.
    var batch = 1

    struct Result: Sendable {
        var seconds: Double
        var latency: Histogram<UInt64>?
    }

    func run(context: ZMQContext) throws -> Result {
        let socket = try ZMQSocket(context: context, type: expectReplies ? .dealer : .pub)
        defer { socket.close() }
        // The PUB sender is done when its last send returns, with messages still queued:
        // closing must not discard them (the context outlives the socket, nothing blocks).
        try socket.linger(ms: -1)
        try socket.sendHighWaterMark(0)
        try socket.receiveHighWaterMark(0)
        try target.connect(socket)
        let body = [UInt8](repeating: 0x61, count: size)
        if let subscribersReady {
            var probe = WireSubmit()
            probe.header.id = "probe"
            while !subscribersReady() {
                try socket.send(bytes: WireProtocol.frame(.submit(probe)), more: true)
                try socket.send(bytes: [])
                usleep(5_000)
            }
        }
        var header = WireHeader()
        header.type = "bench.Data"
        header.recipients = recipients
        var sendTimes = rate == nil ? [] : [UInt64](repeating: 0, count: count)
        var histogram = rate == nil ? nil : Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        let poller = ZMQPoller(items: [ZMQPoll.Item(socket: socket, events: .pollIn)])
        let start = DispatchTime.now().uptimeNanoseconds
        let interval = rate.map { UInt64(1e9 / $0) } ?? 0
        var sent = 0
        var replies = 0
        while replies < (expectReplies ? count : 0) || sent < count {
            let now = DispatchTime.now().uptimeNanoseconds
            while batch > 1 && sent < count && sent - replies < window {
                try sendBatch(socket, header: &header, ids: ids, from: sent, body: body)
                sent = min(count, sent + batch)
            }
            while batch <= 1 && sent < count && (!expectReplies || sent - replies < window) {
                if interval > 0 && start + UInt64(sent) * interval > now { break }
                header.id = ids[sent]
                var submit = WireSubmit()
                submit.header = header
                if interval > 0 { sendTimes[sent] = start + UInt64(sent) * interval }
                try socket.send(bytes: WireProtocol.frame(.submit(submit)), more: true)
                try socket.send(bytes: body)
                sent += 1
            }
            guard expectReplies else { continue }
            let wait = interval > 0 ? 1 : 100
            guard try poller.poll(timeoutMs: wait) > 0 else { continue }
            while let frames = try socket.receiveMultipart(dontWait: true) {
                if batch > 1 {
                    replies += try batchAnswered(frames)
                    continue
                }
                replies += 1
                if interval > 0, let index = replyIndex(frames) {
                    _ = histogram?.record((DispatchTime.now().uptimeNanoseconds - sendTimes[index]) / 1000)
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Result(seconds: seconds, latency: histogram)
    }

    /// Sends the SUBMIT_BATCH of messages `from..<from + batch` (fewer at the end).
    private func sendBatch(_ socket: ZMQSocket, header: inout WireHeader, ids: [String], from first: Int, body: [UInt8]) throws {
        let end = min(count, first + batch)
        var submit = WireSubmitBatch()
        submit.batch = UInt64(first / batch + 1)
        submit.headers.reserveCapacity(end - first)
        for index in first..<end {
            header.id = ids[index]
            submit.headers.append(header)
        }
        submit.bodySizes = Array(repeating: UInt32(body.count), count: end - first)
        var bodies: [UInt8] = []
        bodies.reserveCapacity(body.count * (end - first))
        for _ in first..<end { bodies.append(contentsOf: body) }
        try socket.send(bytes: WireProtocol.frame(.submitBatch(submit)), more: true)
        try socket.send(bytes: bodies)
    }

    /// How many messages an answer to a SUBMIT_BATCH answers; a refused entry or batch stops the run.
    private func batchAnswered(_ frames: [ZMQMessage]) throws -> Int {
        guard let first = frames.first else { return 0 }
        switch try WireCommand(serializedBytes: first.bytes).kind {
        case .acceptedBatch(let answer):
            if let refused = answer.results.first(where: { $0.error.code != 0 }) {
                throw BenchError("the hub refused a batch entry: \(refused.error.code) \(refused.error.reason)")
            }
            return answer.results.count
        case .error(let error):
            throw BenchError("the hub refused a batch: \(error.code) \(error.reason)")
        default:
            return 0
        }
    }

    /// The index of the message a reply answers: ACCEPTED from the hub, the echoed SUBMIT
    /// from the baseline's receiver.
    private func replyIndex(_ frames: [ZMQMessage]) -> Int? {
        guard let first = frames.first, let command = try? WireCommand(serializedBytes: first.bytes) else { return nil }
        let id: String
        switch command.kind {
        case .accepted(let accepted): id = accepted.id
        case .submit(let submit): id = submit.header.id
        default: return nil
        }
        return BenchMessageId.index(of: id, prefix: idPrefix).flatMap { $0 < count ? $0 : nil }
    }
}

/// The bench's receiver. Against the hub it says HELLO and acknowledges every 100
/// deliveries (and at the end); against the router-dealer baseline it echoes each message's
/// command frame back to the sender; against the fan-out baseline it is a SUB.
struct BenchReceiver: Sendable {
    enum Mode: Sendable { case hub, echo, subscriber }

    var target: BenchEndpoint
    var mode: Mode
    var expected: Int
    var idPrefix: String
    /// Counts subscribers that have seen their first message (fan-out baseline only).
    var seen: BenchCounter?
    /// Against the hub: the most deliveries per DELIVER_BATCH to ask for (0: one DELIVER each).
    var batchDeliveries: UInt32 = 0

    /// Connects and, for the hub, waits for WELCOME; then `ready` is signalled and the
    /// receiver counts until it has `expected` messages of its run. Returns when done.
    func run(context: ZMQContext, ready: DispatchSemaphore) throws {
        let socket = try ZMQSocket(context: context, type: mode == .subscriber ? .sub : .dealer)
        defer { socket.close() }
        try socket.linger(ms: 1000)
        try socket.receiveHighWaterMark(0)
        try socket.sendHighWaterMark(0)
        try socket.receiveTimeout(ms: 30_000)
        if mode == .subscriber { try socket.subscribe([]) }
        try target.connect(socket)
        if mode == .hub {
            var hello = WireHello()
            hello.receive = true
            hello.credit = 1000
            hello.client = "swhub-bench"
            hello.batchDeliveries = batchDeliveries
            try socket.send(bytes: WireProtocol.frame(.hello(hello)))
            guard let welcome = try socket.receive(), case .welcome = try WireCommand(serializedBytes: welcome.bytes).kind else {
                throw BenchError("the hub did not answer HELLO with WELCOME")
            }
        }
        ready.signal()
        // Each message's id and seq read in place (CommandScan), as a client that only
        // counts reads them, in every mode alike: the hub's receivers and the baselines'.
        let prefix = Array(idPrefix.utf8)
        var received = 0
        var lastSeq: UInt64 = 0
        var ackedSeq: UInt64 = 0
        var sawFirst = false
        while received < expected {
            guard let frames = try socket.receiveMultipart() else {
                throw BenchError("receiver timed out after \(received) of \(expected) messages")
            }
            switch mode {
            case .hub:
                guard frames.count == 2 else { continue }
                let scan = try Self.scan(frames[0].bytes, prefix)
                guard scan.kind == .deliver || scan.kind == .deliverBatch, scan.headers > 0 else { continue }
                lastSeq = scan.lastSeq
                received += scan.matching
                if lastSeq - ackedSeq >= 100 || received == expected {
                    var ack = WireAck()
                    ack.seq = lastSeq
                    try socket.send(bytes: WireProtocol.frame(.ack(ack)))
                    ackedSeq = lastSeq
                }
            case .echo:
                // [sender routing id, command, body] → [sender routing id, command]
                guard frames.count == 3, case let scan = try Self.scan(frames[1].bytes, prefix), scan.kind == .submit else { continue }
                received += scan.matching
                try socket.send(frames[0], more: true)
                try socket.send(frames[1])
            case .subscriber:
                if !sawFirst {
                    sawFirst = true
                    seen?.increment()
                }
                guard frames.count == 2, case let scan = try Self.scan(frames[0].bytes, prefix), scan.kind == .submit else { continue }
                received += scan.matching
            }
        }
    }
}

extension BenchReceiver {
    /// The scan of a command frame; a frame that is not protobuf ends the run.
    fileprivate static func scan(_ frame: [UInt8], _ prefix: [UInt8]) throws -> CommandScan {
        guard let scan = CommandScan(frame, idPrefix: prefix) else { throw BenchError("a frame that is not a command") }
        return scan
    }
}

/// A counter shared by bench threads.
final class BenchCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
