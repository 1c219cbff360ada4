import GRDB

extension SQLiteJournalStore {
    /// After a commit, on the writer connection: when the `-wal` file passed its bound
    /// (``WALCheckpointer/walLimitBytes``), a RESTART checkpoint right here. The
    /// checkpointer thread's own checkpoint must first win the write lock from a writer that
    /// commits back to back, and under load it lost long enough for the WAL to grow by tens
    /// of megabytes; the writer already holds it. Readers of older snapshots are waited for
    /// 0.2 s at most (a try they hold up is repeated a second later), so a long read beside
    /// the hub (`swhub verify`) delays appends by no more than that. RESTART, not TRUNCATE:
    /// the next commit writes the log from its start again and cuts the file back to the
    /// bound (`journal_size_limit`), so commits go on overwriting blocks the file already
    /// has; a file emptied to zero bytes grows again with every commit, and each growth
    /// makes the commit's `fdatasync` wait for a file system journal commit as well.
    static func boundWAL(_ db: Database, checkpointer: WALCheckpointer?, writer: WriterState) {
        guard let checkpointer, checkpointer.walBytes > WALCheckpointer.walLimitBytes else { return }
        let now = ContinuousClock.now
        guard now >= writer.nextTruncate else { return }
        do {
            try db.execute(sql: "PRAGMA busy_timeout = \(Int(WALCheckpointer.truncateWait * 1000))")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = \(busyTimeoutMs)") }
            // (busy, WAL frames, frames checkpointed): busy 0 when it completed.
            let busy = try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(RESTART)") ?? 1
            if busy != 0 { writer.nextTruncate = now + .seconds(1) }
        } catch {
            writer.nextTruncate = now + .seconds(1)
        }
    }

    /// The writer's busy timeout (the store's `busyMode`), restored after the checkpoint.
    static let busyTimeoutMs = 10_000
}
