import CZeroMQ

/// One message frame: a heap-allocated `zmq_msg_t`, initialised once and closed once
/// (in `deinit`).
///
/// `@unchecked Sendable` invariant: the content is immutable after it is received or
/// created, so ``count``, ``bytes``, ``withUnsafeBytes(_:)``, ``metadata(_:)`` and
/// ``more`` may run concurrently from several threads. The two mutating operations need
/// exclusive access: ``ZMQSocket/send(_:more:dontWait:)`` empties the message, and
/// ``copy()`` marks the content shared (do it before handing the message to others).
public final class ZMQMessage: @unchecked Sendable {
    /// The owned `zmq_msg_t`.
    let pointer: UnsafeMutablePointer<zmq_msg_t>

    /// Creates an empty message (`zmq_msg_init`).
    public init() {
        pointer = .allocate(capacity: 1)
        _ = zmq_msg_init(pointer)  // cannot fail
    }

    /// Creates a message holding a copy of `bytes`.
    /// - Parameters:
    ///   - bytes: The content.
    public convenience init(bytes: [UInt8]) {
        self.init(byteCount: bytes.count)
        bytes.withUnsafeBytes { copyIn($0) }
    }

    /// Creates a message holding a copy of `buffer`.
    /// - Parameters:
    ///   - copying: The content; not retained.
    public convenience init(copying buffer: UnsafeRawBufferPointer) {
        self.init(byteCount: buffer.count)
        copyIn(buffer)
    }

    /// Allocates a message of `byteCount` bytes (`zmq_msg_init_size`).
    private init(byteCount: Int) {
        pointer = .allocate(capacity: 1)
        if zmq_msg_init_size(pointer, byteCount) != 0 {
            // Only ENOMEM is possible: treated like any failed Swift allocation.
            fatalError("zmq_msg_init_size: out of memory for \(byteCount) bytes")
        }
    }

    private func copyIn(_ buffer: UnsafeRawBufferPointer) {
        guard let source = buffer.baseAddress, buffer.count > 0 else { return }
        zmq_msg_data(pointer).copyMemory(from: source, byteCount: buffer.count)
    }

    deinit {
        _ = zmq_msg_close(pointer)
        pointer.deallocate()
    }

    /// The content's size in bytes.
    public var count: Int { zmq_msg_size(pointer) }

    /// Calls `body` with the content, without copying it.
    /// - Parameters:
    ///   - body: Receives the bytes; the pointer must not escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(pointer), count: zmq_msg_size(pointer)))
    }

    /// A copy of the content.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// A second message sharing this one's content (`zmq_msg_copy`): the payload is
    /// reference-counted, not copied (libzmq copies only very small inline payloads).
    /// Needs exclusive access to `self` (see the type's invariant).
    public func copy() throws -> ZMQMessage {
        let copy = ZMQMessage()
        try zmqCall("zmq_msg_copy") { zmq_msg_copy(copy.pointer, pointer) }
        return copy
    }

    /// A metadata property of a received message (`zmq_msg_gets`), such as `"User-Id"`
    /// (set by ZAP), `"Peer-Address"`, `"Socket-Type"` or `"Routing-Id"`.
    /// - Parameters:
    ///   - property: The property name (case-insensitive).
    /// - Returns: The value, or `nil` if the message has no such property.
    public func metadata(_ property: String) -> String? {
        zmq_msg_gets(pointer, property).map { String(cString: $0) }
    }

    /// Whether more frames of the same message follow this one (`zmq_msg_more`).
    public var more: Bool { zmq_msg_more(pointer) != 0 }
}
