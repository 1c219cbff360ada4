import CZeroMQ

/// A socket event reported by `zmq_socket_monitor` (event format version 1).
public struct MonitorEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        case connected, connectDelayed, connectRetried, listening, bindFailed
        case accepted, acceptFailed, closed, closeFailed, disconnected, monitorStopped
        case handshakeFailedNoDetail, handshakeSucceeded, handshakeFailedProtocol
        case handshakeFailedAuth
        /// An event number this wrapper does not know.
        case unknown(UInt32)

        /// Maps a `ZMQ_EVENT_*` number to a kind.
        /// - Parameters:
        ///   - event: The event number.
        public init(event: UInt32) {
            switch Int32(truncatingIfNeeded: event) {
            case ZMQ_EVENT_CONNECTED: self = .connected
            case ZMQ_EVENT_CONNECT_DELAYED: self = .connectDelayed
            case ZMQ_EVENT_CONNECT_RETRIED: self = .connectRetried
            case ZMQ_EVENT_LISTENING: self = .listening
            case ZMQ_EVENT_BIND_FAILED: self = .bindFailed
            case ZMQ_EVENT_ACCEPTED: self = .accepted
            case ZMQ_EVENT_ACCEPT_FAILED: self = .acceptFailed
            case ZMQ_EVENT_CLOSED: self = .closed
            case ZMQ_EVENT_CLOSE_FAILED: self = .closeFailed
            case ZMQ_EVENT_DISCONNECTED: self = .disconnected
            case ZMQ_EVENT_MONITOR_STOPPED: self = .monitorStopped
            case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: self = .handshakeFailedNoDetail
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: self = .handshakeSucceeded
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: self = .handshakeFailedProtocol
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: self = .handshakeFailedAuth
            default: self = .unknown(event)
            }
        }
    }

    /// What happened.
    public let kind: Kind
    /// The event's value: a file descriptor, an errno, a reconnect interval, or for
    /// ``Kind/handshakeFailedAuth`` the ZAP status code (e.g. 400).
    public let value: UInt32
    /// The endpoint concerned, e.g. `"tcp://127.0.0.1:5555"`.
    public let endpoint: String

    /// Creates an event.
    /// - Parameters:
    ///   - kind: What happened.
    ///   - value: The event's value.
    ///   - endpoint: The endpoint concerned.
    public init(kind: Kind, value: UInt32, endpoint: String) {
        self.kind = kind
        self.value = value
        self.endpoint = endpoint
    }

    /// Parses the two frames of a version-1 monitor event: 2 bytes event number and
    /// 4 bytes value (native byte order), then the endpoint.
    /// - Parameters:
    ///   - frames: The received frames.
    /// - Returns: The event, or `nil` if the frames are malformed.
    static func parse(_ frames: [ZMQMessage]) -> MonitorEvent? {
        guard frames.count == 2, frames[0].count == 6 else { return nil }
        let (event, value) = frames[0].withUnsafeBytes { raw in
            (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt16.self),
                raw.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
            )
        }
        let endpoint = String(decoding: frames[1].bytes, as: UTF8.self)
        return MonitorEvent(kind: Kind(event: UInt32(event)), value: value, endpoint: endpoint)
    }
}
