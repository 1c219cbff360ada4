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
        /// A sealed value did not open: wrong key, wrong associated data (moved to another
        /// record or field), or damaged bytes. Nothing of the plaintext is returned.
        case authenticationFailed
        /// Bytes that are not a sealed value of a known version and suite.
        case malformedSealedValue
        /// A key of the wrong size or kind for its suite.
        case invalidKey
        /// The data key a sealed value names was destroyed (crypto-shredding): its plaintext
        /// is gone for good. Callers show a marker, not an error page.
        case keyShredded
        /// The data key a sealed value names is not in the vault (another vault, or a vault
        /// restored from before the key was made).
        case keyNotFound
        /// The master key could not be had: its file is missing or unreadable, or its command
        /// failed, timed out or printed nothing usable.
        case masterKeyUnavailable
        /// The master key's file is not safe to use: not a regular file, readable by others,
        /// owned by another user, or not in the master key format.
        case masterKeyRefused
        /// The master key given is not the one that wrapped the vault's data keys.
        case masterKeyMismatch
        /// The key vault could not be read or written, or its contents are damaged.
        case vaultFailure
        /// A file to be written already exists (a master key file is never overwritten).
        case alreadyExists
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
