import GRDB

/// The one way a record enters the SQLite journal: its chain link and checksum worked out,
/// its row inserted (its recipients' inbox entries are gathered by the caller into one
/// ``InboxRun`` per recipient and commit). Used by every append (the hub's group
/// commits and ``SQLiteJournalStore/appendStamped(_:)``).
extension SQLiteJournalStore {
    /// Inserts `entry` as record `seq`, unless (sender, id) is already
    /// journaled (`INSERT OR IGNORE`: nothing is then written).
    ///
    /// - Parameters:
    ///   - entry: The entry.
    ///   - recipients: Its recipients as stored (`JournalSQL.joinRecipients`).
    ///   - seq: The seq it gets (the head + 1).
    ///   - chain: The chain link of the record before it.
    ///   - journaledAtUs: Its journal time.
    ///   - hashing: The journal's suite's hash functions.
    ///   - statement: The cached `insertMessage` statement of `db`.
    ///   - db: The writer's connection, inside the append's transaction.
    /// - Returns: The record's chain link, or nil when it was a duplicate.
    static func insertRecord(
        _ entry: JournalAppend, recipients: String, seq: Int64, after chain: [UInt8], journaledAtUs: Int64, hashing: JournalHashing,
        statement: Statement, in db: Database
    ) throws -> [UInt8]? {
        let link = try entry.body.withUnsafeBytes { bytes in
            let (link, crc) = try hashing.row(
                previous: chain, seq: seq, sender: entry.sender, id: entry.id, type: entry.type,
                recipients: recipients, correlationId: entry.correlationId, createdAtUs: entry.createdAtUs,
                journaledAtUs: journaledAtUs, body: bytes)
            try link.withUnsafeBytes { chainBytes in
                try SQLiteRowWrite.run(statement, in: db) { row in
                    row.int(1, seq)
                    row.text(2, entry.sender)
                    row.text(3, entry.id)
                    row.text(4, entry.type)
                    row.text(5, recipients)
                    row.text(6, entry.correlationId)
                    row.int(7, entry.createdAtUs)
                    row.int(8, journaledAtUs)
                    row.blob(9, bytes)
                    row.blob(10, chainBytes)
                    row.int(11, crc)
                }
            }
            return link
        }
        return db.changesCount > 0 ? link : nil
    }
}
