internal import CGcrypt
import Synchronization

/// SM4 (GB/T 32907-2016) through libgcrypt: GCM for ``AEAD``, and the bare block cipher
/// for the standard's known-answer tests. Debian 12's OpenSSL 3.0 has SM4 but not SM4-GCM;
/// libgcrypt 1.9 and later have both.
public enum SM4GCM {
    /// Encrypts one or more 16-byte blocks with the SM4 block cipher alone (ECB), as the
    /// standard's examples do. Not a way to protect data: for known-answer tests only.
    /// - Parameters:
    ///   - key: 16 bytes.
    ///   - blocks: a multiple of 16 bytes.
    ///   - rounds: how many times to encrypt in a row (the standard's second example
    ///     encrypts 1,000,000 times).
    public static func encryptBlocks(key: [UInt8], blocks: [UInt8], rounds: Int = 1) throws(CryptoError) -> [UInt8] {
        guard key.count == 16, !blocks.isEmpty, blocks.count % 16 == 0, rounds >= 1 else {
            throw CryptoError(.invalidKey, "SM4 takes a 16-byte key and whole 16-byte blocks")
        }
        let cipher = try Cipher(mode: GCRY_CIPHER_MODE_ECB, key: key)
        var data = blocks
        for _ in 0..<rounds {
            try cipher.call("gcry_cipher_encrypt") { handle in
                data.withUnsafeMutableBytes { gcry_cipher_encrypt(handle, $0.baseAddress, $0.count, nil, 0) }
            }
        }
        return data
    }

    /// One SM4-GCM key made ready for many values: a libgcrypt handle with the key set, so
    /// GCM's tables are built once per key, not once per value. libgcrypt handles are not
    /// safe to share between threads: every use holds the lock and starts from a reset.
    final class Context: Sendable {
        private let cipher: Mutex<Cipher>

        /// A context for `key` (16 bytes).
        init(key: [UInt8]) throws(CryptoError) {
            cipher = Mutex(try Cipher(mode: GCRY_CIPHER_MODE_GCM, key: key))
        }

        /// SM4-GCM encryption (RFC 8998): the ciphertext and a 16-byte tag.
        func seal(nonce: [UInt8], plaintext: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> AEAD.Box {
            try cipher.withLock { cipher throws(CryptoError) -> AEAD.Box in
                try cipher.start(nonce: nonce, associatedData: associatedData)
                var ciphertext = plaintext
                if !ciphertext.isEmpty {
                    try cipher.call("gcry_cipher_encrypt") { handle in
                        ciphertext.withUnsafeMutableBytes { gcry_cipher_encrypt(handle, $0.baseAddress, $0.count, nil, 0) }
                    }
                }
                var tag = [UInt8](repeating: 0, count: CipherSuite.tagByteCount)
                try cipher.call("gcry_cipher_gettag") { handle in
                    tag.withUnsafeMutableBytes { gcry_cipher_gettag(handle, $0.baseAddress, $0.count) }
                }
                return AEAD.Box(ciphertext: ciphertext, tag: tag)
            }
        }

        /// SM4-GCM decryption: the plaintext only when the tag matches.
        func open(nonce: [UInt8], box: AEAD.Box, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
            try cipher.withLock { cipher throws(CryptoError) -> [UInt8] in
                try cipher.start(nonce: nonce, associatedData: associatedData)
                var plaintext = box.ciphertext
                if !plaintext.isEmpty {
                    try cipher.call("gcry_cipher_decrypt") { handle in
                        plaintext.withUnsafeMutableBytes { gcry_cipher_decrypt(handle, $0.baseAddress, $0.count, nil, 0) }
                    }
                }
                let status = box.tag.withUnsafeBytes { gcry_cipher_checktag(cipher.handle, $0.baseAddress, $0.count) }
                guard status == 0 else {
                    // The decrypted bytes are not authentic: wipe them, return nothing.
                    for index in plaintext.indices { plaintext[index] = 0 }
                    throw CryptoError(.authenticationFailed, "SM4-GCM: wrong key, wrong associated data, or damaged bytes")
                }
                return plaintext
            }
        }
    }

    /// One libgcrypt SM4 cipher handle with its key set, closed when it ends.
    fileprivate final class Cipher {
        let handle: gcry_cipher_hd_t

        init(mode: gcry_cipher_modes, key: [UInt8]) throws(CryptoError) {
            try Gcrypt.ready()
            var opened: gcry_cipher_hd_t?
            let status = gcry_cipher_open(&opened, Int32(GCRY_CIPHER_SM4.rawValue), Int32(mode.rawValue), 0)
            guard status == 0, let opened else {
                throw CryptoError(.libraryUnavailable, "libgcrypt cannot do SM4 in this mode: \(Self.text(status))")
            }
            handle = opened
            try call("gcry_cipher_setkey") { handle in key.withUnsafeBytes { gcry_cipher_setkey(handle, $0.baseAddress, $0.count) } }
        }

        deinit {
            gcry_cipher_close(handle)
        }

        /// Resets the handle to its key (a value sealed or opened before leaves nothing
        /// behind), sets the nonce and authenticates the associated data (GCM).
        func start(nonce: [UInt8], associatedData: [UInt8]) throws(CryptoError) {
            try call("gcry_cipher_reset") { swhub_gcry_cipher_reset($0) }
            try call("gcry_cipher_setiv") { handle in nonce.withUnsafeBytes { gcry_cipher_setiv(handle, $0.baseAddress, $0.count) } }
            if !associatedData.isEmpty {
                try call("gcry_cipher_authenticate") { handle in
                    associatedData.withUnsafeBytes { gcry_cipher_authenticate(handle, $0.baseAddress, $0.count) }
                }
            }
        }

        /// Runs one libgcrypt call; a non-zero status is a `libraryFailure` naming the call.
        func call(_ name: String, _ body: (gcry_cipher_hd_t) -> gcry_error_t) throws(CryptoError) {
            let status = body(handle)
            guard status == 0 else { throw CryptoError(.libraryFailure, "\(name): \(Self.text(status))") }
        }

        static func text(_ status: gcry_error_t) -> String { String(cString: gcry_strerror(status)) }
    }
}
