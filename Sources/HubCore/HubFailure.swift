import HubProtocol

/// A refusal to hand back to a client: a stable code and a reason that never echoes body data.
public struct HubFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The wire error code.
    public var code: HubErrorCode
    /// Why, in words.
    public var reason: String

    public init(_ code: HubErrorCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
