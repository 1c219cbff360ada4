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
            let wanted = Set(types)
            var records = try archived(db, after: after, limit: limit) { $0.recipients.contains(recipient) && wanted.contains($0.type) }
            if records.count >= limit { return FetchResult(records: records, headSeq: head) }
            let damaged = try inbox(db, recipient: recipient, after: storedAfter, limit: limit, types: types, into: &records)
            return FetchResult(records: records, headSeq: head, damaged: damaged)
        }
    }

    public func firstSeq(journaledAtOrAfter us: Int64) throws -> UInt64 {
        try reading("find seq by time") {
            try pool.read { db in
                let head = try Self.head(in: db)
                if let archived = try archivedFirstSeq(db, journaledAtOrAfter: us) { return archived }
                let statement = try db.cachedStatement(sql: JournalSQL.selectJournaledAt)
                // The smallest seq in the live range whose time is >= us; head + 1 if none.
                // Seqs are contiguous from the first live seq (the writer assigns head + 1 to each new row).
                var low: UInt64 = try archivedUpTo(db) + 1
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
