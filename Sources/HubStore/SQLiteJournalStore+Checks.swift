import GRDB

/// The store's checks on what it reads: the original a duplicate names, and fetches that
/// meet a damaged record or page.
extension SQLiteJournalStore {
    /// What a duplicate of an already journaled `(sender, id)` becomes.
    ///
    /// The (sender, msg_id) index names the original's seq; the row itself is then read by
    /// seq and must pass its checksum and carry the same sender and id. Otherwise the
    /// index is damaged and the batch fails (`corrupt`): answering "duplicate" with
    /// another message's seq would lose the submission silently.
    static func original(of entry: JournalAppend, hashing: JournalHashing, in db: Database) throws -> AppendOutcome {
        let statement = try db.cachedStatement(sql: JournalSQL.selectOriginalSeq)
        guard let stored = try Int64.fetchOne(statement, arguments: [entry.sender, entry.id]) else {
            throw StoreError(
                code: .corrupt,
                reason: "the dedup index is damaged: it refused a message as a duplicate but names no original")
        }
        let seq = stored >= 0 ? UInt64(stored) : nil
        let named = seq.map { "seq \($0)" } ?? "a negative seq"
        let record: JournalRecord?
        do {
            record = try Row.fetchOne(db.cachedStatement(sql: JournalSQL.selectBySeq), arguments: [stored])
                .map { try JournalSQL.record(from: $0, hashing: hashing) }
        } catch let error as StoreError {
            throw StoreError(
                code: .corrupt, reason: "the dedup index is damaged: it names \(named) as an original, but \(error.reason)", seq: seq)
        }
        guard let record, record.sender == entry.sender, record.id == entry.id else {
            throw StoreError(
                code: .corrupt,
                reason: "the dedup index is damaged: it names \(named) as the original of a submission, but that record "
                    + (record == nil ? "does not exist" : "is another message"),
                seq: seq)
        }
        return AppendOutcome(seq: record.seq, duplicate: true, recipients: record.recipients, journaledAtUs: record.journaledAtUs)
    }

    /// Decodes the rows of a fetch into `records` until one fails its check or SQLite
    /// reports the file damaged: returns that error (the records before it are kept).
    /// Other errors are thrown.
    static func collect(_ rows: RowCursor, hashing: JournalHashing, into records: inout [JournalRecord]) throws -> StoreError? {
        try collecting(into: &records) { records in
            while let row = try rows.next() {
                records.append(try JournalSQL.record(from: row, hashing: hashing))
            }
        }
    }

    /// Runs `body`, which appends to `records`, until it meets a damaged record or page:
    /// returns that error (the records before it are kept). Other errors are thrown.
    static func collecting(
        into records: inout [JournalRecord], _ body: (inout [JournalRecord]) throws -> Void
    ) throws -> StoreError? {
        do {
            try body(&records)
            return nil
        } catch let error as StoreError where error.code == .corrupt {
            return error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            return StoreError.mapping(error, to: .corrupt, operation: "fetch after seq \(records.last?.seq ?? 0)")
        }
    }

    /// Runs a fetch in one read transaction. When the fetch met a damaged page, SQLite
    /// fails the transaction's end too: the records read before it are still the answer.
    func fetching(_ operation: String, _ body: (Database) throws -> FetchResult) throws -> FetchResult {
        try reading(operation) {
            var partial: FetchResult?
            do {
                return try pool.read { db in
                    let result = try body(db)
                    partial = result
                    return result
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
                guard let partial, partial.damaged != nil else { throw error }
                return partial
            }
        }
    }
}
