import CZeroMQ

extension ZMQSocket {
    /// Removes a topic prefix: from a SUB socket's own subscriptions, or, on an XPUB socket
    /// in manual mode, from the subscriber whose subscription message was received last
    /// (`ZMQ_UNSUBSCRIBE`).
    /// - Parameters:
    ///   - prefix: The topic prefix.
    public func unsubscribe(_ prefix: [UInt8]) throws { try setOption(ZMQ_UNSUBSCRIBE, bytes: prefix) }

    /// XPUB manual mode (`ZMQ_XPUB_MANUAL`): every subscription message is handed to the
    /// application, and only what it then sets with ``subscribe(_:)`` / ``unsubscribe(_:)``
    /// (applied to the subscriber of the message received last) takes effect.
    /// - Parameters:
    ///   - on: Whether subscriptions are applied by hand.
    public func xpubManual(_ on: Bool) throws { try setOption(ZMQ_XPUB_MANUAL, on ? 1 : 0) }

    /// XPUB no-drop mode (`ZMQ_XPUB_NODROP`): a message for a subscriber whose queue is full
    /// is refused with `EAGAIN` (a `false` from a `dontWait` send) instead of silently dropped.
    /// - Parameters:
    ///   - on: Whether a full subscriber queue refuses the send.
    public func xpubNoDrop(_ on: Bool) throws { try setOption(ZMQ_XPUB_NODROP, on ? 1 : 0) }

    /// The kernel receive buffer of the socket's TCP connections (`ZMQ_RCVBUF`), bytes;
    /// set before connecting.
    /// - Parameters:
    ///   - bytes: The buffer size; `-1` leaves the operating system's default.
    public func kernelReceiveBuffer(_ bytes: Int32) throws { try setOption(ZMQ_RCVBUF, bytes) }
}
