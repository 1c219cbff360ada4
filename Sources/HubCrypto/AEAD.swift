internal import CGcrypt
internal import Crypto

/// One authenticated encryption, the primitive under ``FieldSealer`` and the key vault:
/// GCM with a 12-byte nonce and a 16-byte tag, AES-256 (swift-crypto) or SM4 (libgcrypt).
///
/// The caller picks the nonce; ``randomNonce()`` gives a fresh random one, which is what
/// every use in the hub does (a random 96-bit nonce per value; a data key seals far fewer
/// than the 2^32 values NIST SP 800-38D allows for random nonces).
public enum AEAD {
    /// A ciphertext and its tag.
    public struct Box: Sendable, Equatable {
        /// The ciphertext, as long as the plaintext.
        public var ciphertext: [UInt8]
        /// The 16-byte authentication tag.
        public var tag: [UInt8]

        /// A box from its parts.
        public init(ciphertext: [UInt8], tag: [UInt8]) {
            self.ciphertext = ciphertext
            self.tag = tag
        }
    }

    /// 12 unpredictable bytes: libgcrypt's nonce generator (`gcry_create_nonce`, made for
    /// nonces: seeded from the system's generator, no system call per nonce), or the
    /// system's generator itself where libgcrypt is too old.
    public static func randomNonce() -> [UInt8] {
        guard Gcrypt.version != nil else { return randomBytes(CipherSuite.nonceByteCount) }
        return [UInt8](unsafeUninitializedCapacity: CipherSuite.nonceByteCount) { buffer, count in
            gcry_create_nonce(buffer.baseAddress, CipherSuite.nonceByteCount)
            count = CipherSuite.nonceByteCount
        }
    }

    /// `count` random bytes from the system's secure generator (swift-crypto's
    /// `SymmetricKey`, which reads the kernel's CSPRNG).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            let chunk = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            bytes.append(contentsOf: chunk.prefix(count - bytes.count))
        }
        return bytes
    }

    /// Encrypts and authenticates `plaintext`, authenticating `associatedData` too.
    /// - Parameters:
    ///   - suite: the algorithm.
    ///   - key: ``CipherSuite/keyByteCount`` bytes.
    ///   - nonce: 12 bytes, never reused with the same key.
    ///   - plaintext: what to protect.
    ///   - associatedData: what the box is bound to (not encrypted, not stored in the box).
    /// - Throws: ``CryptoError`` `invalidKey` for a key or nonce of the wrong size.
    public static func seal(
        suite: CipherSuite, key: [UInt8], nonce: [UInt8], plaintext: [UInt8], associatedData: [UInt8]
    ) throws(CryptoError) -> Box {
        try AEADKey(suite: suite, bytes: key).seal(nonce: nonce, plaintext: plaintext, associatedData: associatedData)
    }

    /// Checks the tag and decrypts; nothing of the plaintext is returned when the tag,
    /// the key or the associated data does not match.
    /// - Throws: ``CryptoError`` `authenticationFailed` when the box does not open,
    ///   `invalidKey` for a key, nonce or tag of the wrong size.
    public static func open(
        suite: CipherSuite, key: [UInt8], nonce: [UInt8], box: Box, associatedData: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        try AEADKey(suite: suite, bytes: key).open(nonce: nonce, box: box, associatedData: associatedData)
    }
}
