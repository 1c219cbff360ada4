import HubLifecycle
import HubStore
import PostgresNIO

/// What hub nodes sharing the database need beyond ``JournalStore``: the head before each
/// append (``appendReportingHead(_:acks:progress:)``), the records the other nodes
/// journaled, and a watcher of the head.
extension PostgresJournalStore: SharedJournal {
    public func records(after: UInt64, through: UInt64, limit: Int) throws -> FetchResult {
        guard let storedAfter = Int64(exactly: after) else { return FetchResult(records: [], headSeq: try headSeq()) }
        let storedThrough = Int64(clamping: through)
        return try reading("read records by seq") { link in
            var binds = PostgresBindings()
            binds.append(storedAfter)
            binds.append(storedThrough)
            binds.append(max(limit, 0))
            let rows = try link.rows(
                """
                SELECT h.seq, r.* FROM journal_head AS h LEFT JOIN LATERAL (
                    SELECT \(PostgresRecords.columns) FROM messages AS m
                    WHERE m.seq > $1 AND m.seq <= least($2, h.seq) ORDER BY m.seq LIMIT $3
                ) AS r ON true WHERE h.id = 1
                """, binds)
            guard let first = rows.first else { throw StoreError(code: .corrupt, reason: "the journal's head row is missing") }
            let head = try PostgresRecords.seq(first.makeRandomAccess()[0].decode(Int64.self))
            var (records, damaged) = PostgresRecords.collect(rows, at: 1, hashing: hashing)
            // Seqs are contiguous: a missing one is a damaged journal, never skipped silently.
            var expected = after + 1
            for (index, record) in records.enumerated() {
                if record.seq != expected {
                    damaged = damaged ?? StoreError(code: .corrupt, reason: "journal record seq \(expected) is missing", seq: expected)
                    records.removeLast(records.count - index)
                    break
                }
                expected += 1
            }
            if damaged == nil, records.count < limit, expected <= min(through, head) {
                damaged = StoreError(code: .corrupt, reason: "journal record seq \(expected) is missing", seq: expected)
            }
            return FetchResult(records: records, headSeq: head, damaged: damaged)
        }
    }

    public func headWatcher(_ onAdvance: @escaping @Sendable (UInt64) -> Void) -> ThreadLoopService {
        PostgresHeadWatcher(pool: pool, logger: logger, onAdvance: onAdvance).service
    }
}
