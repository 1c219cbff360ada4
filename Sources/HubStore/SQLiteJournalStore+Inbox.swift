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
            let range = try db.cachedStatement(sql: types.isEmpty ? JournalSQL.selectRange : JournalSQL.selectRange(typeCount: types.count))
            let hashing = hashing
            return try Self.collecting(into: &records) { records in
                while records.count < limit, let row = try runs.next() {
                    let run = try InboxTable.run(from: row)
                    for seqs in run.ranges(after: after) where records.count < limit {
                        var arguments = StatementArguments([seqs.lowerBound, seqs.upperBound])
                        arguments += StatementArguments(types)
                        arguments += StatementArguments([limit - records.count])
                        let rows = try Row.fetchCursor(range, arguments: arguments)
                        while let row = try rows.next() {
                            let record = try JournalSQL.record(from: row, hashing: hashing)
                            guard record.recipients.contains(recipient) else {
                                throw StoreError(
                                    code: .corrupt,
                                    reason:
                                        "the inbox of \(recipient) is damaged: it lists seq \(record.seq), which is not for \(recipient)",
                                    seq: record.seq)
                            }
                            records.append(record)
                        }
                    }
                }
            }
        }
    }
}
