import Dispatch
import HubStore
import NIOCore
import Synchronization

/// Waits for postgres-nio's futures from the hub's own threads, never longer than a
/// deadline: a server that died without closing the connection (its machine lost, a
/// network cut), or a connection postgres-nio never fails, must not hold a hub thread (the
/// writer, a reader, the cluster's heartbeat) forever. The wait is on a semaphore, not on
/// the event loop, so it ends even if the loop itself is stuck.
enum PostgresWait {
    /// The future's value, or ``StoreError`` `unavailable` when it has not completed within
    /// `limit` (the caller then drops the connection).
    static func result<T: Sendable>(of future: EventLoopFuture<T>, within limit: Duration, what: String) throws -> T {
        let box = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { result in
            box.withLock { $0 = result }
            done.signal()
        }
        let nanoseconds = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
        guard done.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds))) == .success,
            let result = box.withLock({ $0 })
        else {
            throw StoreError(code: .unavailable, reason: "\(what): no answer within \(limit) (the server or the network is gone)")
        }
        return try result.get()
    }
}
