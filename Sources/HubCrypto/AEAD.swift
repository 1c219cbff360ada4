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

    /// 12 random bytes from the system's secure generator.
    public static func randomNonce() -> [UInt8] {
        randomBytes(CipherSuite.nonceByteCount)
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
        try check(suite: suite, key: key, nonce: nonce)
        switch suite {
        case .standard:
            do {
                let sealed = try AES.GCM.seal(
                    plaintext, using: SymmetricKey(data: key), nonce: try AES.GCM.Nonce(data: nonce), authenticating: associatedData)
                return Box(ciphertext: Array(sealed.ciphertext), tag: Array(sealed.tag))
            } catch {
                throw CryptoError(.libraryFailure, "AES-256-GCM sealing failed: \(error)")
            }
        case .sm:
            return try SM4GCM.seal(key: key, nonce: nonce, plaintext: plaintext, associatedData: associatedData)
        }
    }

    /// Checks the tag and decrypts; nothing of the plaintext is returned when the tag,
    /// the key or the associated data does not match.
    /// - Throws: ``CryptoError`` `authenticationFailed` when the box does not open,
    ///   `invalidKey` for a key, nonce or tag of the wrong size.
    public static func open(
        suite: CipherSuite, key: [UInt8], nonce: [UInt8], box: Box, associatedData: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        try check(suite: suite, key: key, nonce: nonce)
        guard box.tag.count == CipherSuite.tagByteCount else {
            throw CryptoError(.authenticationFailed, "the tag is \(box.tag.count) bytes, not \(CipherSuite.tagByteCount)")
        }
        switch suite {
        case .standard:
            let sealed: AES.GCM.SealedBox
            do {
                sealed = try AES.GCM.SealedBox(nonce: try AES.GCM.Nonce(data: nonce), ciphertext: box.ciphertext, tag: box.tag)
            } catch {
                throw CryptoError(.authenticationFailed, "the sealed box is malformed")
            }
            do {
                return Array(try AES.GCM.open(sealed, using: SymmetricKey(data: key), authenticating: associatedData))
            } catch {
                throw CryptoError(.authenticationFailed, "AES-256-GCM: wrong key, wrong associated data, or damaged bytes")
            }
        case .sm:
            return try SM4GCM.open(key: key, nonce: nonce, box: box, associatedData: associatedData)
        }
    }

    private static func check(suite: CipherSuite, key: [UInt8], nonce: [UInt8]) throws(CryptoError) {
        guard key.count == suite.keyByteCount else {
            throw CryptoError(.invalidKey, "a \(suite.algorithm) key is \(suite.keyByteCount) bytes, not \(key.count)")
        }
        guard nonce.count == CipherSuite.nonceByteCount else {
            throw CryptoError(.invalidKey, "a nonce is \(CipherSuite.nonceByteCount) bytes, not \(nonce.count)")
        }
    }
}
