import GRDB

extension SQLiteJournalStore {
    /// After a commit, on the writer connection: when the `-wal` file passed its bound
    /// (``WALCheckpointer/walLimitBytes``), a TRUNCATE checkpoint right here. The
    /// checkpointer thread's own TRUNCATE must first win the write lock from a writer that
    /// commits back to back, and under load it lost long enough for the WAL to grow by tens
    /// of megabytes; the writer already holds it. Readers of older snapshots are waited for
    /// 0.2 s at most (a try they hold up is repeated a second later), so a long read beside
    /// the hub (`swhub verify`) delays appends by no more than that.
    static func boundWAL(_ db: Database, checkpointer: WALCheckpointer?, writer: WriterState) {
        guard let checkpointer, checkpointer.walBytes > WALCheckpointer.walLimitBytes else { return }
        let now = ContinuousClock.now
        guard now >= writer.nextTruncate else { return }
        do {
            try db.execute(sql: "PRAGMA busy_timeout = \(Int(WALCheckpointer.truncateWait * 1000))")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = \(busyTimeoutMs)") }
            // (busy, WAL frames, frames checkpointed): busy 0 when it completed.
            let busy = try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") ?? 1
            if busy != 0 { writer.nextTruncate = now + .seconds(1) }
        } catch {
            writer.nextTruncate = now + .seconds(1)
        }
    }

    /// The writer's busy timeout (the store's `busyMode`), restored after a truncation.
    static let busyTimeoutMs = 10_000
}
