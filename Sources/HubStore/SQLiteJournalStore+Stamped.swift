import GRDB

/// Appending records with journal times given by the caller: for writing a journal that
/// stands for months of traffic in minutes (`swhub bench-flows-restart`), never for a
/// running hub, whose times are the clock's.
extension SQLiteJournalStore {
    /// Appends `batch` in one transaction, each entry stamped with its own journal time
    /// (raised to the previous record's when earlier: times never decrease with seq), then
    /// writes the head record and checkpoints the WAL into the database (no checkpointer
    /// runs beside this).
    ///
    /// - Parameter batch: The entries, in order, each with its `journaled_at_us`.
    /// - Returns: One outcome per entry.
    public func appendStamped(_ batch: [(entry: JournalAppend, journaledAtUs: Int64)]) throws -> [AppendOutcome] {
        try refuseIfReadOnly("append")
        let joined = try batch.map { try JournalSQL.joinRecipients($0.entry.recipients) }
        let (outcomes, seal) = try writing("append stamped") {
            try pool.writeWithoutTransaction { db -> ([AppendOutcome], HeadSeal?) in
                var head = writer.head
                var chain = writer.chain
                var last = writer.lastJournaledAtUs
                var outcomes: [AppendOutcome] = []
                outcomes.reserveCapacity(batch.count)
                try db.inTransaction(.immediate) {
                    let insertMessage = try db.cachedStatement(sql: JournalSQL.insertMessage)
                    var inbox = InboxRunBuilder()
                    for ((entry, stamp), recipients) in zip(batch, joined) {
                        let seq = head + 1
                        let at = max(stamp, last)
                        if let link = try Self.insertRecord(
                            entry, recipients: recipients, seq: seq, after: chain, journaledAtUs: at, hashing: hashing,
                            statement: insertMessage, in: db)
                        {
                            head = seq
                            chain = link
                            inbox.add(seq, recipients: entry.recipients)
                            last = at
                            outcomes.append(
                                AppendOutcome(seq: UInt64(seq), duplicate: false, recipients: entry.recipients, journaledAtUs: at))
                        } else {
                            outcomes.append(try Self.original(of: entry, hashing: hashing, in: db))
                        }
                    }
                    try InboxTable.insert(inbox.runs(), in: db)
                    return .commit
                }
                let moved = head != writer.head
                writer.head = head
                writer.chain = chain
                writer.lastJournaledAtUs = last
                _ = try? Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                let seal = moved ? headRecord.map { HeadSeal(record: $0, mark: HeadRecord.Mark(seq: UInt64(head), chain: chain)) } : nil
                return (outcomes, seal)
            }
        }
        if let seal { try writing("append stamped") { try seal.write() } }
        return outcomes
    }
}
