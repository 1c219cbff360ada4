import CZeroMQ

// Every libzmq call goes through one of these helpers, the way swift-nio's
// NIOPosix/System.swift wraps syscalls: retry on EINTR, surface EAGAIN where the
// caller asks for it, otherwise throw a ZMQError naming the function.

/// Calls a libzmq function that returns `-1` on failure.
/// - Parameters:
///   - function: The C function's name, used in the error.
///   - body: The call; it is repeated while it fails with `EINTR`.
/// - Returns: The function's non-negative result.
@inline(__always)
@discardableResult
func zmqCall(_ function: String, _ body: () -> Int32) throws(ZMQError) -> Int32 {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = zmq_errno()
        if code == EINTR { continue }
        throw ZMQError(function: function, errno: code)
    }
}

/// Like ``zmqCall(_:_:)`` but returns `nil` when the call fails with `EAGAIN`.
/// - Parameters:
///   - function: The C function's name, used in the error.
///   - body: The call; it is repeated while it fails with `EINTR`.
/// - Returns: The function's non-negative result, or `nil` on `EAGAIN`.
@inline(__always)
func zmqCallUnlessAgain(_ function: String, _ body: () -> Int32) throws(ZMQError) -> Int32? {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = zmq_errno()
        if code == EINTR { continue }
        if code == EAGAIN { return nil }
        throw ZMQError(function: function, errno: code)
    }
}

/// Calls a libzmq function that returns `NULL` on failure.
/// - Parameters:
///   - function: The C function's name, used in the error.
///   - body: The call; it is repeated while it fails with `EINTR`.
/// - Returns: The non-null pointer.
@inline(__always)
func zmqPointerCall(
    _ function: String,
    _ body: () -> UnsafeMutableRawPointer?
) throws(ZMQError) -> UnsafeMutableRawPointer {
    while true {
        if let pointer = body() { return pointer }
        let code = zmq_errno()
        if code == EINTR { continue }
        throw ZMQError(function: function, errno: code)
    }
}

/// The send/receive flags for `more` and `dontWait`.
@inline(__always)
func zmqFlags(more: Bool = false, dontWait: Bool) -> Int32 {
    (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
}

/// Decodes a NUL-terminated C string held in a buffer (up to the first NUL or the end).
func stringFromCBuffer(_ buffer: [CChar]) -> String {
    let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
    return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Calls `zmq_poll`, retrying on `EINTR` with the time that is left of `timeoutMs`.
/// - Parameters:
///   - items: The poll items (may be `nil` when `count` is 0).
///   - count: The number of items.
///   - timeoutMs: Milliseconds to wait; `-1` waits forever, `0` returns at once.
/// - Returns: The number of items with events.
func zmqPoll(
    _ items: UnsafeMutablePointer<zmq_pollitem_t>?,
    count: Int,
    timeoutMs: Int
) throws(ZMQError) -> Int {
    let clock = ContinuousClock()
    let deadline = timeoutMs > 0 ? clock.now.advanced(by: .milliseconds(timeoutMs)) : nil
    var timeout = timeoutMs
    while true {
        let result = zmq_poll(items, Int32(count), timeout)
        if result >= 0 { return Int(result) }
        let code = zmq_errno()
        guard code == EINTR else { throw ZMQError(function: "zmq_poll", errno: code) }
        if let deadline {
            timeout = clock.now.duration(to: deadline).pollMilliseconds
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, never negative: a timeout for `zmq_poll` and the
    /// like.
    public var pollMilliseconds: Int {
        let parts = components
        return max(0, Int(parts.seconds) * 1000 + Int(parts.attoseconds / 1_000_000_000_000_000))
    }
}
