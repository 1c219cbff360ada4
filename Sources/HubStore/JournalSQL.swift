import Foundation
import GRDB

/// The statements of ``SQLiteJournalStore`` and the conversions between rows and values.
///
/// Statements are prepared once per connection through `Database.cachedStatement(sql:)`.
enum JournalSQL {
    /// Journals one message unless `(sender, msg_id)` is already there
    /// (then `changesCount == 0`).
    ///
    /// The body goes through `COALESCE` because SQLite binds an empty blob whose pointer
    /// is NULL as NULL.
    static let insertMessage = """
        INSERT INTO messages
            (seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain, crc)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, X''), ?, ?)
        ON CONFLICT (sender, msg_id) DO NOTHING
        """

    /// The last row's chain value (none when empty or not yet chained).
    static let selectLastChain = "SELECT chain FROM messages ORDER BY seq DESC LIMIT 1"

    /// The last row's journal time (none when empty).
    static let selectLastJournaledAt = "SELECT journaled_at_us FROM messages ORDER BY seq DESC LIMIT 1"

    /// Rows in seq order from a seq on, with their chain, for verification.
    static let selectChained = """
        SELECT seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain
        FROM messages WHERE seq > ? ORDER BY seq LIMIT ?
        """

    /// The seq of the original of a duplicate, as the (sender, msg_id) index has it (the
    /// index covers the query: the row itself is then read by seq and checked).
    static let selectOriginalSeq = "SELECT seq FROM messages WHERE sender = ? AND msg_id = ?"

    /// Moves an acknowledgement position forward, never backwards.
    static let upsertAck = """
        INSERT INTO cursors (party, acked_seq) VALUES (?, ?)
        ON CONFLICT (party) DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq)
        """

    /// Adds a progress mark unless an earlier mark of the same party and kind reached as
    /// far already (so marks rise in seq; a redelivery after a reconnect adds none).
    static let insertProgress = """
        INSERT OR IGNORE INTO progress (party, kind, seq, at_us)
        SELECT ?1, ?2, ?3, ?4
        WHERE ?3 > COALESCE((SELECT MAX(seq) FROM progress WHERE party = ?1 AND kind = ?2), 0)
        """

    /// The first mark of a party and kind at or past a seq.
    static let selectProgress = """
        SELECT seq, at_us FROM progress WHERE party = ? AND kind = ? AND seq >= ? ORDER BY seq LIMIT 1
        """

    /// Messages whose correlation id is one given (served by `messages_correlation`).
    static let selectByCorrelation = """
        SELECT \(recordColumns) FROM messages AS m WHERE m.correlation_id = ? AND m.correlation_id <> '' ORDER BY m.seq
        """

    /// The next sender after one, through the (sender, msg_id) index.
    static let selectNextSender = "SELECT MIN(sender) FROM messages WHERE sender > ?"

    /// Every acknowledgement position.
    static let selectAcks = "SELECT party, acked_seq FROM cursors"

    /// The last seq, 0 when empty.
    static let selectHead = "SELECT COALESCE(MAX(seq), 0) FROM messages"

    /// The columns ``record(from:)`` decodes, in order (the checksum last).
    private static let recordColumns = """
        m.seq, m.sender, m.msg_id, m.type, m.recipients, m.correlation_id,
        m.created_at_us, m.journaled_at_us, m.body, m.crc
        """

    /// Every row's fields and checksum, for the v4 migration's backfill.
    static let selectForChecksum = """
        SELECT seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body
        FROM messages WHERE seq > ? ORDER BY seq LIMIT ?
        """

    /// A recipient's messages after a seq, served by the `inbox` primary key (a journal
    /// before v8, read without upgrading it).
    static let selectInbox = """
        SELECT \(recordColumns)
        FROM inbox AS i JOIN messages AS m ON m.seq = i.seq
        WHERE i.recipient = ? AND i.seq > ?
        ORDER BY i.seq
        LIMIT ?
        """

