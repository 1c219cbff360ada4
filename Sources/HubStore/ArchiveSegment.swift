import Foundation

/// One sealed range of the journal: the records of seqs `firstSeq...lastSeq`, with every
/// column their live rows had (the fields, the hash chain link, the checksum), so that a
/// record read back from a segment is the record the live journal served, and the chain
/// re-verifies across segments and into the live journal.
///
/// **File format** (version 1): one gzip member (RFC 1952, zlib's codec) whose content is
///
/// ```
/// "SWHUBARC"  version u32
/// first_seq i64  last_seq i64  count i64  first_journaled_at_us i64  last_journaled_at_us i64
/// link_before [32]   (the chain link of seq first_seq - 1; 32 zero bytes before seq 1)
/// link_after  [32]   (the chain link of last_seq)
/// count × record:  RecordEncoding's header (seq, sender, msg_id, type, recipients,
///                  correlation_id, created_at_us, journaled_at_us, body length), the body,
///                  chain [32], crc i64
/// "SWHUBEND"  digest [32]   (SHA-256 of every byte before "SWHUBEND"; SM3 in a `crypto: sm` journal)
/// ```
///
/// integers big-endian, text as an 8-byte length then UTF-8. gzip's CRC-32 and the
/// SHA-256 trailer check the whole file; each record's checksum and chain link check it on
/// its own (chain, checksum and trailer in the journal's suite, ``JournalHashing``).
/// ``decode(_:file:hashing:)`` checks all of them.
public struct ArchiveSegment: Sendable, Equatable {
    /// One archived record: the record, and its stored chain link and checksum.
    public struct Record: Sendable, Equatable {
        public var record: JournalRecord
        /// The stored `recipients` column (party ids joined by `,`), as chained.
        public var recipients: String
        public var chain: [UInt8]
        public var crc: Int64

        public init(record: JournalRecord, recipients: String, chain: [UInt8], crc: Int64) {
            self.record = record
            self.recipients = recipients
            self.chain = chain
            self.crc = crc
        }
    }

    /// The format version this code writes and reads.
    public static let version: UInt32 = 1
    static let magic = Array("SWHUBARC".utf8)
    static let endMagic = Array("SWHUBEND".utf8)

    public var firstSeq: UInt64
    public var lastSeq: UInt64
    public var firstJournaledAtUs: Int64
    public var lastJournaledAtUs: Int64
    /// The chain link before the first record, and the last record's link.
    public var linkBefore: [UInt8]
    public var linkAfter: [UInt8]
    public var records: [Record]

