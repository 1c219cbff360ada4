import Foundation
import HubThreads
import Synchronization
import Testing

/// The thread-loop primitive: stop and join, how a body's end is reported, idempotence.
@Suite("ThreadLoop", .timeLimit(.minutes(1)))
struct ThreadLoopTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "boom" }
    }

    /// A body that waits on a condition until stopped, woken by `wake`.
    final class Waiter: @unchecked Sendable {
        // Invariant: `turns` only with `condition` locked.
        let condition = NSCondition()
        var turns = 0

        func wake() {
            condition.lock()
            condition.signal()
            condition.unlock()
        }

        func body(_ loop: ThreadLoop) {
            condition.lock()
            defer { condition.unlock() }
            turns += 1
            while !loop.isStopRequested { condition.wait() }
        }

        var started: Bool {
            condition.lock()
            defer { condition.unlock() }
            return turns > 0
        }
    }

    @Test func stopWakesAWaitingBodyAndJoinReportsARequestedEnd() async throws {
        let waiter = Waiter()
        let loop = ThreadLoop(name: "test-waiter", wake: { waiter.wake() })
        #expect(loop.start { waiter.body($0) })
        try await waitUntil { waiter.started }
        #expect(loop.ending == nil)
        loop.requestStop()
        #expect(await loop.join() == .requested)
        #expect(await loop.join() == .requested)  // joining again returns at once
        #expect(loop.ending == .requested)
    }

    @Test func theThreadCarriesTheLoopsName() async throws {
        let seen = Mutex<String?>(nil)
        let loop = ThreadLoop(name: "test-named")
        loop.start { loop in
            seen.withLock { $0 = Self.currentThreadName() }
            while !loop.isStopRequested { usleep(1000) }
        }
        try await waitUntil { seen.withLock { $0 } != nil }
        #expect(seen.withLock { $0 } == "test-named")
        #expect(await Self.stop(loop) == .requested)
    }

    @Test func aBodyThatThrowsIsAnUnexpectedEnd() async {
        let loop = ThreadLoop(name: "test-throws")
        loop.start { _ in throw Boom() }
        let ending = await loop.join()
        #expect(ending == .threw("boom"))
        #expect(ending.isUnexpected)
    }

    @Test func aBodyThatReturnsBeforeItIsAskedIsAnUnexpectedEnd() async {
        let loop = ThreadLoop(name: "test-returns")
        loop.start { _ in }
        let ending = await loop.join()
        #expect(ending == .returnedEarly)
        #expect(ending.isUnexpected)
        // A stop requested afterwards changes nothing.
        #expect(await Self.stop(loop) == .returnedEarly)
    }

    @Test func stopBeforeStartReturnsAndTheBodyNeverRuns() async {
        let ran = Mutex(false)
        let loop = ThreadLoop(name: "test-never")
        #expect(await Self.stop(loop) == .requested)
        #expect(!loop.start { _ in ran.withLock { $0 = true } })
        #expect(loop.ending == .requested)
        #expect(!ran.withLock { $0 })
    }

    @Test func startTwiceRunsTheBodyOnce() async throws {
        let waiter = Waiter()
        let loop = ThreadLoop(name: "test-twice", wake: { waiter.wake() })
        #expect(loop.start { waiter.body($0) })
        #expect(!loop.start { waiter.body($0) })
        try await waitUntil { waiter.started }
        #expect(await Self.stop(loop) == .requested)
        #expect(!loop.start { waiter.body($0) })
        #expect(waiter.turns == 1)
    }

    @Test func aJoinerThatWaitsBeforeTheEndIsResumed() async throws {
        let waiter = Waiter()
        let loop = ThreadLoop(name: "test-joiners", wake: { waiter.wake() })
        loop.start { waiter.body($0) }
        try await waitUntil { waiter.started }
        async let first = loop.join()
        async let second = loop.join()
        loop.requestStop()
        #expect(await [first, second] == [.requested, .requested])
    }

    /// The calling thread's name as the system knows it.
    static func currentThreadName() -> String? {
        #if os(Linux)
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines)
        #else
        Thread.current.name
        #endif
    }

    /// `stop()` off the concurrency pool, as tests must call blocking joins.
    static func stop(_ loop: ThreadLoop) async -> ThreadLoop.Ending {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: loop.stop()) }
        }
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
