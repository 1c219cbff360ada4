import HubStore
import NIOCore
import PostgresNIO

/// The journal's SQL over PostgreSQL and the conversion of its rows to records, each
/// checked against its stored checksum (in the journal's suite, ``JournalHashing``) as the SQLite store does.
enum PostgresRecords {
    /// The columns ``record(_:at:)`` decodes, in order (the checksum last).
    static let columns = """
        m.seq, m.sender, m.msg_id, m.type, m.recipients, m.correlation_id, m.created_at_us, m.journaled_at_us, m.body, m.crc
        """

    /// The head, the last archived seq and, beside them, a recipient's records after a seq up to that head
    /// (`$1` recipient, `$2` after, `$3` limit; with `typed`, `$4` the types): one
    /// statement, so one snapshot for both. One row with NULL record columns when there
    /// is no record.
    static func selectInbox(typed: Bool) -> String {
        """
        SELECT h.seq, coalesce((SELECT last_seq FROM archives ORDER BY first_seq DESC LIMIT 1), 0), r.*
        FROM journal_head AS h LEFT JOIN LATERAL (
            SELECT \(columns) FROM inbox AS i JOIN messages AS m ON m.seq = i.seq
            WHERE i.recipient = $1 AND i.seq > $2 AND i.seq <= h.seq\(typed ? " AND m.type = ANY($4)" : "")
            ORDER BY i.seq LIMIT $3
        ) AS r ON true WHERE h.id = 1
        """
    }

    /// One record by seq.
    static let selectBySeq = "SELECT \(columns) FROM messages AS m WHERE m.seq = $1"

    /// One record by (sender, id).
    static let selectBySenderAndId = "SELECT \(columns) FROM messages AS m WHERE m.sender = $1 AND m.msg_id = $2"

    /// Records of some types after a seq (`$1` after, `$2` types, `$3` limit).
    static let selectByTypes = "SELECT \(columns) FROM messages AS m WHERE m.seq > $1 AND m.type = ANY($2) ORDER BY m.seq LIMIT $3"

    /// A sender's records whose ids start with a prefix (`$1` sender, `$2` prefix, `$3`
    /// the prefix followed by U+10FFFF), in seq order.
    static let selectBySenderAndIdPrefix = """
        SELECT \(columns) FROM messages AS m WHERE m.sender = $1 AND m.msg_id >= $2 AND m.msg_id < $3 ORDER BY m.seq
        """

    /// Decodes the record whose columns start at `first` and checks its checksum.
    ///
    /// - Returns: nil when the record columns are NULL (no record on that row).
    /// - Throws: ``StoreError`` `corrupt` naming the seq when the checksum differs or a
    ///   value cannot be decoded.
    static func record(_ row: PostgresRandomAccessRow, at first: Int = 0, hashing: JournalHashing) throws -> JournalRecord? {
        let decoded: Int64?
        do {
            decoded = try row[first].decode(Int64?.self)
        } catch {
            throw StoreError(code: .corrupt, reason: "a journal record fails its checksum: its seq cannot be read")
        }
        guard let seq = decoded else { return nil }
        func damaged(_ why: String) -> StoreError {
            StoreError(code: .corrupt, reason: "journal record seq \(seq) fails its checksum: \(why)", seq: UInt64(max(seq, 0)))
        }
        guard seq >= 0 else { throw damaged("its seq is negative") }
        do {
            let sender = try row[first + 1].decode(String.self)
            let id = try row[first + 2].decode(String.self)
            let type = try row[first + 3].decode(String.self)
            let recipients = try row[first + 4].decode(String.self)
            let correlationId = try row[first + 5].decode(String.self)
            let createdAtUs = try row[first + 6].decode(Int64.self)
            let journaledAtUs = try row[first + 7].decode(Int64.self)
            let body = try row[first + 8].decode(ByteBuffer.self)
            let stored = try row[first + 9].decode(Int64.self)
            let computed = try body.withUnsafeReadableBytes { bytes in
                try hashing.checksum(
                    seq: seq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
                    createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, body: bytes)
            }
            guard computed == stored else { throw damaged("its content no longer gives its stored checksum") }
            return JournalRecord(
                seq: UInt64(seq), sender: sender, id: id, type: type, recipients: RecipientList.split(recipients),
                correlationId: correlationId, createdAtUs: createdAtUs, journaledAtUs: journaledAtUs,
                body: Array(body.readableBytesView))
        } catch let error as StoreError {
            throw error
        } catch {
            throw damaged("a stored value has an unexpected type")
        }
    }

    /// Decodes every row's record (columns from `first`), stopping at the first damaged
    /// one: its error is returned beside the records before it.
    static func collect(_ rows: [PostgresRow], at first: Int = 0, hashing: JournalHashing) -> (
        records: [JournalRecord], damaged: StoreError?
    ) {
        var records: [JournalRecord] = []
        records.reserveCapacity(rows.count)
        for row in rows {
            do {
                if let record = try record(row.makeRandomAccess(), at: first, hashing: hashing) { records.append(record) }
            } catch let error as StoreError {
                return (records, error)
            } catch {
                return (records, StoreError(code: .corrupt, reason: "a journal record cannot be decoded"))
            }
        }
        return (records, nil)
    }

    /// A seq or position from the API as PostgreSQL's `bigint`.
    static func storable(_ value: UInt64, what: String, code: StoreError.Code) throws -> Int64 {
        guard let stored = Int64(exactly: value) else { throw StoreError(code: code, reason: "\(what) \(value) is out of range") }
        return stored
    }

    /// A stored seq as the API's `UInt64`; a negative one means a damaged journal.
    static func seq(_ stored: Int64) throws -> UInt64 {
        guard stored >= 0 else { throw StoreError(code: .corrupt, reason: "a stored seq is negative") }
        return UInt64(stored)
    }
}
