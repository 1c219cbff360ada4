import GRDB

/// Reading a recipient's messages through the inbox, in either of its layouts
/// (``InboxTable``).
extension SQLiteJournalStore {
    /// Appends `recipient`'s messages after `after` (of `types` only, when any are given)
    /// to `records`, in seq order, until `records` holds `limit`.
    ///
    /// Each message read through an inbox run must name `recipient`: a damaged run never
    /// serves another party's message.
    ///
    /// - Returns: The error of a damaged record, run or page that stopped the read (the
    ///   records before it are kept), or nil.
    func inbox(
        _ db: Database, recipient: String, after: Int64, limit: Int, types: [String], into records: inout [JournalRecord]
    ) throws -> StoreError? {
        guard records.count < limit else { return nil }
        switch try InboxTable.layout(db) {
        case .rows:
            var arguments = StatementArguments([recipient])
            arguments += StatementArguments([after])
            arguments += StatementArguments(types)
            arguments += StatementArguments([limit - records.count])
            let sql = types.isEmpty ? JournalSQL.selectInbox : JournalSQL.selectInbox(typeCount: types.count)
            return try Self.collect(
                try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments), hashing: hashing, into: &records)
        case .runs:
            let runs = try Row.fetchCursor(db.cachedStatement(sql: InboxTable.selectRunsAfter), arguments: [recipient, after])
            var chunks = InboxChunks(runs: runs, after: after)
            let hashing = hashing
            return try Self.collecting(into: &records) { records in
                while records.count < limit {
                    let size = types.isEmpty ? limit - records.count : max(limit - records.count, Self.typedChunk)
                    let (seqs, damaged) = chunks.next(size)
                    if !seqs.isEmpty {
                        try Self.read(seqs, of: recipient, types: types, limit: limit, db, hashing: hashing, into: &records)
                    }
                    if let damaged { throw damaged }
                    if seqs.isEmpty { break }
                }
            }
        }
    }

    /// How many seqs a fetch by type asks for at once (most may be of other types).
    private static let typedChunk = 1000

    /// Reads the messages of `seqs` (ascending ranges) into `records`, up to `limit`: one
    /// range scan for one range, else one lookup per seq through `json_each`, in the list's
    /// order. Both return rows as they are read (no sort first), so a damaged page stops
    /// the read after the rows before it.
    private static func read(
        _ seqs: [ClosedRange<Int64>], of recipient: String, types: [String], limit: Int, _ db: Database, hashing: JournalHashing,
        into records: inout [JournalRecord]
    ) throws {
        var arguments: StatementArguments
        let statement: Statement
        if seqs.count == 1 {
            statement = try db.cachedStatement(sql: types.isEmpty ? JournalSQL.selectRange : JournalSQL.selectRange(typeCount: types.count))
            arguments = [seqs[0].lowerBound, seqs[0].upperBound]
        } else {
            statement = try db.cachedStatement(sql: JournalSQL.selectListed(typeCount: types.count))
            arguments = [InboxChunks.json(seqs)]
        }
        arguments += StatementArguments(types)
        arguments += StatementArguments([limit - records.count])
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            let record = try JournalSQL.record(from: row, hashing: hashing)
            guard record.recipients.contains(recipient) else {
                throw StoreError(
                    code: .corrupt,
                    reason: "the inbox of \(recipient) is damaged: it lists seq \(record.seq), which is not for \(recipient)",
                    seq: record.seq)
            }
            if let last = records.last, last.seq >= record.seq {
                throw StoreError(code: .readFailed, reason: "the inbox of \(recipient) was read out of order at seq \(record.seq)")
            }
            records.append(record)
        }
    }
}
