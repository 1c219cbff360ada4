import CSQLiteSettings

/// SQLite's process-wide settings for a process that hosts a journal, applied once at its
/// start, before any database is opened.
///
/// - **Multi-thread mode** (`SQLITE_CONFIG_MULTITHREAD`). Debian's SQLite defaults to
///   serialized mode, where every call on a connection (each bind, step and reset) takes
///   that connection's mutex. GRDB already gives each connection to one thread at a time (its
///   serialized accesses, which every use of a connection in this project goes through), so
///   the mutex guards nothing; the journal writer took and released it about fifteen times
///   per inserted row.
/// - **No allocation statistics** (`SQLITE_CONFIG_MEMSTATUS` off): with them, every SQLite
///   allocation and free takes one process-wide mutex, shared by the writer, the readers and
///   the checkpointer. The project reads none of those statistics.
///
/// Measured with `perf` on the journal writer thread during `swhub bench --routing-only`
/// (BENCHMARKS.md, "Per-recipient and per-row work cut").
public enum SQLiteProcessSettings {
    /// What `apply()` did.
    public struct Outcome: Sendable, Equatable {
        /// Multi-thread mode is set.
        public let multiThread: Bool
        /// Allocation statistics are off.
        public let noMemoryStatistics: Bool
    }

    /// Applies both settings. Each takes effect only if SQLite has not been initialized yet
    /// in this process (no connection opened so far); otherwise that setting is left as it
    /// was, which is still correct, only slower.
    @discardableResult
    public static func apply() -> Outcome {
        let ok: Int32 = 0
        let multiThread = swhub_sqlite_config_multithread() == ok
        let noMemoryStatistics = swhub_sqlite_config_no_memstatus() == ok
        return Outcome(multiThread: multiThread, noMemoryStatistics: noMemoryStatistics)
    }
}
