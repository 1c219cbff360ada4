/// A child process's exit as an event to await: the process's `terminationHandler`, set
/// before it is started, calls ``signal()``; ``wait()`` returns once it has, without holding
/// a thread meanwhile.
final class ProcessExit: Sendable {
    private let state = Locked<(exited: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// The process has exited: every waiter, now and later, goes on.
    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.exited = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the process has exited.
    func wait() async {
        await withCheckedContinuation { waiter in
            let exited = state.withLock { state -> Bool in
                if !state.exited { state.waiters.append(waiter) }
                return state.exited
            }
            if exited { waiter.resume() }
        }
    }
}
