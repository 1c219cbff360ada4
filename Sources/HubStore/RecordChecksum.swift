internal import CZlib

/// The checksum of one stored message row (`messages.crc`, from schema v4): zlib's CRC-32
/// over seq, sender, msg_id, type, recipients, correlation_id, created_at_us,
/// journaled_at_us and body, each length-prefixed the way ``JournalChain`` hashes them
/// (integers as 8 bytes big-endian; text and body as their 8-byte big-endian length, then
/// their bytes).
///
/// The writer stores it with every row; every read recomputes it and refuses a row whose
/// stored value differs, so a bit flipped on disk or a field changed behind the hub's back
/// is never served. Unlike the hash chain (checked by `swhub verify` over the whole file)
/// it checks one row on its own, cheaply: CRC-32 runs at several GB/s, and the fields are
/// read where they lie, never copied.
struct RecordChecksum {
    private var value: UInt = 0

    init() {
        value = CZlib.crc32(0, nil, 0)
    }

    /// The checksum of one row's fields.
    static func of(
        seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, body: UnsafeRawBufferPointer
    ) -> Int64 {
        var checksum = RecordChecksum()
        checksum.integer(seq)
        checksum.text(sender)
        checksum.text(id)
        checksum.text(type)
        checksum.text(recipients)
        checksum.text(correlationId)
        checksum.integer(createdAtUs)
        checksum.integer(journaledAtUs)
        checksum.integer(Int64(body.count))
        checksum.bytes(body)
        return checksum.stored
    }

    /// The plain CRC-32 of some bytes.
    static func plain(_ buffer: UnsafeRawBufferPointer) -> Int64 {
        var checksum = RecordChecksum()
        checksum.bytes(buffer)
        return checksum.stored
    }

    /// The value as stored in the `crc` column (a CRC-32 is never negative as an `Int64`).
    var stored: Int64 { Int64(value & 0xFFFF_FFFF) }

    private mutating func integer(_ number: Int64) {
        withUnsafeBytes(of: number.bigEndian) { bytes($0) }
    }

    private mutating func text(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            integer(Int64(utf8.count))
            bytes(UnsafeRawBufferPointer(utf8))
        }
    }

    private mutating func bytes(_ buffer: UnsafeRawBufferPointer) {
        guard var base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var remaining = buffer.count
        // zlib's length is a 32-bit uInt: feed larger buffers in pieces.
        while remaining > 0 {
            let piece = min(remaining, Int(Int32.max))
            value = CZlib.crc32(value, base, uInt(piece))
            base += piece
            remaining -= piece
        }
    }
}
