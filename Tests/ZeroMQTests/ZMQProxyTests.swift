import Foundation
import Testing
import ZeroMQ

@Suite struct ZMQProxyTests {
    /// client DEALER → frontend ROUTER → backend DEALER → worker DEALER, and back.
    @Test func proxyForwardsAndStopsOnTerminate() throws {
        let context = try ZMQContext()
        let frontend = try makeSocket(context, .router)
        let frontendEndpoint = try bindLoopback(frontend)
        let backend = try makeSocket(context, .dealer)
        try backend.bind("inproc://backend")
        let control = try makeSocket(context, .pair)
        try control.bind("inproc://control")

        let outcome = Locked<String>("running")
        let proxy = BackgroundThread {
            do {
                try ZMQProxy.run(frontend: frontend, backend: backend, control: control)
                outcome.value = "stopped"
            } catch {
                outcome.value = "\(error)"
            }
            frontend.close()
            backend.close()
            control.close()
        }

        let worker = try makeSocket(context, .dealer)
        try worker.connect("inproc://backend")
        let client = try makeSocket(context, .dealer)
        try client.connect(frontendEndpoint)
        try client.sendMultipart(["job".utf8Bytes, [1]])

        let job = try #require(try worker.receiveMultipart())
        #expect(job.count == 3, "the frontend ROUTER prepends the client's routing id")
        #expect(job.dropFirst().map(\.bytes) == ["job".utf8Bytes, [1]])
        try worker.sendMultipart([job[0].bytes, "done".utf8Bytes])
        #expect(try client.receiveMultipart()?.map(\.bytes) == ["done".utf8Bytes])

        let steer = try makeSocket(context, .pair)
        try steer.connect("inproc://control")
        try steer.send(bytes: "TERMINATE".utf8Bytes)
        #expect(proxy.join(timeoutSeconds: 5))
        #expect(outcome.value == "stopped")
    }
}
