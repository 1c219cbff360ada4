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

    /// A body that waits on a condition until stopped, woken by `wake`; a test waits for it
    /// to start with `waitStarted()` (resumed by the body itself, no polling).
    final class Waiter: @unchecked Sendable {
        // Invariant: `turns`, `threadName` and `startWaiters` only with `condition` locked.
        let condition = NSCondition()
        var turns = 0
        var threadName: String?
        private var startWaiters: [CheckedContinuation<Void, Never>] = []

        func wake() {
            condition.lock()
            condition.signal()
            condition.unlock()
        }

        func body(_ loop: ThreadLoop) {
            condition.lock()
            turns += 1
            threadName = ThreadLoopTests.currentThreadName()
            let waiters = startWaiters
            startWaiters = []
            condition.unlock()
            for waiter in waiters { waiter.resume() }
            condition.lock()
            defer { condition.unlock() }
            while !loop.isStopRequested { condition.wait() }
        }

        /// Returns once the body has started.
        func waitStarted() async {
            await withCheckedContinuation { continuation in
                condition.lock()
                let started = turns > 0
                if !started { startWaiters.append(continuation) }
                condition.unlock()
                if started { continuation.resume() }
            }
        }
    }

    @Test func stopWakesAWaitingBodyAndJoinReportsARequestedEnd() async throws {
        let waiter = Waiter()
        let loop = ThreadLoop(name: "test-waiter", wake: { waiter.wake() })
        #expect(loop.start { waiter.body($0) })
        await waiter.waitStarted()
        #expect(loop.ending == nil)
        loop.requestStop()
        #expect(await loop.join() == .requested)
        #expect(await loop.join() == .requested)  // joining again returns at once
        #expect(loop.ending == .requested)
    }

    @Test func theThreadCarriesTheLoopsName() async throws {
        let waiter = Waiter()
        let loop = ThreadLoop(name: "test-named", wake: { waiter.wake() })
        loop.start { waiter.body($0) }
        await waiter.waitStarted()
        #expect(waiter.condition.withLock { waiter.threadName } == "test-named")
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
        await waiter.waitStarted()
        #expect(await Self.stop(loop) == .requested)
        #expect(!loop.start { waiter.body($0) })
        #expect(waiter.turns == 1)
    }

    @Test func aJoinerThatWaitsBeforeTheEndIsResumed() async throws {
        let waiter = Waiter()
        let loop = ThreadLoop(name: "test-joiners", wake: { waiter.wake() })
        loop.start { waiter.body($0) }
        await waiter.waitStarted()
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
