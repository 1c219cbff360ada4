import Foundation
import HubLifecycle
import HubThreads
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Parts as services in one ordered `ServiceGroup`: a part whose loop dies fails the group
/// and the others are stopped in reverse order; a graceful shutdown stops them in reverse
/// order too and the group ends without error.
@Suite("ThreadLoopService in a ServiceGroup", .timeLimit(.minutes(1)))
struct ThreadLoopServiceTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "boom" }
    }

    /// Records the order in which parts' bodies end.
    final class Log: Sendable {
        private let entries = Mutex<[String]>([])

        func append(_ entry: String) { entries.withLock { $0.append(entry) } }

        var all: [String] { entries.withLock { $0 } }
    }

    /// A part that runs until asked, then logs its name.
    static func steady(_ name: String, _ log: Log, started: Log? = nil) -> ThreadLoopService {
        ThreadLoopService(ThreadLoop(name: name)) { loop in
            started?.append(name)
            while !loop.isStopRequested { usleep(1000) }
            log.append(name)
        }
    }

    static func group(_ services: [ThreadLoopService]) -> ServiceGroup {
        ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
    }

    @Test func aLoopThatThrowsFailsTheGroupAndTheOthersStopInReverseOrder() async throws {
        let stopped = Log()
        let started = Log()
        let dies = ThreadLoopService(ThreadLoop(name: "dies")) { _ in
            // Dies once the others run, as a router thread would whose socket failed.
            while started.all.count < 3 { usleep(1000) }
            throw Boom()
        }
        let group = Self.group([
            Self.steady("first", stopped, started: started), Self.steady("second", stopped, started: started), dies,
            Self.steady("last", stopped, started: started),
        ])
        do {
            try await group.run()
            Issue.record("the group ended without error")
        } catch let error as LifecycleError {
            #expect(error.code == .threw)
            #expect(error.service == "dies")
            #expect(error.reason == "boom")
        }
        #expect(stopped.all == ["last", "second", "first"])
    }

    @Test func aLoopThatReturnsEarlyFailsTheGroup() async throws {
        let stopped = Log()
        let group = Self.group([Self.steady("steady", stopped), ThreadLoopService(ThreadLoop(name: "quits")) { _ in }])
        await #expect(throws: LifecycleError.self) { try await group.run() }
        #expect(stopped.all == ["steady"])
    }

    @Test func gracefulShutdownStopsThePartsInReverseOrder() async throws {
        let stopped = Log()
        let started = Log()
        let group = Self.group(["a", "b", "c"].map { Self.steady($0, stopped, started: started) })
        async let run: Void = group.run()
        try await waitUntil { started.all.count == 3 }
        await group.triggerGracefulShutdown()
        try await run
        #expect(stopped.all == ["c", "b", "a"])
    }

    @Test func cancellationStopsEveryPart() async throws {
        let stopped = Log()
        let started = Log()
        let group = Self.group(["a", "b"].map { Self.steady($0, stopped, started: started) })
        let task = Task { try await group.run() }
        try await waitUntil { started.all.count == 2 }
        task.cancel()
        _ = await task.result
        #expect(Set(stopped.all) == ["a", "b"])
    }
}

/// Polls `condition` every millisecond for up to 20 s.
func waitUntil(_ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within 20 s")
            return
        }
        try await Task.sleep(for: .milliseconds(1))
    }
}
