/// The bytes of a sealed field value, version 1, self-describing:
///
/// | bytes | content |
/// | --- | --- |
/// | 1 | format version, 1 |
/// | 1 | suite (``CipherSuite`` raw value: 1 AES-256-GCM, 2 SM4-GCM) |
/// | 1 | length L of the enterprise id, 1-255 |
/// | L | enterprise id, UTF-8 |
/// | 4 | data key version, big-endian |
/// | 12 | nonce |
/// | n | ciphertext (as long as the plaintext) |
/// | 16 | tag |
///
/// Everything before the nonce is the header; GCM authenticates the header followed by the
/// caller's associated data, so neither the header nor the record and field a value was
/// sealed for can be changed without the value failing to open.
public struct SealedValue: Sendable, Equatable {
    /// The format version this code writes and reads.
    public static let formatVersion: UInt8 = 1

    /// The algorithm.
    public var suite: CipherSuite
    /// The data key that sealed it.
    public var keyID: DataKeyID
    /// The 12-byte nonce.
    public var nonce: [UInt8]
    /// The ciphertext and its tag.
    public var box: AEAD.Box

    /// A sealed value from its parts.
    public init(suite: CipherSuite, keyID: DataKeyID, nonce: [UInt8], box: AEAD.Box) {
        self.suite = suite
        self.keyID = keyID
        self.nonce = nonce
        self.box = box
    }

    /// The header bytes (version, suite, key id): what GCM authenticates before the
    /// caller's associated data.
    public var header: [UInt8] {
        Self.header(suite: suite, keyID: keyID)
    }

    static func header(suite: CipherSuite, keyID: DataKeyID) -> [UInt8] {
        let enterprise = Array(keyID.enterprise.utf8)
        var bytes: [UInt8] = [formatVersion, suite.rawValue, UInt8(enterprise.count)]
        bytes += enterprise
        bytes += withUnsafeBytes(of: keyID.version.bigEndian) { Array($0) }
        return bytes
    }

    /// The bytes to store.
    public var bytes: [UInt8] {
        header + nonce + box.ciphertext + box.tag
    }

    /// Reads sealed bytes (without opening them).
    /// - Throws: ``CryptoError`` `malformedSealedValue` for bytes of another format
    ///   version, an unknown suite, or too short to hold a header, nonce and tag.
    public init(bytes: some Collection<UInt8>) throws(CryptoError) {
        let bytes = Array(bytes)
        guard bytes.count >= 3 else { throw Self.malformed("too short (\(bytes.count) bytes)") }
        guard bytes[0] == Self.formatVersion else { throw Self.malformed("format version \(bytes[0]) is unknown (this hub reads 1)") }
        guard let suite = CipherSuite(rawValue: bytes[1]) else { throw Self.malformed("suite \(bytes[1]) is unknown") }
        let length = Int(bytes[2])
        let nonceStart = 3 + length + 4
        guard length >= 1, bytes.count >= nonceStart + CipherSuite.nonceByteCount + CipherSuite.tagByteCount else {
            throw Self.malformed("too short (\(bytes.count) bytes) for its header, nonce and tag")
        }
        let enterpriseBytes = bytes[3..<(3 + length)]
        let enterprise = String(decoding: enterpriseBytes, as: UTF8.self)
        guard enterprise.utf8.elementsEqual(enterpriseBytes), DataKeyID.isValid(enterprise: enterprise) else {
            throw Self.malformed("the enterprise id is not valid UTF-8")
        }
        let version = bytes[(3 + length)..<nonceStart].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let tagStart = bytes.count - CipherSuite.tagByteCount
        self.init(
            suite: suite, keyID: DataKeyID(enterprise: enterprise, version: version),
            nonce: Array(bytes[nonceStart..<(nonceStart + CipherSuite.nonceByteCount)]),
            box: AEAD.Box(
                ciphertext: Array(bytes[(nonceStart + CipherSuite.nonceByteCount)..<tagStart]), tag: Array(bytes[tagStart...])))
    }

    private static func malformed(_ reason: String) -> CryptoError {
        CryptoError(.malformedSealedValue, "not a sealed value: \(reason)")
    }
}
