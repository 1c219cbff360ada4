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

    /// Records the order in which parts' bodies start or end; a test can wait for a count.
    final class Log: Sendable {
        private struct State {
            var entries: [String] = []
            var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        }

        private let state = Mutex(State())
        /// Signalled once per entry, for a body on a thread of its own to wait on.
        let arrived = DispatchSemaphore(value: 0)

        func append(_ entry: String) {
            let ready = state.withLock { state in
                state.entries.append(entry)
                let count = state.entries.count
                defer { state.waiters.removeAll { $0.count <= count } }
                return state.waiters.filter { $0.count <= count }.map(\.continuation)
            }
            for continuation in ready { continuation.resume() }
            arrived.signal()
        }

        var all: [String] { state.withLock { $0.entries } }

        /// Returns once `count` entries are in.
        func wait(for count: Int) async {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    if state.entries.count >= count { return true }
                    state.waiters.append((count, continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }

    /// A part that runs until asked (woken by its loop's `wake`), then logs its name.
    static func steady(_ name: String, _ log: Log, started: Log? = nil) -> ThreadLoopService {
        let stop = DispatchSemaphore(value: 0)
        return ThreadLoopService(ThreadLoop(name: name, wake: { stop.signal() })) { _ in
            started?.append(name)
            stop.wait()
            log.append(name)
        }
    }

    static func group(_ services: [ThreadLoopService]) -> ServiceGroup {
        ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
    }

    @Test func aLoopThatThrowsFailsTheGroupAndTheOthersStopInReverseOrder() async throws {
        let stopped = Log()
        let started = Log()
        let dies = ThreadLoopService(ThreadLoop(name: "dies")) { _ in
            // Dies once the others run, as a router thread would whose socket failed.
            for _ in 0..<3 { started.arrived.wait() }
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
        await started.wait(for: 3)
        await group.triggerGracefulShutdown()
        try await run
        #expect(stopped.all == ["c", "b", "a"])
    }

    @Test func cancellationStopsEveryPart() async throws {
        let stopped = Log()
        let started = Log()
        let group = Self.group(["a", "b"].map { Self.steady($0, stopped, started: started) })
        let task = Task { try await group.run() }
        await started.wait(for: 2)
        task.cancel()
        _ = await task.result
        #expect(Set(stopped.all) == ["a", "b"])
    }
}
