internal import Crypto
internal import Foundation

/// The master key: 32 random bytes kept outside the journal and the vault (a key file
/// readable only by the hub's user, or a command that prints it), which wraps every data key.
///
/// Written and read as one line, `swhub-master-key v1 <base64 of the 32 bytes>`. Its
/// ``fingerprint`` names it in the vault and in listings without revealing it. Its bytes
/// never appear in `description`.
public struct MasterKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key's size in bytes.
    public static let byteCount = 32
    /// The first word of the key's line.
    public static let prefix = "swhub-master-key v1 "

    let bytes: [UInt8]

    /// A master key from its 32 bytes.
    /// - Throws: ``CryptoError`` `invalidKey` for any other size.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Self.byteCount else {
            throw CryptoError(.invalidKey, "a master key is \(Self.byteCount) bytes, not \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// A new random master key.
    public static func random() -> MasterKey {
        MasterKey(checked: AEAD.randomBytes(byteCount))
    }

    private init(checked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The key from its line (`swhub-master-key v1 <base64>`, surrounding white space ignored).
    /// - Parameter source: names where the text came from, in errors.
    /// - Throws: ``CryptoError`` `masterKeyRefused` for text of another format; the error
    ///   never quotes the text.
    public init(line text: String, source: String) throws(CryptoError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(Self.prefix), !trimmed.contains("\n"),
            let decoded = Data(base64Encoded: String(trimmed.dropFirst(Self.prefix.count))), decoded.count == Self.byteCount
        else {
            throw CryptoError(
                .masterKeyRefused,
                "\(source) does not hold a master key: one line 'swhub-master-key v1 <base64 of 32 bytes>' (swhub keys init)")
        }
        self.bytes = Array(decoded)
    }

    /// The key's line, with its newline.
    public var line: String { Self.prefix + Data(bytes).base64EncodedString() + "\n" }

    /// Names this key without revealing it: the first 16 bytes of
    /// HMAC-SHA256(key, "swhub master key fingerprint v1"), as 32 hex digits.
    public var fingerprint: String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("swhub master key fingerprint v1".utf8), using: SymmetricKey(data: bytes))
        return mac.withUnsafeBytes { Array($0) }.prefix(16).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// The key that wraps data keys of `suite`, derived from the master key so each suite
    /// has its own: HKDF-SHA256 (RFC 5869) for AES-256-GCM (32 bytes); for SM4-GCM, the
    /// first 16 bytes of HMAC-SM3 (libgcrypt) over the same label, so `crypto: sm` wraps
    /// with national algorithms only.
    func wrappingKey(for suite: CipherSuite) throws(CryptoError) -> [UInt8] {
        let info = Array("swhub vault wrapping key v1 \(suite.algorithm)".utf8)
        switch suite {
        case .standard:
            let key = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: bytes), salt: Array("swhub-vault".utf8), info: info, outputByteCount: 32)
            return key.withUnsafeBytes { Array($0) }
        case .sm:
            return Array(try SM3.hmac(key: bytes, message: info).prefix(suite.keyByteCount))
        }
    }

    public var description: String { "MasterKey(fingerprint \(fingerprint))" }
    public var debugDescription: String { description }
}
