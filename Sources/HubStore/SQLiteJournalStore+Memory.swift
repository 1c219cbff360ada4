extension SQLiteJournalStore {
    /// Frees what SQLite's connections hold that they can do without (page caches): for a
    /// hub once it has started, when reading the flows' snapshot and the journal after it
    /// filled them.
    public func releaseMemory() {
        pool.releaseMemory()
    }
}