    /// A recipient's messages of some types after a seq (the types are the `IN` list,
    /// appended at run time), served by the `inbox` primary key.
    static func selectInbox(typeCount count: Int) -> String {
        let marks = Array(repeating: "?", count: count).joined(separator: ", ")
        return """
            SELECT \(recordColumns)
            FROM inbox AS i JOIN messages AS m ON m.seq = i.seq
            WHERE i.recipient = ? AND i.seq > ? AND m.type IN (\(marks))
            ORDER BY i.seq
            LIMIT ?
            """
    }

    /// The messages of a seq range, in seq order, at most `?`: one range of an inbox run.
    static let selectRange = """
        SELECT \(recordColumns) FROM messages AS m WHERE m.seq BETWEEN ? AND ? ORDER BY m.seq LIMIT ?
        """

    /// The messages of some types in a seq range, in seq order, at most `?` (the types are
    /// the `IN` list, appended at run time).
    static func selectRange(typeCount count: Int) -> String {
        let marks = Array(repeating: "?", count: count).joined(separator: ", ")
        return """
            SELECT \(recordColumns) FROM messages AS m
            WHERE m.seq BETWEEN ? AND ? AND m.type IN (\(marks)) ORDER BY m.seq LIMIT ?
            """
    }

    /// The messages whose seqs a JSON array lists (ascending), of some types when
    /// `count` > 0 (the `IN` list, appended at run time), at most `?`: one lookup by seq
    /// each, as a join of the v1 inbox did. `CROSS JOIN` keeps the list as SQLite's outer
    /// loop, so the rows come in the list's order, as they are read; an `ORDER BY` would
    /// read them all into a sorter first.
    static func selectListed(typeCount count: Int) -> String {
        let marks = Array(repeating: "?", count: count).joined(separator: ", ")
        return """
            SELECT \(recordColumns) FROM json_each(?) AS j CROSS JOIN messages AS m ON m.seq = j.value
            \(count == 0 ? "" : "WHERE m.type IN (\(marks))") LIMIT ?
            """
    }

    /// The journal time of one message.
    static let selectJournaledAt = "SELECT journaled_at_us FROM messages WHERE seq = ?"

    /// One message by seq.
    static let selectBySeq = "SELECT \(recordColumns) FROM messages AS m WHERE m.seq = ?"

    /// One message by (sender, id).
    static let selectBySenderAndId = """
        SELECT \(recordColumns) FROM messages AS m WHERE m.sender = ? AND m.msg_id = ?
        """

    /// Messages after a seq, in seq order, at most `?` (the types are filtered by the caller's
    /// `IN` list, appended at run time).
    static func selectByTypes(count: Int) -> String {
        let marks = Array(repeating: "?", count: count).joined(separator: ", ")
        return "SELECT \(recordColumns) FROM messages AS m WHERE m.seq > ? AND m.type IN (\(marks)) ORDER BY m.seq LIMIT ?"
    }

    /// The messages of one sender whose ids start with a prefix (a range of the
    /// (sender, msg_id) index), in seq order.
    static let selectBySenderAndIdPrefix = """
        SELECT \(recordColumns) FROM messages AS m
        WHERE m.sender = ? AND m.msg_id >= ? AND m.msg_id < ? ORDER BY m.seq
        """

    /// `sql` (selecting `recordColumns`) as it is when the journal has checksums (v4 on),
    /// else with `NULL` for the checksum: for ``SQLiteJournalQueries``, which also reads
    /// journals no hub has upgraded yet.
    static func compatible(_ sql: String, hasChecksums: Bool) -> String {
        hasChecksums ? sql : sql.replacingOccurrences(of: "m.crc", with: "NULL AS crc")
    }

    /// Whether the journal in `db` has the `crc` column (schema v4 on).
    static func hasChecksums(_ db: Database) throws -> Bool {
        try db.columns(in: "messages").contains { $0.name == "crc" }
    }

