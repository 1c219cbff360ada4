/// A failure of the hub's cryptography, with a stable code and a reason.
///
/// The reason never contains key material or a plaintext value.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes, for callers and logs.
    public enum Code: String, Sendable {
        /// The crypto library is missing or too old for the algorithm asked for.
        case libraryUnavailable
        /// The library refused an operation (its own error text is in the reason).
        case libraryFailure
    }

    /// The stable code.
    public var code: Code
    /// What went wrong, for a person.
    public var reason: String

    /// A failure with its code and reason.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
