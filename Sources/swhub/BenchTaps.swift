import Foundation
import HubProtocol
import Synchronization
import ZeroMQ

/// Tap subscribers for `swhub bench`: one thread each in the bench process, each a CURVE SUB
/// socket of an auditor party (`audit: {parties: ["*"]}`) subscribed to its whole prefix, so
/// every message routed makes one copy for each of them. They count the copies in the batches
/// they receive (without decoding them) and the highest `TapBatch.dropped` they saw.
final class BenchTaps: Sendable {
    private struct Subscriber: Sendable {
        let party: String
        let keys: CurveKeyPair
    }

    private let endpoint: String
    private let serverKey: String
    private let subscribers: [Subscriber]
    private let context: ZMQContext
    /// Per subscriber: copies received since `reset()`, highest `TapBatch.dropped` seen,
    /// batch bytes received since `reset()`.
    private let figures: Mutex<(received: [UInt64], dropped: [UInt64], bytes: [UInt64])>
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchGroup()

    init(endpoint: String, serverKey: String, parties: [(id: String, keys: CurveKeyPair)]) throws {
        self.endpoint = endpoint
        self.serverKey = serverKey
        subscribers = parties.map { Subscriber(party: $0.id, keys: $0.keys) }
        // Their own I/O thread, so decrypting the copies does not slow the bench's clients'.
        context = try ZMQContext(ioThreads: 1)
        figures = Mutex((received: parties.map { _ in 0 }, dropped: parties.map { _ in 0 }, bytes: parties.map { _ in 0 }))
    }

    /// Copies received by each subscriber since the last `reset()`.
    var received: [UInt64] { figures.withLock { $0.received } }
    /// The highest `TapBatch.dropped` each subscriber has seen.
    var droppedSeen: [UInt64] { figures.withLock { $0.dropped } }

    /// The mean size of a copy on the wire (its share of the batch frame), bytes, since `reset()`.
    var meanCopyBytes: Double {
        figures.withLock { figures in
            let copies = figures.received.reduce(0, +)
            return copies == 0 ? 0 : Double(figures.bytes.reduce(0, +)) / Double(copies)
        }
    }

    func reset() {
        figures.withLock {
            $0.received = $0.received.map { _ in 0 }
            $0.bytes = $0.bytes.map { _ in 0 }
        }
    }

    /// Connects and subscribes every subscriber, each on its own thread.
    func start() {
        for (index, subscriber) in subscribers.enumerated() {
            done.enter()
            Thread.detachNewThread { [self] in
                do { try run(subscriber, index: index) } catch {
                    FileHandle.standardError.write(Data("bench tap \(subscriber.party): \(error)\n".utf8))
                }
                done.leave()
            }
        }
    }

    /// Waits until every subscriber has received at least `count` copies since `reset()`, or
    /// none has received anything new for `idle` seconds. Returns whether all got `count`.
    func wait(for count: UInt64, idle: Double) -> Bool {
        var last = received
        var lastChange = DispatchTime.now().uptimeNanoseconds
        while !received.allSatisfy({ $0 >= count }) {
            usleep(10_000)
            let now = received
            if now != last {
                last = now
                lastChange = DispatchTime.now().uptimeNanoseconds
            } else if Double(DispatchTime.now().uptimeNanoseconds - lastChange) / 1e9 > idle {
                return false
            }
        }
        return true
    }

    /// Disconnects every subscriber and waits for their threads.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        done.wait()
        context.shutdown()
    }

    private func run(_ subscriber: Subscriber, index: Int) throws {
        let socket = try ZMQSocket(context: context, type: .sub)
        defer { socket.close() }
        try socket.linger(ms: 0)
        try socket.receiveHighWaterMark(100_000)
        try socket.makeCurveClient(keyPair: subscriber.keys, serverPublicKey: serverKey)
        try socket.connect(endpoint)
        try socket.subscribe(Array("\(subscriber.party)/".utf8))
        let poller = ZMQPoller(items: [ZMQPoll.Item(socket: socket, events: .pollIn)])
        while !stopping.load(ordering: .relaxed) {
            guard try poller.poll(timeoutMs: 50) > 0 else { continue }
            var copies: UInt64 = 0
            var bytes: UInt64 = 0
            var dropped: UInt64 = 0
            var messages = 0
            while messages < 1_000, let frames = try socket.receiveMultipart(dontWait: true) {
                guard frames.count == 2 else { throw BenchError("a tap message with \(frames.count) frames") }
                let summary = try frames[1].withUnsafeBytes { try TapBatchWriter.summary(of: $0) }
                copies += UInt64(summary.copies)
                bytes += UInt64(frames[1].count)
                dropped = max(dropped, summary.dropped)
                messages += 1
            }
            figures.withLock { figures in
                figures.received[index] += copies
                figures.bytes[index] += bytes
                figures.dropped[index] = max(figures.dropped[index], dropped)
            }
        }
    }
}
