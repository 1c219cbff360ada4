import Crypto
import HubCore
import HubCrypto

/// The hash functions of one journal's algorithm suite (``CryptoSuite``), chosen once when
/// the journal is opened and used for every record: the chain link (``JournalChain``), the
/// per-record checksum (``RecordChecksum``), and the digests of archive segments and backup
/// manifests.
///
/// | | `standard` | `sm` |
/// | --- | --- | --- |
/// | chain link | SHA-256 | SM3 |
/// | per-record checksum | XXH3-64 | SM3's first 8 bytes, big-endian |
/// | segment trailer, manifest and backup digests | SHA-256 | SM3 |
///
/// Every function hashes the same bytes (``RecordEncoding``) in both suites. The choice is
/// one `switch` per record, on a value fixed for the journal's life: the standard path does
/// what it did before suites, with no allocation added (measured with `swhub bench`, see
/// BENCHMARKS.md).
public struct JournalHashing: Sendable, Equatable {
    /// The suite.
    public let suite: CryptoSuite

    /// The standard suite's functions (every journal written before suites).
    public static let standard = JournalHashing(checked: .standard)

    /// The functions of `suite`, checked to be usable here.
    /// - Throws: ``StoreError`` `cryptoUnavailable` when `suite` is `sm` and libgcrypt cannot hash SM3.
    public init(_ suite: CryptoSuite) throws(StoreError) {
        if suite == .sm {
            do {
                _ = try SM3.hash([])
            } catch {
                throw StoreError(code: .cryptoUnavailable, reason: "crypto: sm needs SM3, which cannot be used here: \(error)")
            }
        }
        self.suite = suite
    }

    private init(checked suite: CryptoSuite) {
        self.suite = suite
    }

    /// The chain value of one row (``JournalChain/link(previous:seq:sender:id:type:recipients:correlationId:createdAtUs:journaledAtUs:body:)``).
    /// - Throws: ``StoreError`` `cryptoUnavailable` only when libgcrypt fails after ``init(_:)`` found it usable (`sm`).
    public func link(
        previous: [UInt8], seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, body: UnsafeRawBufferPointer
    ) throws(StoreError) -> [UInt8] {
        try link(
            previous: previous,
            header: RecordEncoding.header(
                seq: seq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
                createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, bodyCount: body.count),
            body: body)
    }

    /// The checksum of one row: ``RecordChecksum`` in the standard suite; in `sm`, the first
    /// 8 bytes of SM3, big-endian, over the same bytes (``RecordEncoding``'s header, then the body).
    /// - Throws: ``StoreError`` `cryptoUnavailable`, as ``link(previous:seq:sender:id:type:recipients:correlationId:createdAtUs:journaledAtUs:body:)``.
    public func checksum(
        seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, body: UnsafeRawBufferPointer
    ) throws(StoreError) -> Int64 {
        try checksum(
            header: RecordEncoding.header(
                seq: seq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
                createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, bodyCount: body.count),
            body: body)
    }

    /// ``link(previous:seq:sender:id:type:recipients:correlationId:createdAtUs:journaledAtUs:body:)``
    /// and ``checksum(seq:sender:id:type:recipients:correlationId:createdAtUs:journaledAtUs:body:)``
    /// of one row, its ``RecordEncoding`` header laid out once for both (the writer's path).
    /// - Throws: ``StoreError`` `cryptoUnavailable`, as those two.
    public func row(
        previous: [UInt8], seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, body: UnsafeRawBufferPointer
    ) throws(StoreError) -> (link: [UInt8], checksum: Int64) {
        let header = RecordEncoding.header(
            seq: seq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
            createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, bodyCount: body.count)
        return (try link(previous: previous, header: header, body: body), try checksum(header: header, body: body))
    }

    /// The chain value of a row whose ``RecordEncoding`` header is laid out.
    private func link(previous: [UInt8], header: [UInt8], body: UnsafeRawBufferPointer) throws(StoreError) -> [UInt8] {
        switch suite {
        case .standard:
            return JournalChain.link(previous: previous, header: header, body: body)
        case .sm:
            return try Self.sm3 {
                try previous.withUnsafeBytes { previous in
                    try header.withUnsafeBytes { header in try SM3.hash(previous, header, body) }
                }
            }
        }
    }

