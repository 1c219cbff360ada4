import Foundation
import GRDB

/// The reads a replay needs: a recipient's stream filtered by type, and the seq where a
/// time begins.
extension SQLiteJournalStore {
    public func fetch(recipient: String, after: UInt64, limit: Int, types: [String]) throws -> FetchResult {
        let types = Array(Set(types)).sorted()
        guard !types.isEmpty else { return try fetch(recipient: recipient, after: after, limit: limit) }
        guard let storedAfter = Int64(exactly: after) else { return FetchResult(records: [], headSeq: try headSeq()) }
        return try fetching("fetch by type") { db in
            let head = try Self.head(in: db)
            guard limit > 0, after < head else { return FetchResult(records: [], headSeq: head) }
            let arguments =
                StatementArguments([recipient]) + StatementArguments([storedAfter]) + StatementArguments(types)
                + StatementArguments([limit])
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: JournalSQL.selectInbox(typeCount: types.count)), arguments: arguments)
            var records: [JournalRecord] = []
            let damaged = try Self.collect(rows, into: &records)
            return FetchResult(records: records, headSeq: head, damaged: damaged)
        }
    }

    public func firstSeq(journaledAtOrAfter us: Int64) throws -> UInt64 {
        try reading("find seq by time") {
            try pool.read { db in
                let head = try Self.head(in: db)
                let statement = try db.cachedStatement(sql: JournalSQL.selectJournaledAt)
                // The smallest seq in 1...head whose time is >= us; head + 1 if none.
                // Seqs are contiguous from 1 (the writer assigns head + 1 to each new row).
                var low: UInt64 = 1
                var high = head + 1
                while low < high {
                    let middle = low + (high - low) / 2
                    let time = try Int64.fetchOne(statement, arguments: [Int64(middle)])
                    if let time, time < us {
                        low = middle + 1
                    } else {
                        high = middle
                    }
                }
                return low
            }
        }
    }
}
