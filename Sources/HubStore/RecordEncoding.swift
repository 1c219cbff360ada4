/// How a stored message row's fields are laid out for hashing, shared by the hash chain
/// (``JournalChain``) and the per-record checksum (``RecordChecksum``): seq, sender, msg_id,
/// type, recipients, correlation_id, created_at_us, journaled_at_us and the body's length,
/// integers as 8 bytes big-endian, text as its 8-byte big-endian length then its UTF-8
/// bytes. The body's bytes follow, hashed where they lie.
enum RecordEncoding {
    /// The bytes of every field before the body's own bytes.
    static func header(
        seq: Int64, sender: String, id: String, type: String, recipients: String, correlationId: String,
        createdAtUs: Int64, journaledAtUs: Int64, bodyCount: Int
    ) -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(
            8 * 9 + sender.utf8.count + id.utf8.count + type.utf8.count + recipients.utf8.count + correlationId.utf8.count)
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
        integer(Int64(bodyCount))
        return header
    }
}
