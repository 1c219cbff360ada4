internal import CXXHash

/// The checksum of one stored message row (`messages.crc`, from schema v4): xxHash's
/// 64-bit XXH3 over seq, sender, msg_id, type, recipients, correlation_id, created_at_us,
/// journaled_at_us and body, each length-prefixed the way ``JournalChain`` hashes them
/// (integers as 8 bytes big-endian; text and body as their 8-byte big-endian length, then
/// their bytes). The fields before the body are laid out in one buffer and hashed; that
/// hash seeds the body's. The column keeps the 64 bits as a signed integer.
///
/// The writer stores it with every row; every read recomputes it and refuses a row whose
/// stored value differs, so a bit flipped on disk or a field changed behind the hub's back
/// is never served. Unlike the hash chain (checked by `swhub verify` over the whole file)
/// it checks one row on its own, cheaply: XXH3 runs at tens of GB/s, a few hundredths of a
/// microsecond for a 1 KB body (zlib's CRC-32, tried first, cost about 0.4 µs per KB:
/// 7–9 % of replay throughput), and the body is hashed where it lies, never copied.
struct RecordChecksum {
    /// The checksum of one row's fields.
    static func of(
        seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, body: UnsafeRawBufferPointer
    ) -> Int64 {
        var header: [UInt8] = []
        header.reserveCapacity(
            8 * 8 + sender.utf8.count + id.utf8.count + type.utf8.count + recipients.utf8.count + correlationId.utf8.count)
        func integer(_ number: Int64) {
            withUnsafeBytes(of: number.bigEndian) { header.append(contentsOf: $0) }
        }
        func text(_ string: String) {
            integer(Int64(string.utf8.count))
            header.append(contentsOf: string.utf8)
        }
        integer(seq)
        text(sender)
        text(id)
        text(type)
        text(recipients)
        text(correlationId)
        integer(createdAtUs)
        integer(journaledAtUs)
        integer(Int64(body.count))
        let seed = header.withUnsafeBytes { XXH3_64bits($0.baseAddress, $0.count) }
        return Int64(bitPattern: XXH3_64bits_withSeed(body.baseAddress, body.count, seed))
    }

    /// The plain checksum of some bytes.
    static func plain(_ buffer: UnsafeRawBufferPointer) -> Int64 {
        Int64(bitPattern: XXH3_64bits(buffer.baseAddress, buffer.count))
    }
}
