import CZeroMQ

/// A reusable `zmq_poll` set for a hot loop: the item array is allocated once, and
/// each ``poll(timeoutMs:)`` allocates nothing.
///
/// `@unchecked Sendable` invariant: like ``ZMQSocket``, a poller has one owner thread
/// at a time, the thread that owns its sockets; it is `Sendable` only so it can be
/// handed to that thread once.
public final class ZMQPoller: @unchecked Sendable {
    /// The polled sockets, kept alive and re-read before each poll so a closed socket
    /// is reported instead of polled.
    private let sockets: [ZMQSocket]
    private let items: UnsafeMutableBufferPointer<zmq_pollitem_t>

    /// Creates a poller for a fixed list of sockets.
    /// - Parameters:
    ///   - items: The sockets and the events to wait for on each.
    public init(items: [ZMQPoll.Item]) {
        sockets = items.map(\.socket)
        self.items = .allocate(capacity: items.count)
        for (index, item) in items.enumerated() {
            self.items.initializeElement(
                at: index,
                to: zmq_pollitem_t(socket: nil, fd: 0, events: item.events.rawValue, revents: 0)
            )
        }
    }

    deinit {
        items.deallocate()
    }

    /// The number of items.
    public var count: Int { items.count }

    /// Changes the events waited for on one item, e.g. to add `.pollOut` only while
    /// output is pending.
    /// - Parameters:
    ///   - events: The new events.
    ///   - index: The item's index in the `items` passed to ``init(items:)``.
    public func setEvents(_ events: ZMQPoll.Events, at index: Int) {
        items[index].events = events.rawValue
    }

    /// Waits until at least one item has one of its events, or the timeout passes.
    /// `EINTR` is retried with the remaining time.
    /// - Parameters:
    ///   - timeoutMs: Milliseconds to wait; `-1` waits forever, `0` returns at once.
    /// - Returns: The number of items with events (`0` on timeout); read them with
    ///   ``revents(_:)``.
    public func poll(timeoutMs: Int) throws -> Int {
        for index in items.indices {
            items[index].socket = try sockets[index].handle(for: "zmq_poll")
            items[index].revents = 0
        }
        return try zmqPoll(items.baseAddress, count: items.count, timeoutMs: timeoutMs)
    }

    /// The events that occurred on one item in the last ``poll(timeoutMs:)``.
    /// - Parameters:
    ///   - index: The item's index.
    public func revents(_ index: Int) -> ZMQPoll.Events {
        ZMQPoll.Events(rawValue: items[index].revents)
    }
}
