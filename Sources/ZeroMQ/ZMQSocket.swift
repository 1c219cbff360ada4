import CZeroMQ
import Foundation

/// A libzmq socket.
///
/// `@unchecked Sendable` invariant: a socket has **one owner thread at a time** (libzmq
/// sockets are not thread-safe). It is `Sendable` only so it can be created and
/// configured on one thread and then handed, once, to the thread that owns it for the
/// rest of its life; only that thread may call its methods afterwards. The one
/// exception is internal: ``ZMQSocketMonitor/close()`` may stop monitoring from the
/// monitor's thread, which is serialised with ``close()`` by a lock.
///
/// The socket keeps its ``ZMQContext`` alive. It is closed by ``close()`` or `deinit`;
/// after closing, every operation throws `ENOTSOCK`.
public final class ZMQSocket: @unchecked Sendable {
    /// The context this socket belongs to (kept alive by this strong reference).
    let context: ZMQContext
    /// The socket type it was created with.
    let type: SocketType
    /// The `void *` socket handle; `nil` once closed.
    private var rawHandle: UnsafeMutableRawPointer?
    /// Serialises ``close()`` with cross-thread monitor shutdown.
    private let closeLock = NSLock()

    /// Creates a socket (`zmq_socket`).
    /// - Parameters:
    ///   - context: The context to create it in; kept alive by the socket.
    ///   - type: The socket pattern.
    public init(context: ZMQContext, type: SocketType) throws {
        self.context = context
        self.type = type
        self.rawHandle = try zmqPointerCall("zmq_socket") { zmq_socket(context.handle, type.zmqValue) }
    }

    deinit {
        close()
    }

    /// The live handle, or `ENOTSOCK` naming `function` if the socket is closed.
    @inline(__always)
    func handle(for function: String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let rawHandle else { throw ZMQError(function: function, errno: ENOTSOCK) }
        return rawHandle
    }

    /// Closes the socket (`zmq_close`). Idempotent.
    ///
    /// Unsent messages are kept for the socket's linger period by the context; the
    /// linger is not forced here.
    public func close() {
        closeLock.lock()
        defer { closeLock.unlock() }
        if let handle = rawHandle {
            rawHandle = nil
            _ = zmq_close(handle)
        }
    }

    /// Stops `zmq_socket_monitor` on this socket if it is still open. May be called from
    /// the monitor's thread; serialised with ``close()``.
    func stopMonitoring() {
        closeLock.lock()
        defer { closeLock.unlock() }
        if let handle = rawHandle {
            _ = zmq_socket_monitor(handle, nil, 0)
        }
    }

    /// Binds to an endpoint (`zmq_bind`), e.g. `"tcp://127.0.0.1:*"` or `"inproc://name"`.
    /// - Parameters:
    ///   - endpoint: The endpoint; read the chosen port back with ``lastEndpoint()``.
    public func bind(_ endpoint: String) throws {
        let handle = try handle(for: "zmq_bind")
        try zmqCall("zmq_bind") { zmq_bind(handle, endpoint) }
    }

    /// Connects to an endpoint (`zmq_connect`).
    /// - Parameters:
    ///   - endpoint: The endpoint to connect to.
    public func connect(_ endpoint: String) throws {
        let handle = try handle(for: "zmq_connect")
        try zmqCall("zmq_connect") { zmq_connect(handle, endpoint) }
    }

    /// Stops listening on a bound endpoint (`zmq_unbind`).
    /// - Parameters:
    ///   - endpoint: The endpoint as returned by ``lastEndpoint()``.
    public func unbind(_ endpoint: String) throws {
        let handle = try handle(for: "zmq_unbind")
        try zmqCall("zmq_unbind") { zmq_unbind(handle, endpoint) }
    }

    /// Disconnects from a connected endpoint (`zmq_disconnect`).
    /// - Parameters:
    ///   - endpoint: The endpoint passed to ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws {
        let handle = try handle(for: "zmq_disconnect")
        try zmqCall("zmq_disconnect") { zmq_disconnect(handle, endpoint) }
    }

    /// The last endpoint bound or connected (`ZMQ_LAST_ENDPOINT`), with a wildcard port
    /// resolved, e.g. `"tcp://127.0.0.1:41234"`.
    public func lastEndpoint() throws -> String {
        let handle = try handle(for: "zmq_getsockopt")
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        try zmqCall("zmq_getsockopt") { zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) }
        return stringFromCBuffer(buffer)
    }
}
