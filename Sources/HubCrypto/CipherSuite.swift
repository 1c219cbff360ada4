/// The authenticated encryption a sealed value or a wrapped data key uses.
///
/// The raw values are written into sealed values and the vault: they never change.
public enum CipherSuite: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// AES-256-GCM through swift-crypto: a 32-byte key, the default (`crypto: standard`).
    case standard = 1
    /// SM4-GCM (GB/T 32907 block cipher, RFC 8998) through libgcrypt: a 16-byte key,
    /// for `crypto: sm`.
    case sm = 2

    /// The key size in bytes.
    public var keyByteCount: Int {
        switch self {
        case .standard: 32
        case .sm: 16
        }
    }

    /// The nonce size in bytes (both suites: 96 bits, GCM's recommended size).
    public static let nonceByteCount = 12
    /// The authentication tag's size in bytes (both suites: 128 bits).
    public static let tagByteCount = 16

    /// The name used in configs and listings: `standard` or `sm`.
    public var name: String {
        switch self {
        case .standard: "standard"
        case .sm: "sm"
        }
    }

    /// The algorithm, for people: `AES-256-GCM` or `SM4-GCM`.
    public var algorithm: String {
        switch self {
        case .standard: "AES-256-GCM"
        case .sm: "SM4-GCM"
        }
    }

    /// The suite named `name` (`standard` or `sm`), nil for any other name.
    public init?(name: String) {
        guard let suite = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = suite
    }

    public var description: String { name }
}