    /// The content, uncompressed, with its trailer.
    func encoded(hashing: JournalHashing) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.reduce(256) { $0 + $1.record.body.count + 200 })
        out += Self.magic
        withUnsafeBytes(of: Self.version.bigEndian) { out += $0 }
        func integer(_ value: Int64) { withUnsafeBytes(of: value.bigEndian) { out += $0 } }
        integer(Int64(firstSeq))
        integer(Int64(lastSeq))
        integer(Int64(records.count))
        integer(firstJournaledAtUs)
        integer(lastJournaledAtUs)
        out += linkBefore
        out += linkAfter
        for entry in records {
            let record = entry.record
            out += RecordEncoding.header(
                seq: Int64(record.seq), sender: record.sender, id: record.id, type: record.type, recipients: entry.recipients,
                correlationId: record.correlationId, createdAtUs: record.createdAtUs, journaledAtUs: record.journaledAtUs,
                bodyCount: record.body.count)
            out += record.body
            out += entry.chain
            integer(entry.crc)
        }
        let digest = try hashing.digest(out)
        out += Self.endMagic
        out += digest
        return out
    }

    /// The file's bytes: the content gzip-compressed.
    func fileBytes(hashing: JournalHashing) throws -> [UInt8] {
        try Gzip.compress(encoded(hashing: hashing))
    }

    /// Reads and checks a segment file's bytes.
    /// - Throws: `StoreError` `archiveDamaged` naming `file` and what is wrong (and the seq, for a record).
    public static func decode(fileBytes: [UInt8], file: String, hashing: JournalHashing) throws -> ArchiveSegment {
        let content: [UInt8]
        do {
            content = try Gzip.decompress(fileBytes)
        } catch {
            throw StoreError(code: .archiveDamaged, reason: "archive segment \(file) cannot be decompressed: \(error)")
        }
        return try decode(content, file: file, hashing: hashing)
    }

    /// Reads and checks a segment's uncompressed content.
    static func decode(_ content: [UInt8], file: String, hashing: JournalHashing) throws -> ArchiveSegment {
        func damaged(_ why: String, seq: UInt64? = nil) -> StoreError {
            StoreError(code: .archiveDamaged, reason: "archive segment \(file) is damaged: \(why)", seq: seq)
        }
        let trailer = endMagic.count + 32
        guard content.count >= magic.count + 4 + 40 + 64 + trailer, Array(content.prefix(magic.count)) == magic else {
            throw damaged("not an archive segment (no SWHUBARC header)")
        }
        let bodyEnd = content.count - trailer
        guard Array(content[bodyEnd..<bodyEnd + endMagic.count]) == endMagic else { throw damaged("no SWHUBEND trailer") }
        guard try hashing.digest(content[0..<bodyEnd]) == Array(content[(bodyEnd + endMagic.count)...]) else {
            throw damaged("its \(hashing.suite.chainHashName) does not match its trailer")
        }
        var reader = Reader(content: content, position: magic.count, end: bodyEnd)
        let version = try reader.uint32()
        guard version == Self.version else { throw damaged("format version \(version), this hub reads \(Self.version)") }
        let first = try reader.seq()
        let last = try reader.seq()
        let count = try reader.int64()
        var segment = ArchiveSegment(
            firstSeq: first, lastSeq: last, firstJournaledAtUs: try reader.int64(), lastJournaledAtUs: try reader.int64(),
            linkBefore: try reader.bytes(32), linkAfter: try reader.bytes(32), records: [])
        guard first >= 1, last >= first, count == Int64(last - first + 1) else {
            throw damaged("its header says seqs \(first)–\(last) and \(count) records")
        }
        var previous = segment.linkBefore
        var expected = first
        segment.records.reserveCapacity(Int(count))
        while reader.position < reader.end {
            let seq = try reader.seq()
            guard seq == expected else { throw damaged("seq \(seq) found where seq \(expected) was expected", seq: expected) }
            let sender = try reader.text()
            let id = try reader.text()
            let type = try reader.text()
            let recipients = try reader.text()
            let correlationId = try reader.text()
            let createdAtUs = try reader.int64()
            let journaledAtUs = try reader.int64()
            let bodyCount = try reader.int64()
            guard bodyCount >= 0 else { throw damaged("a negative body length", seq: seq) }
            let body = try reader.bytes(Int(bodyCount))
            let chain = try reader.bytes(32)
            let crc = try reader.int64()
            let (link, checksum) = try body.withUnsafeBytes { bytes in
                try hashing.row(
                    previous: previous, seq: Int64(seq), sender: sender, id: id, type: type, recipients: recipients,
                    correlationId: correlationId, createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, body: bytes)
            }
            guard checksum == crc else { throw damaged("record seq \(seq) fails its checksum", seq: seq) }
            guard link == chain else { throw damaged("record seq \(seq) does not continue the hash chain", seq: seq) }
            previous = chain
            let record = JournalRecord(
                seq: seq, sender: sender, id: id, type: type, recipients: JournalSQL.splitRecipients(recipients),
                correlationId: correlationId, createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, body: body)
            segment.records.append(Record(record: record, recipients: recipients, chain: chain, crc: crc))
            expected += 1
        }
        guard expected == last + 1 else { throw damaged("it ends at seq \(expected - 1), its header says \(last)", seq: expected) }
        guard previous == segment.linkAfter else { throw damaged("its last link is not the one its header names", seq: last) }
        return segment
    }

    /// A bounds-checked reader of the content.
    struct Reader {
        var content: [UInt8]
        var position: Int
        var end: Int

        mutating func bytes(_ count: Int) throws -> [UInt8] {
            guard count >= 0, end - position >= count else {
                throw StoreError(code: .archiveDamaged, reason: "archive segment is damaged: the content ends inside a field")
            }
            defer { position += count }
            return Array(content[position..<position + count])
        }

        mutating func int64() throws -> Int64 {
            let raw = try bytes(8)
            return raw.reduce(Int64(0)) { ($0 << 8) | Int64($1) }
        }

        mutating func uint32() throws -> UInt32 {
            let raw = try bytes(4)
            return raw.reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        }

        mutating func seq() throws -> UInt64 {
            let value = try int64()
            guard value >= 0 else { throw StoreError(code: .archiveDamaged, reason: "archive segment is damaged: a negative seq") }
            return UInt64(value)
        }

        mutating func text() throws -> String {
            let count = try int64()
            guard count >= 0, count <= Int64(end - position) else {
                throw StoreError(code: .archiveDamaged, reason: "archive segment is damaged: a text length past the end")
            }
            let raw = try bytes(Int(count))
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw StoreError(code: .archiveDamaged, reason: "archive segment is damaged: text that is not UTF-8")
            }
            return text
        }
    }
}
