internal import CGcrypt

/// SM3, the Chinese national hash function (GB/T 32905-2016, ISO/IEC 10118-3), through
/// libgcrypt: a 32-byte digest, used by `crypto: sm` where SHA-256 is used otherwise.
///
/// Incremental like swift-crypto's hash functions: `update` any number of times, then
/// `finalize` once. Not copyable: it owns a libgcrypt handle, released when it ends.
public struct SM3: ~Copyable {
    /// The digest's size in bytes.
    public static let byteCount = 32

    private let handle: gcry_md_hd_t

    /// A new hasher.
    /// - Throws: ``CryptoError`` `libraryUnavailable` when libgcrypt cannot hash SM3.
    public init() throws(CryptoError) {
        try Gcrypt.ready()
        var opened: gcry_md_hd_t?
        let status = gcry_md_open(&opened, Int32(GCRY_MD_SM3.rawValue), 0)
        guard status == 0, let opened else {
            throw CryptoError(.libraryUnavailable, "libgcrypt cannot hash SM3: \(String(cString: gcry_strerror(status)))")
        }
        handle = opened
    }

    deinit {
        gcry_md_close(handle)
    }

    /// Adds bytes to the hashed input.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return
        }
        gcry_md_write(handle, base, bytes.count)
    }

    /// Adds bytes to the hashed input.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything added; the hasher ends.
    public consuming func finalize() -> [UInt8] {
        guard let digest = gcry_md_read(handle, Int32(GCRY_MD_SM3.rawValue)) else {
            return []
        }
        return Array(UnsafeBufferPointer(start: digest, count: Self.byteCount))
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some Sequence<UInt8>) throws(CryptoError) -> [UInt8] {
        var hasher = try SM3()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of up to three byte ranges hashed one after the other, in one libgcrypt
    /// call that opens no handle (the journal hashes every record so).
    public static func hash(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        _ third: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) throws(CryptoError) -> [UInt8] {
        try Gcrypt.ready()
        var status: gcry_error_t = 0
        let digest = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, count in
            status = swhub_gcry_sm3_buffers(
                buffer.baseAddress, first.baseAddress, first.count, second.baseAddress, second.count, third.baseAddress, third.count)
            count = status == 0 ? byteCount : 0
        }
        guard status == 0 else {
            throw CryptoError(.libraryFailure, "gcry_md_hash_buffers (SM3): \(String(cString: gcry_strerror(status)))")
        }
        return digest
    }
}

extension SM3 {
    /// HMAC-SM3 (RFC 2104 with SM3) of `message` under `key`, through libgcrypt: 32 bytes.
    public static func hmac(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Gcrypt.ready()
        var opened: gcry_md_hd_t?
        let status = gcry_md_open(&opened, Int32(GCRY_MD_SM3.rawValue), UInt32(GCRY_MD_FLAG_HMAC.rawValue))
        guard status == 0, let handle = opened else {
            throw CryptoError(.libraryUnavailable, "libgcrypt cannot compute HMAC-SM3: \(String(cString: gcry_strerror(status)))")
        }
        defer { gcry_md_close(handle) }
        let keyed = key.withUnsafeBytes { gcry_md_setkey(handle, $0.baseAddress, $0.count) }
        guard keyed == 0 else {
            throw CryptoError(.libraryFailure, "gcry_md_setkey: \(String(cString: gcry_strerror(keyed)))")
        }
        message.withUnsafeBytes { if let base = $0.baseAddress { gcry_md_write(handle, base, $0.count) } }
        guard let digest = gcry_md_read(handle, Int32(GCRY_MD_SM3.rawValue)) else {
            throw CryptoError(.libraryFailure, "gcry_md_read gave no HMAC-SM3")
        }
        return Array(UnsafeBufferPointer(start: digest, count: byteCount))
    }
}
