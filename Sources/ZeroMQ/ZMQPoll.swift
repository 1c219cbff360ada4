import CZeroMQ

/// Waiting on several sockets at once (`zmq_poll`).
///
/// For a loop that polls the same sockets again and again, ``ZMQPoller`` keeps its
/// item array between calls and allocates nothing per poll.
public enum ZMQPoll {
    /// The events to wait for, or that occurred (`ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`).
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int16

        /// Creates a set from `zmq_pollitem_t` event bits.
        /// - Parameters:
        ///   - rawValue: The bits.
        public init(rawValue: Int16) { self.rawValue = rawValue }

        /// At least one message can be received without blocking.
        public static let pollIn = Events(rawValue: Int16(ZMQ_POLLIN))
        /// At least one message can be sent without blocking.
        public static let pollOut = Events(rawValue: Int16(ZMQ_POLLOUT))
        /// An error condition (only reported for raw file descriptors).
        public static let pollErr = Events(rawValue: Int16(ZMQ_POLLERR))
    }

    /// One socket and the events to wait for on it.
    public struct Item: Sendable {
        /// The socket; it must be owned by the polling thread.
        public let socket: ZMQSocket
        /// The events to wait for.
        public let events: Events

        /// Creates a poll item.
        /// - Parameters:
        ///   - socket: The socket to watch.
        ///   - events: The events to wait for.
        public init(socket: ZMQSocket, events: Events) {
            self.socket = socket
            self.events = events
        }
    }

    /// Waits until at least one item has one of its events, or the timeout passes.
    ///
    /// `EINTR` is retried with the remaining time. The item array lives on the stack;
    /// only the returned array is allocated.
    /// - Parameters:
    ///   - items: The sockets and events to wait for; all sockets must be open.
    ///   - timeoutMs: Milliseconds to wait; `-1` waits forever, `0` returns at once.
    /// - Returns: The events that occurred, one entry per item, in order (empty sets
    ///   on timeout).
    public static func poll(_ items: [Item], timeoutMs: Int) throws -> [Events] {
        try withUnsafeTemporaryAllocation(of: zmq_pollitem_t.self, capacity: items.count) {
            buffer throws(ZMQError) -> [Events] in
            for (index, item) in items.enumerated() {
                let handle = try item.socket.handle(for: "zmq_poll")
                buffer.initializeElement(
                    at: index,
                    to: zmq_pollitem_t(socket: handle, fd: 0, events: item.events.rawValue, revents: 0)
                )
            }
            _ = try zmqPoll(buffer.baseAddress, count: items.count, timeoutMs: timeoutMs)
            return buffer.map { Events(rawValue: $0.revents) }
        }
    }
}
