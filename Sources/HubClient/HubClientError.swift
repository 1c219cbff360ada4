public import HubProtocol

/// Why a client call failed.
public struct HubClientError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable codes; new ones may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `TIMEOUT`.
        public let name: String
        /// The code's name.
        public var description: String { name }
        /// The hub answered with an ERROR; `hubCode` says which.
        public static let rejected = Code(name: "REJECTED")
        /// No reply within the request timeout (the connection is retried meanwhile).
        public static let timeout = Code(name: "TIMEOUT")
        /// The hub refused our CURVE key at the handshake.
        public static let authenticationFailed = Code(name: "AUTHENTICATION_FAILED")
        /// The CURVE handshake keeps failing before it completes: the hub's public key in
        /// the configuration is not this hub's, or the endpoint is not a swhub hub.
        public static let handshakeFailed = Code(name: "HANDSHAKE_FAILED")
        /// The client was closed.
        public static let closed = Code(name: "CLOSED")
        /// The configuration or a key is unusable.
        public static let configuration = Code(name: "CONFIGURATION")
        /// A reply could not be understood.
        public static let protocolViolation = Code(name: "PROTOCOL_VIOLATION")
    }

    /// What kind of failure this is.
    public var code: Code
    /// For `.rejected`: the hub's error code (also one this build does not know: its class
    /// still follows from its number).
    public var hubCode: HubErrorCode?
    /// What went wrong, for people: never the payload of a message.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: what kind of failure.
    ///   - hubCode: for `.rejected`, the hub's error code.
    ///   - reason: what went wrong, for people.
    public init(_ code: Code, hubCode: HubErrorCode? = nil, _ reason: String) {
        self.code = code
        self.hubCode = hubCode
        self.reason = reason
    }

    /// An error from a WIRE `Error` reply.
    init(wire: WireError) {
        self.init(.rejected, hubCode: HubErrorCode(wire: wire.code, name: wire.name), "\(wire.code) \(wire.name): \(wire.reason)")
    }

    /// What the caller can do about the failure, by the hub's error classes: for
    /// `.rejected` the class of the hub's code; a timeout may be retried later (same id:
    /// the journal keeps one); a reply that could not be understood counts as a hub
    /// failure. Nil for failures on the client's side (`.configuration`,
    /// `.authenticationFailed`, `.closed`), which no retry fixes.
    public var errorClass: HubErrorCode.Class? {
        switch code {
        case .rejected: hubCode?.errorClass ?? .hubFailure
        case .timeout: .retryLater
        case .protocolViolation: .hubFailure
        default: nil
        }
    }

    /// The code (or "rejected") and the reason.
    public var description: String {
        code == .rejected ? "rejected \(reason)" : "\(code.name): \(reason)"
    }
}
