import Foundation
import Synchronization
import ZeroMQ

/// The transport floor of the tap case: the CPU libzmq alone spends to carry tap copies to
/// three CURVE subscribers, with no hub in the way. An XPUB socket of this process (CURVE
/// server, `ZMQ_XPUB_NODROP`, its own context and I/O thread, as the hub's tap) sends
/// messages of 64 copies' worth of bytes (the tap's batches) to three SUB sockets (CURVE
/// clients, one context and I/O thread for the three, one thread each, as `BenchTaps`), and
/// the CPU this process uses meanwhile — encryption, decryption, both kernels' TCP — is
/// divided by the copies each subscriber received: the CPU of one routed message's three
/// copies.
enum BenchTapFloor {
    /// CPU seconds per copy of `copyBytes` bytes delivered to each of the three subscribers
    /// (three copies in all), measured over `copies` copies per subscriber.
    static func cpuPerThreeCopies(copyBytes: Int, copies: Int) throws -> Double {
        let batchBytes = max(1, copyBytes) * 64
        let messages = max(1, copies / 64)
        let publisherContext = try ZMQContext(ioThreads: 1)
        let subscriberContext = try ZMQContext(ioThreads: 1)
        defer {
            publisherContext.shutdown()
            subscriberContext.shutdown()
        }
        let serverKeys = try CurveKeyPair.generate()
        let publisher = try ZMQSocket(context: publisherContext, type: .xpub)
        defer { publisher.close() }
        try publisher.makeCurveServer(secretKey: serverKeys.secretKey)
        try publisher.xpubNoDrop(true)
        try publisher.sendHighWaterMark(200)
        try publisher.linger(ms: 0)
        try publisher.bind("tcp://127.0.0.1:*")
        let endpoint = try publisher.lastEndpoint()

        // Per subscriber: full-size messages received, and whether it has received anything.
        let received = Mutex((full: [0, 0, 0], any: [false, false, false]))
        let stopping = Atomic<Bool>(false)
        let done = DispatchGroup()
        for index in 0..<3 {
            let keys = try CurveKeyPair.generate()
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do {
                    let socket = try ZMQSocket(context: subscriberContext, type: .sub)
                    defer { socket.close() }
                    try socket.linger(ms: 0)
                    try socket.receiveHighWaterMark(1_000)
                    try socket.makeCurveClient(keyPair: keys, serverPublicKey: serverKeys.publicKey)
                    try socket.subscribe([])
                    try socket.connect(endpoint)
                    let poller = ZMQPoller(items: [ZMQPoll.Item(socket: socket, events: .pollIn)])
                    while !stopping.load(ordering: .relaxed) {
                        guard try poller.poll(timeoutMs: 20) > 0 else { continue }
                        while let message = try socket.receive(dontWait: true) {
                            let full = message.count == batchBytes
                            received.withLock {
                                $0.any[index] = true
                                if full { $0.full[index] += 1 }
                            }
                        }
                    }
                } catch {
                    FileHandle.standardError.write(Data("bench tap floor subscriber: \(error)\n".utf8))
                }
            }
        }
        defer {
            stopping.store(true, ordering: .relaxed)
            done.wait()
        }
        // Subscriptions take effect asynchronously: small messages until all three receive.
        let deadline = Date().addingTimeInterval(20)
        while !received.withLock({ $0.any.allSatisfy { $0 } }) {
            guard Date() < deadline else { throw BenchError("the tap floor's subscribers received nothing") }
            _ = try publisher.send(bytes: [0], dontWait: true)
            usleep(10_000)
        }
        let payload = [UInt8](repeating: 0x5A, count: batchBytes)
        let before = BenchProcess.cpuSeconds(pid: getpid()) ?? 0
        for _ in 0..<messages {
            // NODROP: a blocking send waits for room rather than dropping.
            _ = try payload.withUnsafeBytes { try publisher.send(buffer: $0) }
        }
        while !received.withLock({ $0.full.allSatisfy { $0 >= messages } }) {
            guard Date() < deadline.addingTimeInterval(120) else { throw BenchError("the tap floor's subscribers fell behind") }
            usleep(1_000)
        }
        let after = BenchProcess.cpuSeconds(pid: getpid()) ?? 0
        return (after - before) / Double(messages * 64)
    }
}
