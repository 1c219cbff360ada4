import Foundation
import Testing
import ZeroMQ

/// `swhub serve` runs the hub's parts and the web monitor in one `ServiceGroup`: a part that
/// ends unexpectedly shuts the others down in order (the router drains) and the process
/// exits non-zero, so that systemd restarts it, instead of living on without it.
@Suite("swhub serve: a part that dies ends the process", .serialized, .timeLimit(.minutes(2)))
struct ServeLifecycleTests {
    /// The monitor cannot listen (its port is taken by another listener): the monitor's
    /// service fails, the hub drains and stops, and `swhub serve` exits with a failure.
    @Test func aMonitorThatCannotListenEndsTheHubWithAFailure() async throws {
        let hub = try TestHub(parties: [.init(id: "a")])
        let context = try ZMQContext()
        defer { context.shutdown() }
        let squatter = try ZMQSocket(context: context, type: .router)
        defer { squatter.close() }
        try squatter.linger(ms: 0)
        let port = try TestHub.freePort()
        try squatter.bind("tcp://127.0.0.1:\(port)")
        let config = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        try (config + "monitor:\n  listen: \"127.0.0.1:\(port)\"\n").write(toFile: hub.configPath, atomically: true, encoding: .utf8)

        // The hub binds its router before the services run, so it may listen for a moment.
        try? hub.start()
        let status = try await withTimeout(.seconds(60), "swhub serve to exit") { try await onThread { hub.waitForExit() } }
        let log = hub.log()
        #expect(status != 0, "swhub serve exited with status 0; log:\n\(log.suffix(3000))")
        #expect(log.contains("router stopped"), "the router did not drain and stop; log:\n\(log.suffix(3000))")
        #expect(log.contains("a part ended unexpectedly"), "log:\n\(log.suffix(3000))")
    }
}
