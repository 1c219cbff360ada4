import CZeroMQ

/// A libzmq context: the I/O threads and the `inproc://` namespace shared by its sockets.
///
/// `@unchecked Sendable` invariant: libzmq contexts are thread-safe, so every method may
/// be called from any thread. The handle is immutable for the object's lifetime.
///
/// Each ``ZMQSocket`` keeps its context alive, so `deinit` (which calls `zmq_ctx_term`)
/// runs only after every socket object of the context is gone. `zmq_ctx_term` waits for
/// unsent messages according to each socket's linger (infinite by default); set
/// ``ZMQSocket/linger(ms:)`` on sockets that may hold undeliverable messages.
public final class ZMQContext: @unchecked Sendable {
    /// The `void *` context handle.
    let handle: UnsafeMutableRawPointer

    /// Creates a context.
    /// - Parameters:
    ///   - ioThreads: The number of libzmq I/O threads (`ZMQ_IO_THREADS`).
    public init(ioThreads: Int32 = 1) throws {
        let handle = try zmqPointerCall("zmq_ctx_new") { zmq_ctx_new() }
        do {
            try zmqCall("zmq_ctx_set") { zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) }
        } catch {
            _ = zmq_ctx_term(handle)
            throw error
        }
        self.handle = handle
    }

    /// Shuts the context down (`zmq_ctx_shutdown`): every blocking call on its sockets,
    /// now or later, fails with `ETERM` (``ZMQError/isTerminated``). The sockets must
    /// still be closed by their owners. Safe to call from any thread, more than once.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    deinit {
        while zmq_ctx_term(handle) == -1 && zmq_errno() == EINTR {}
    }
}