    /// Decodes a row selected with `recordColumns` and checks it against its checksum
    /// (``JournalHashing/checksum(seq:sender:id:type:recipients:correlationId:createdAtUs:journaledAtUs:body:)``), copying the body once out of SQLite.
    ///
    /// - Throws: ``StoreError`` `corrupt` naming the row's seq (when it can be read) if the
    ///   checksum differs, is missing, or a stored value cannot be decoded.
    static func record(from row: Row, hashing: JournalHashing) throws -> JournalRecord {
        try record(from: row, checked: true, hashing: hashing)
    }

    /// ``record(from:)``, not checking the checksum when `checked` is false (a journal from
    /// before checksums, read by the inspector).
    static func record(from row: Row, checked: Bool, hashing: JournalHashing) throws -> JournalRecord {
        let storedSeq = try? row.decode(Int64.self, atIndex: 0)
        guard let storedSeq, storedSeq >= 0 else {
            throw StoreError(code: .corrupt, reason: "a journal record fails its checksum: its seq cannot be read")
        }
        let seq = UInt64(storedSeq)
        func damaged(_ why: String) -> StoreError {
            StoreError(code: .corrupt, reason: "journal record seq \(seq) fails its checksum: \(why)", seq: seq)
        }
        // SQLite converts silently (text to 0) where an integer is read: a stored time that is
        // not an integer is a damaged row, not a time of 0.
        guard isInteger(row, 6), isInteger(row, 7) else { throw damaged("a stored time is not an integer") }
        do {
            let sender = try row.decode(String.self, atIndex: 1)
            let id = try row.decode(String.self, atIndex: 2)
            let type = try row.decode(String.self, atIndex: 3)
            let recipients = try row.decode(String.self, atIndex: 4)
            let correlationId = try row.decode(String.self, atIndex: 5)
            let createdAtUs = try row.decode(Int64.self, atIndex: 6)
            let journaledAtUs = try row.decode(Int64.self, atIndex: 7)
            let stored = try row.decode(Int64?.self, atIndex: 9)
            if checked && stored == nil { throw damaged("it has no checksum") }
            let body = try row.withUnsafeData(atIndex: 8) { data in
                try (data ?? Data()).withUnsafeBytes { bytes in
                    if checked {
                        let computed = try hashing.checksum(
                            seq: storedSeq, sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
                            createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, body: bytes)
                        guard computed == stored else { throw damaged("its content no longer gives its stored checksum") }
                    }
                    return [UInt8](bytes)
                }
            }
            return JournalRecord(
                seq: seq, sender: sender, id: id, type: type, recipients: splitRecipients(recipients),
                correlationId: correlationId, createdAtUs: createdAtUs, journaledAtUs: journaledAtUs, body: body)
        } catch is RowDecodingError {
            throw damaged("a stored value has an unexpected type")
        }
    }

    /// Whether the column holds an integer (its storage class, not a conversion).
    private static func isInteger(_ row: Row, _ index: Int) -> Bool {
        let value: DatabaseValue = row[index]
        if case .int64 = value.storage { return true }
        return false
    }

    /// A stored seq as the API's `UInt64`; a negative one means a damaged journal.
    static func seq(_ stored: Int64) throws -> UInt64 {
        guard stored >= 0 else {
            throw StoreError(code: .corrupt, reason: "a stored seq is negative")
        }
        return UInt64(stored)
    }

    /// A seq or position from the API as SQLite's signed 64-bit integer.
    static func storable(_ value: UInt64, what: String, code: StoreError.Code) throws -> Int64 {
        guard let stored = Int64(exactly: value) else {
            throw StoreError(code: code, reason: "\(what) \(value) is out of range")
        }
        return stored
    }

    /// Party ids joined by `,` (see ``RecipientList``).
    static func joinRecipients(_ recipients: [String]) throws -> String {
        try RecipientList.join(recipients)
    }

    /// The party ids of a stored `recipients` column.
    static func splitRecipients(_ joined: String) -> [String] {
        RecipientList.split(joined)
    }
}