    /// The checksum of a row whose ``RecordEncoding`` header is laid out.
    private func checksum(header: [UInt8], body: UnsafeRawBufferPointer) throws(StoreError) -> Int64 {
        switch suite {
        case .standard:
            return RecordChecksum.of(header: header, body: body)
        case .sm:
            return Self.leadingInt64(try Self.sm3 { try header.withUnsafeBytes { header in try SM3.hash(header, body) } })
        }
    }

    /// The digest of some bytes (an archive segment's trailer and file): SHA-256 or SM3.
    /// - Throws: ``StoreError`` `cryptoUnavailable`, as ``link(previous:seq:sender:id:type:recipients:correlationId:createdAtUs:journaledAtUs:body:)``.
    public func digest(_ bytes: some Collection<UInt8>) throws -> [UInt8] {
        if let done = try bytes.withContiguousStorageIfAvailable({ try self.digest(buffer: UnsafeRawBufferPointer($0)) }) {
            return done
        }
        return try Array(bytes).withUnsafeBytes { try self.digest(buffer: $0) }
    }

    /// The digest of the bytes of `buffer`.
    public func digest(buffer: UnsafeRawBufferPointer) throws(StoreError) -> [UInt8] {
        switch suite {
        case .standard:
            var hasher = SHA256()
            hasher.update(bufferPointer: buffer)
            return Array(hasher.finalize())
        case .sm:
            return try Self.sm3 { try SM3.hash(buffer) }
        }
    }

    /// An incremental ``digest(_:)``, for files read piece by piece (a backup's).
    /// - Throws: ``StoreError`` `cryptoUnavailable`, as ``link(previous:seq:sender:id:type:recipients:correlationId:createdAtUs:journaledAtUs:body:)``.
    public func hasher() throws(StoreError) -> Hasher {
        switch suite {
        case .standard: return Hasher(sha: SHA256(), sm: nil)
        case .sm: return Hasher(sha: nil, sm: try Self.sm3())
        }
    }

    /// ``digest(_:)`` fed piece by piece.
    public final class Hasher {
        private var sha: SHA256?
        private var sm: SM3?

        fileprivate init(sha: SHA256?, sm: consuming SM3?) {
            self.sha = sha
            self.sm = sm
        }

        /// Adds bytes.
        public func update(_ bytes: UnsafeRawBufferPointer) {
            if var hasher = sm.take() {
                hasher.update(bytes)
                sm = consume hasher
            } else {
                sha?.update(bufferPointer: bytes)
            }
        }

        /// The digest of everything added; the hasher is spent (a second call gives the empty digest).
        public func finalize() -> [UInt8] {
            if let hasher = sm.take() { return hasher.finalize() }
            defer { sha = nil }
            return sha.map { Array($0.finalize()) } ?? []
        }
    }

    /// An SM3 digest computed by `body`, its failure a `cryptoUnavailable` store error.
    private static func sm3(_ body: () throws -> [UInt8]) throws(StoreError) -> [UInt8] {
        do {
            return try body()
        } catch {
            throw StoreError(code: .cryptoUnavailable, reason: "SM3 cannot be computed: \(error)")
        }
    }

    /// A new SM3 hasher.
    private static func sm3() throws(StoreError) -> SM3 {
        do {
            return try SM3()
        } catch {
            throw StoreError(code: .cryptoUnavailable, reason: "SM3 cannot be computed: \(error)")
        }
    }

    /// The first 8 bytes of `digest`, big-endian, as a signed integer (the `crc` column's type).
    static func leadingInt64(_ digest: [UInt8]) -> Int64 {
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = (value << 8) | UInt64(byte) }
        return Int64(bitPattern: value)
    }

    /// Lower-case hex of a digest.
    public static func hex(_ digest: [UInt8]) -> String {
        JournalChain.hex(digest)
    }
}
