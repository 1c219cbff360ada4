import CZeroMQ

/// An error reported by libzmq: the C function that failed and the `errno` it left.
///
/// `description` names the function and the system message only; it never includes
/// message payloads, endpoints or keys.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    /// The libzmq function (or wrapper operation) that failed, e.g. `"zmq_bind"`.
    public let function: String
    /// The error number from `zmq_errno()`.
    public let errno: Int32

    /// Creates an error for a failed call.
    /// - Parameters:
    ///   - function: The name of the failed function.
    ///   - errno: The error number it reported.
    public init(function: String, errno: Int32) {
        self.function = function
        self.errno = errno
    }

    /// For example `"zmq_bind: Address already in use (errno 98)"`.
    public var description: String {
        let message = zmq_strerror(errno).map { String(cString: $0) } ?? "Unknown error"
        return "\(function): \(message) (errno \(errno))"
    }

    /// The operation would block (`EAGAIN`), including an expired send or receive timeout.
    public var isAgain: Bool { errno == EAGAIN }

    /// A `ROUTER_MANDATORY` socket was asked to route to an unknown peer (`EHOSTUNREACH`).
    public var isHostUnreachable: Bool { errno == EHOSTUNREACH }

    /// The context was shut down or terminated (`ETERM`); the socket should be closed.
    public var isTerminated: Bool { errno == ETERM }

    /// The call was interrupted by a signal (`EINTR`).
    ///
    /// The wrappers retry on `EINTR`, so this is rarely seen.
    public var isInterrupted: Bool { errno == EINTR }
}
