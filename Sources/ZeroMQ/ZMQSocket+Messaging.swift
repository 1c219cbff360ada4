import CZeroMQ

extension ZMQSocket {
    /// Sends a message frame (`zmq_msg_send`), moving its content into libzmq.
    ///
    /// After a successful send the message is empty, as with `zmq_msg_send`; on `false`
    /// or a thrown error it is unchanged and may be sent again.
    /// - Parameters:
    ///   - message: The frame; must not be read by another thread during the call.
    ///   - more: Whether more frames of the same message follow.
    ///   - dontWait: Return `false` instead of blocking when the message can't be queued.
    /// - Returns: `true` if queued, `false` on `EAGAIN` (`dontWait` or send timeout).
    @discardableResult
    public func send(_ message: ZMQMessage, more: Bool = false, dontWait: Bool = false) throws -> Bool {
        let handle = try handle(for: "zmq_msg_send")
        let flags = zmqFlags(more: more, dontWait: dontWait)
        return try zmqCallUnlessAgain("zmq_msg_send") { zmq_msg_send(message.pointer, handle, flags) } != nil
    }

    /// Sends a copy of `bytes` as one frame (`zmq_send`).
    /// - Parameters:
    ///   - bytes: The frame's content.
    ///   - more: Whether more frames of the same message follow.
    ///   - dontWait: Return `false` instead of blocking when the message can't be queued.
    /// - Returns: `true` if queued, `false` on `EAGAIN`.
    @discardableResult
    public func send(bytes: [UInt8], more: Bool = false, dontWait: Bool = false) throws -> Bool {
        try bytes.withUnsafeBytes { buffer in
            try send(buffer: buffer, more: more, dontWait: dontWait)
        }
    }

    /// Sends a copy of `buffer` as one frame (`zmq_send`); the buffer is not retained.
    /// - Parameters:
    ///   - buffer: The frame's content.
    ///   - more: Whether more frames of the same message follow.
    ///   - dontWait: Return `false` instead of blocking when the message can't be queued.
    /// - Returns: `true` if queued, `false` on `EAGAIN`.
    @discardableResult
    public func send(buffer: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws -> Bool {
        let handle = try handle(for: "zmq_send")
        let flags = zmqFlags(more: more, dontWait: dontWait)
        return try zmqCallUnlessAgain("zmq_send") {
            zmq_send(handle, buffer.baseAddress, buffer.count, flags)
        } != nil
    }

    /// Sends all frames as one multipart message.
    ///
    /// Only the first frame can report `EAGAIN`: libzmq accepts the rest of a message
    /// once its first frame is queued. Should a later frame fail anyway, the error is
    /// thrown (for `EAGAIN` with ``ZMQError/isAgain``).
    /// - Parameters:
    ///   - frames: At least one frame; an empty array throws `EINVAL`.
    ///   - dontWait: Return `false` instead of blocking when the message can't be queued.
    /// - Returns: `true` if queued, `false` if the first frame hit `EAGAIN`.
    @discardableResult
    public func sendMultipart(_ frames: [[UInt8]], dontWait: Bool = false) throws -> Bool {
        guard !frames.isEmpty else { throw ZMQError(function: "zmq_send", errno: EINVAL) }
        let last = frames.count - 1
        for (index, frame) in frames.enumerated() {
            let sent = try send(bytes: frame, more: index < last, dontWait: dontWait)
            if !sent {
                if index == 0 { return false }
                throw ZMQError(function: "zmq_send", errno: EAGAIN)
            }
        }
        return true
    }

    /// Receives one frame without copying its content (`zmq_msg_recv`).
    /// - Parameters:
    ///   - dontWait: Return `nil` at once if nothing is queued.
    /// - Returns: The frame, or `nil` on `EAGAIN` (`dontWait` or receive timeout).
    public func receive(dontWait: Bool = false) throws -> ZMQMessage? {
        let handle = try handle(for: "zmq_msg_recv")
        let flags = zmqFlags(dontWait: dontWait)
        let message = ZMQMessage()
        guard try zmqCallUnlessAgain("zmq_msg_recv", { zmq_msg_recv(message.pointer, handle, flags) }) != nil else {
            return nil
        }
        return message
    }

    /// Receives every frame of one message.
    ///
    /// The frames after the first are already queued (libzmq delivers messages
    /// atomically), so only the first frame can time out.
    /// - Parameters:
    ///   - dontWait: Return `nil` at once if nothing is queued.
    /// - Returns: The frames, or `nil` if the first frame hit `EAGAIN`.
    public func receiveMultipart(dontWait: Bool = false) throws -> [ZMQMessage]? {
        guard let first = try receive(dontWait: dontWait) else { return nil }
        var frames = [first]
        var more = first.more
        while more {
            guard let next = try receive() else { throw ZMQError(function: "zmq_msg_recv", errno: EAGAIN) }
            more = next.more
            frames.append(next)
        }
        return frames
    }

    /// Whether the last frame received has more frames after it (`ZMQ_RCVMORE`);
    /// `false` if the socket is closed.
    public var hasMore: Bool {
        (try? getOptionInt32(ZMQ_RCVMORE)) ?? 0 != 0
    }
}
