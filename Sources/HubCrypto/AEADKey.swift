internal import CGcrypt
internal import Crypto

/// One key of ``AEAD`` made ready once for many values: AES-256-GCM's key object, or an
/// SM4-GCM libgcrypt handle with the key set (GCM's tables built once per key). A
/// ``DataKey`` carries one, so sealing a field costs the encryption, not the key's set-up.
///
/// `@unchecked Sendable`: every stored property is a `let`; swift-crypto's `SymmetricKey`
/// (not marked Sendable) is an immutable value only read after `init`, and the SM4 context
/// serialises its libgcrypt handle behind a lock.
final class AEADKey: @unchecked Sendable {
    /// The algorithm.
    let suite: CipherSuite
    private let aes: SymmetricKey?
    private let sm4: SM4GCM.Context?

    /// A ready key of `suite`.
    /// - Throws: ``CryptoError`` `invalidKey` for a key of the wrong size; `libraryUnavailable`
    ///   when libgcrypt cannot do SM4-GCM.
    init(suite: CipherSuite, bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == suite.keyByteCount else {
            throw CryptoError(.invalidKey, "a \(suite.algorithm) key is \(suite.keyByteCount) bytes, not \(bytes.count)")
        }
        self.suite = suite
        switch suite {
        case .standard:
            aes = SymmetricKey(data: bytes)
            sm4 = nil
        case .sm:
            aes = nil
            sm4 = try SM4GCM.Context(key: bytes)
        }
    }

    /// Encrypts and authenticates `plaintext`, authenticating `associatedData` too.
    func seal(nonce: [UInt8], plaintext: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> AEAD.Box {
        try Self.check(nonce: nonce)
        if let sm4 { return try sm4.seal(nonce: nonce, plaintext: plaintext, associatedData: associatedData) }
        guard let aes else { throw CryptoError(.invalidKey, "an AEAD key without a key") }
        do {
            let sealed = try AES.GCM.seal(plaintext, using: aes, nonce: try AES.GCM.Nonce(data: nonce), authenticating: associatedData)
            return AEAD.Box(ciphertext: Array(sealed.ciphertext), tag: Array(sealed.tag))
        } catch {
            throw CryptoError(.libraryFailure, "AES-256-GCM sealing failed: \(error)")
        }
    }

    /// Checks the tag and decrypts; nothing of the plaintext is returned when the tag, the
    /// key or the associated data does not match.
    func open(nonce: [UInt8], box: AEAD.Box, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Self.check(nonce: nonce)
        guard box.tag.count == CipherSuite.tagByteCount else {
            throw CryptoError(.authenticationFailed, "the tag is \(box.tag.count) bytes, not \(CipherSuite.tagByteCount)")
        }
        if let sm4 { return try sm4.open(nonce: nonce, box: box, associatedData: associatedData) }
        guard let aes else { throw CryptoError(.invalidKey, "an AEAD key without a key") }
        let sealed: AES.GCM.SealedBox
        do {
            sealed = try AES.GCM.SealedBox(nonce: try AES.GCM.Nonce(data: nonce), ciphertext: box.ciphertext, tag: box.tag)
        } catch {
            throw CryptoError(.authenticationFailed, "the sealed box is malformed")
        }
        do {
            return Array(try AES.GCM.open(sealed, using: aes, authenticating: associatedData))
        } catch {
            throw CryptoError(.authenticationFailed, "AES-256-GCM: wrong key, wrong associated data, or damaged bytes")
        }
    }

    private static func check(nonce: [UInt8]) throws(CryptoError) {
        guard nonce.count == CipherSuite.nonceByteCount else {
            throw CryptoError(.invalidKey, "a nonce is \(CipherSuite.nonceByteCount) bytes, not \(nonce.count)")
        }
    }
}
