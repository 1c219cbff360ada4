internal import CXXHash

/// The checksum of one stored message row (`messages.crc`, from schema v4): xxHash's
/// 64-bit XXH3 over seq, sender, msg_id, type, recipients, correlation_id, created_at_us,
/// journaled_at_us and body, laid out as ``RecordEncoding`` says (as ``JournalChain`` hashes
/// them). The fields before the body are hashed; that hash seeds the body's. The column
/// keeps the 64 bits as a signed integer.
///
/// The writer stores it with every row; every read recomputes it and refuses a row whose
/// stored value differs, so a bit flipped on disk or a field changed behind the hub's back
/// is never served. Unlike the hash chain (checked by `swhub verify` over the whole file)
/// it checks one row on its own, cheaply: XXH3 runs at tens of GB/s, a few hundredths of a
/// microsecond for a 1 KB body (zlib's CRC-32, tried first, cost about 0.4 µs per KB:
/// 7–9 % of replay throughput), and the body is hashed where it lies, never copied.
public struct RecordChecksum {
    /// The checksum of one row's fields.
    public static func of(
        seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, body: UnsafeRawBufferPointer
    ) -> Int64 {
        of(
            header: RecordEncoding.header(
                seq: seq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
                createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, bodyCount: body.count),
            body: body)
    }

    /// The checksum of one row whose ``RecordEncoding`` header is at hand.
    static func of(header: [UInt8], body: UnsafeRawBufferPointer) -> Int64 {
        let seed = header.withUnsafeBytes { XXH3_64bits($0.baseAddress, $0.count) }
        return Int64(bitPattern: XXH3_64bits_withSeed(body.baseAddress, body.count, seed))
    }

    /// The plain checksum of some bytes.
    static func plain(_ buffer: UnsafeRawBufferPointer) -> Int64 {
        Int64(bitPattern: XXH3_64bits(buffer.baseAddress, buffer.count))
    }
}
