import Foundation
import Testing
import ZeroMQ

@Suite struct ZMQSocketTests {
    @Test func dealerRouterMultipartRoundTrip() throws {
        let context = try ZMQContext()
        let router = try makeSocket(context, .router)
        let endpoint = try bindLoopback(router)
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":*"))

        let dealer = try makeSocket(context, .dealer)
        try dealer.routingId([0x41, 0x42])
        try dealer.connect(endpoint)
        #expect(try dealer.sendMultipart(["a".utf8Bytes, [], [0, 1, 2]]))

        let request = try #require(try router.receiveMultipart())
        #expect(request.map(\.bytes) == [[0x41, 0x42], "a".utf8Bytes, [], [0, 1, 2]])
        #expect(request.dropLast().allSatisfy { $0.more })
        #expect(request.last?.more == false)
        #expect(request.last?.metadata("Peer-Address") == "127.0.0.1")

        #expect(try router.sendMultipart([request[0].bytes, "reply".utf8Bytes]))
        let first = try #require(try dealer.receive())
        #expect(first.bytes == "reply".utf8Bytes)
        #expect(!dealer.hasMore)
        #expect(try dealer.receive(dontWait: true) == nil)
    }

    @Test func sendMovesMessageAndCopySharesContent() throws {
        let context = try ZMQContext()
        let pull = try makeSocket(context, .pull)
        try pull.bind("inproc://copy")
        let push = try makeSocket(context, .push)
        try push.connect("inproc://copy")

        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        let original = ZMQMessage(bytes: payload)
        let copy = try original.copy()
        let originalBase = original.withUnsafeBytes { $0.baseAddress }
        let copyBase = copy.withUnsafeBytes { $0.baseAddress }
        #expect(originalBase == copyBase, "zmq_msg_copy must share the payload")
        #expect(copy.bytes == payload)

        #expect(try push.send(copy))
        #expect(copy.count == 0, "a sent message is empty")
        #expect(original.bytes == payload, "the original keeps its content")
        #expect(try push.send(buffer: UnsafeRawBufferPointer(start: nil, count: 0)))

        let received = try #require(try pull.receive())
        #expect(received.bytes == payload)
        #expect(try pull.receive()?.count == 0)
    }

    @Test func pollTimesOutThenReportsInput() throws {
        let context = try ZMQContext()
        let pull = try makeSocket(context, .pull)
        try pull.bind("inproc://poll")
        let push = try makeSocket(context, .push)
        try push.connect("inproc://poll")

        let start = ContinuousClock.now
        let idle = try ZMQPoll.poll([.init(socket: pull, events: .pollIn)], timeoutMs: 50)
        #expect(idle == [[]])
        #expect(ContinuousClock.now - start >= .milliseconds(40))

        let poller = ZMQPoller(items: [.init(socket: pull, events: .pollIn), .init(socket: push, events: .pollOut)])
        #expect(try poller.poll(timeoutMs: 0) == 1)
        #expect(poller.revents(0) == [])
        #expect(poller.revents(1) == .pollOut)

        try push.send(bytes: [7])
        let ready = try ZMQPoll.poll([.init(socket: pull, events: .pollIn)], timeoutMs: 1000)
        #expect(ready == [.pollIn])
        poller.setEvents(.pollIn, at: 1)
        #expect(try poller.poll(timeoutMs: 1000) == 1)
        #expect(poller.revents(0) == .pollIn)
        #expect(try pull.receive()?.bytes == [7])
    }

    @Test func routerMandatoryUnknownPeerThrowsHostUnreachable() throws {
        let context = try ZMQContext()
        let router = try makeSocket(context, .router)
        try router.routerMandatory(true)
        try router.sendHighWaterMark(5)
        #expect(try router.getOptionInt32(23) == 5, "ZMQ_SNDHWM reads back")
        try router.bind("inproc://mandatory")
        let error = #expect(throws: ZMQError.self) {
            try router.sendMultipart([[1, 2, 3], "lost".utf8Bytes])
        }
        #expect(error?.isHostUnreachable == true)
        #expect(error?.function == "zmq_send")
    }

    @Test func dontWaitReturnsFalseWhenPeerIsFull() throws {
        let context = try ZMQContext()
        let lonely = try makeSocket(context, .push)
        try lonely.immediate(true)
        #expect(try lonely.send(bytes: [1], dontWait: true) == false, "no peer: EAGAIN, not thrown")

        let pull = try makeSocket(context, .pull)
        try pull.receiveHighWaterMark(1)
        try pull.bind("inproc://full")
        let push = try makeSocket(context, .push)
        try push.sendHighWaterMark(1)
        try push.connect("inproc://full")

        var accepted = 0
        while accepted < 1000, try push.send(bytes: [UInt8(truncatingIfNeeded: accepted)], dontWait: true) {
            accepted += 1
        }
        #expect(accepted >= 1)
        #expect(accepted < 1000, "the high-water mark must stop a non-blocking send")
        #expect(try push.sendMultipart([[9]], dontWait: true) == false)
        #expect(try pull.receive()?.bytes == [0])
    }

    @Test func errorsCarryFunctionAndErrno() throws {
        let context = try ZMQContext()
        let first = try makeSocket(context, .pull)
        let endpoint = try bindLoopback(first)
        let second = try makeSocket(context, .pull)
        let error = try #require(#expect(throws: ZMQError.self) { try second.bind(endpoint) })
        #expect(error.errno == EADDRINUSE)
        #expect(error.description == "zmq_bind: Address already in use (errno \(EADDRINUSE))")
        #expect(!error.isAgain && !error.isTerminated && !error.isInterrupted)

        second.close()
        second.close()
        let closed = #expect(throws: ZMQError.self) { try second.connect(endpoint) }
        #expect(closed?.errno == ENOTSOCK)
        #expect(ZMQLibrary.version.major == 4)
    }

    @Test func contextShutdownWakesBlockedReceive() throws {
        let context = try ZMQContext()
        let pull = try makeSocket(context, .pull, receiveTimeoutMs: -1)
        try pull.bind("inproc://shutdown")
        let outcome = Locked<String>("still blocked")
        let thread = BackgroundThread {
            do {
                _ = try pull.receive()
                outcome.value = "returned"
            } catch let error as ZMQError {
                outcome.value = error.isTerminated ? "terminated" : error.description
            } catch {
                outcome.value = "\(error)"
            }
            pull.close()
        }
        Thread.sleep(forTimeInterval: 0.05)
        context.shutdown()
        #expect(thread.join(timeoutSeconds: 5))
        #expect(outcome.value == "terminated")
    }

    @Test func monitorReportsListening() throws {
        let context = try ZMQContext()
        let router = try makeSocket(context, .router)
        let monitor = try ZMQSocketMonitor(socket: router, context: context)
        let endpoint = try bindLoopback(router)
        let event = try #require(try monitor.next(timeoutMs: 2000))
        #expect(event.kind == .listening)
        #expect(event.endpoint == endpoint)
        #expect(try monitor.next(timeoutMs: 0) == nil)
        monitor.close()
        monitor.close()
        #expect(throws: ZMQError.self) { try monitor.next(timeoutMs: 0) }
        #expect(MonitorEvent.Kind(event: 0x4000) == .handshakeFailedAuth)
        #expect(MonitorEvent.Kind(event: 0x10000) == .unknown(0x10000))
    }
}
