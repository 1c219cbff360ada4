import CZeroMQ

/// Receives the connection events of a socket (`zmq_socket_monitor`).
///
/// libzmq publishes the events on an inproc PAIR endpoint unique to this monitor; the
/// monitor connects its own PAIR socket to it. libzmq **blocks the monitored socket's
/// I/O** when that queue is full (1000 events) or when the reading PAIR is gone while
/// monitoring is still on, so: call ``next(timeoutMs:)`` regularly, ask only for the
/// events you need, and always end with ``close()`` (or let `deinit` do it), which
/// stops monitoring before closing the PAIR. A socket has at most one monitor; a new
/// one replaces the old.
///
/// `@unchecked Sendable` invariant: the monitored socket's owner creates the monitor
/// (that is when `zmq_socket_monitor` is called on its socket); the monitor may then be
/// handed, once, to the thread that reads it. From then on the PAIR socket is owned by
/// whoever calls ``next(timeoutMs:)``, and only that thread calls ``next(timeoutMs:)``
/// and ``close()``. Stopping the monitor from that thread is serialised with the
/// monitored socket's ``ZMQSocket/close()``.
public final class ZMQSocketMonitor: @unchecked Sendable {
    /// Kept alive so monitoring can be stopped on close.
    private let monitored: ZMQSocket
    /// The reading end.
    private let pair: ZMQSocket
    private var isClosed = false

    /// `ZMQ_EVENT_ALL`: the mask of every socket event.
    public static let allEvents: Int32 = ZMQ_EVENT_ALL
    /// Handshakes that failed before authentication (a protocol error, such as a CURVE
    /// HELLO this server's key cannot open, or no detail); not ZAP refusals.
    public static let handshakeFailures: Int32 = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL

    /// Starts monitoring `socket`.
    /// - Parameters:
    ///   - socket: The socket to monitor; call this on its owner thread.
    ///   - context: The socket's context (the inproc endpoint lives there).
    ///   - events: A mask of `ZMQ_EVENT_*` values; every event by default.
    /// - Throws: ``ZMQError`` with `EINVAL` if `context` is not the socket's context.
    public init(socket: ZMQSocket, context: ZMQContext, events: Int32 = ZMQSocketMonitor.allEvents) throws {
        guard socket.context === context else {
            throw ZMQError(function: "zmq_socket_monitor", errno: EINVAL)
        }
        let handle = try socket.handle(for: "zmq_socket_monitor")
        let tag = String(UInt64.random(in: .min ... .max), radix: 16)
        let endpoint = "inproc://zeromq.monitor.\(UInt(bitPattern: handle)).\(tag)"
        monitored = socket
        pair = try ZMQSocket(context: context, type: .pair)
        try zmqCall("zmq_socket_monitor") { zmq_socket_monitor(handle, endpoint, events) }
        do {
            try pair.connect(endpoint)
        } catch {
            socket.stopMonitoring()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Waits for the next event.
    /// - Parameters:
    ///   - timeoutMs: Milliseconds to wait; `-1` waits forever, `0` returns at once.
    /// - Returns: The event, or `nil` if none arrived in time.
    /// - Throws: ``ZMQError`` on failure (`ETERM` after context shutdown, `ENOTSOCK`
    ///   after ``close()``, `EPROTO` for a malformed event).
    public func next(timeoutMs: Int) throws -> MonitorEvent? {
        let handle = try pair.handle(for: "zmq_poll")
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        guard try zmqPoll(&item, count: 1, timeoutMs: timeoutMs) > 0 else { return nil }
        guard let frames = try pair.receiveMultipart(dontWait: true) else { return nil }
        guard let event = MonitorEvent.parse(frames) else {
            throw ZMQError(function: "ZMQSocketMonitor.next", errno: EPROTO)
        }
        return event
    }

    /// Stops monitoring the socket (if it is still open) and closes the PAIR socket.
    /// Idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        monitored.stopMonitoring()
        pair.close()
    }
}
