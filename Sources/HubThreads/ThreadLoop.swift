import Foundation

/// A body that must own a blocking resource (a ZeroMQ socket, a SQLite connection, a
/// condition it waits on) for its whole life, run on a dedicated, named thread.
///
/// The loop starts at most once, can be asked to stop from any thread, can be joined
/// (blocking or `async`), and reports how its body ended: by request, or unexpectedly (the
/// body returned before anyone asked it to stop, or threw). `HubLifecycle`'s
/// `ThreadLoopService` runs one as a swift-service-lifecycle `Service`; this module depends
/// on nothing, so the client SDK uses it too.
///
/// Every operation is idempotent: `start` after `start` does nothing; `requestStop` before
/// `start` ends the loop at once without running the body (and a later `start` does nothing),
/// so `stop()` never waits for a loop that was never started.
///
/// The body checks ``isStopRequested`` between turns. A body that sleeps or waits on a
/// condition passes a `wake` closure to ``init(name:wake:)``: it runs once, on the thread that
/// asked for the stop, right after ``isStopRequested`` became true. Take the waiter's lock in
/// it before signalling, and read ``isStopRequested`` with that lock held before waiting, so
/// the wake-up cannot be lost.
///
/// Invariant behind `@unchecked Sendable`: `state` is touched only with `condition` locked;
/// `name` and `wake` are immutable.
public final class ThreadLoop: @unchecked Sendable {
    /// How a loop's body ended.
    public enum Ending: Sendable, Equatable, CustomStringConvertible {
        /// It returned after a stop was requested (or it never started and a stop was requested).
        case requested
        /// It returned before anyone asked it to stop.
        case returnedEarly
        /// It threw; the error's description.
        case threw(String)

        /// Whether the body ended without having been asked to.
        public var isUnexpected: Bool { self != .requested }

        public var description: String {
            switch self {
            case .requested: "stopped on request"
            case .returnedEarly: "returned before a stop was requested"
            case .threw(let error): "threw: \(error)"
            }
        }
    }

    private enum Phase {
        case idle
        case running
        case ended(Ending)
    }

    private struct State {
        var phase = Phase.idle
        var stopRequested = false
        /// `async` joiners waiting for the end.
        var waiters: [CheckedContinuation<Ending, Never>] = []

        var ending: Ending? {
            if case .ended(let ending) = phase { return ending }
            return nil
        }
    }

    /// The loop's name in errors and logs, and its thread's name (seen in debuggers,
    /// `top -H`, crash reports; the system keeps the first 15 bytes).
    public let name: String
    private let wake: (@Sendable () -> Void)?
    private let condition = NSCondition()
    private var state = State()

    /// Prepares a loop; no thread runs before ``start(_:)``.
    /// - Parameters:
    ///   - name: the thread's name, e.g. `swhub-router`; at most 15 bytes to be seen whole.
    ///   - wake: run once when a stop is requested, to wake a body that waits on something
    ///     other than a timeout it sets itself.
    public init(name: String, wake: (@Sendable () -> Void)? = nil) {
        self.name = name
        self.wake = wake
    }

    /// Starts the thread running `body`, unless the loop was started before or a stop was
    /// requested already.
    /// - Parameters:
    ///   - body: the loop; it receives this loop (for ``isStopRequested``) and should return
    ///     soon after a stop is requested. Returning earlier, or throwing, is reported as an
    ///     unexpected end.
    /// - Returns: whether this call started the thread.
    @discardableResult
    public func start(_ body: @escaping @Sendable (ThreadLoop) throws -> Void) -> Bool {
        let starts = locked { state -> Bool in
            guard case .idle = state.phase, !state.stopRequested else { return false }
            state.phase = .running
            return true
        }
        guard starts else { return false }
        let thread = Thread { [self] in
            Self.nameCurrentThread(name)
            let ending: Ending
            do {
                try body(self)
                ending = isStopRequested ? .requested : .returnedEarly
            } catch {
                ending = .threw(String(describing: error))
            }
            finish(ending)
        }
        thread.start()
        return true
    }

    /// Whether a stop was requested; the body polls it between turns.
    public var isStopRequested: Bool { locked { $0.stopRequested } }

    /// How the body ended, or nil while it runs or before it started. Never blocks.
    public var ending: Ending? { locked { $0.ending } }

    /// Asks the body to stop (and runs `wake` the first time). A loop that never started
    /// ends at once with ``Ending/requested``. Returns without waiting; see ``join()``.
    public func requestStop() {
        let (first, endedNow) = locked { state -> (Bool, [CheckedContinuation<Ending, Never>]?) in
            let first = !state.stopRequested
            state.stopRequested = true
            guard case .idle = state.phase else { return (first, nil) }
            state.phase = .ended(.requested)
            defer { state.waiters = [] }
            return (first, state.waiters)
        }
        if let endedNow {
            condition.broadcast()
            for waiter in endedNow { waiter.resume(returning: .requested) }
        }
        if first { wake?() }
    }

    /// Waits until the body has ended (or the loop was stopped before it started) and says
    /// how. Blocks the calling thread: never call it from the loop's own thread, nor from a
    /// task on the concurrency pool (use ``join()-swift.method`` `async` there).
    @discardableResult
    public func join() -> Ending {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let ending = state.ending { return ending }
            condition.wait()
        }
    }

    /// Waits, without blocking a thread, until the body has ended; says how.
    @discardableResult
    public func join() async -> Ending {
        await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
            let ended = locked { state -> Ending? in
                if let ending = state.ending { return ending }
                state.waiters.append(continuation)
                return nil
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// ``requestStop()``, then ``join()-swift.method``: returns when the body has ended.
    @discardableResult
    public func stop() -> Ending {
        requestStop()
        return join()
    }

    /// Names the calling thread for the system (at most 15 bytes are kept). On Linux, through
    /// `/proc/thread-self/comm`: Foundation's `Thread.name`, set before `start()` or even from
    /// the thread itself, did not reliably reach the system's thread name (seen in tests).
    private static func nameCurrentThread(_ name: String) {
        let bytes = Array(name.utf8.prefix(15))
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #else
        Thread.current.name = String(decoding: bytes, as: UTF8.self)
        #endif
    }

    private func finish(_ ending: Ending) {
        let waiters = locked { state -> [CheckedContinuation<Ending, Never>] in
            state.phase = .ended(ending)
            defer { state.waiters = [] }
            return state.waiters
        }
        condition.broadcast()
        for waiter in waiters { waiter.resume(returning: ending) }
    }

    private func locked<T>(_ body: (inout State) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body(&state)
    }
}
