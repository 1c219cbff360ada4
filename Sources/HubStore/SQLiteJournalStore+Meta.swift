import GRDB

extension SQLiteJournalStore: JournalMetaValues {
    public func metaValue(_ key: String) throws -> String? {
        try reading("read journal_meta") {
            try pool.read { db in try JournalSuiteRecord.value(key, db) }
        }
    }

    public func setMetaValue(_ key: String, to value: String?) throws {
        try refuseIfReadOnly("record \(key) in journal_meta")
        try writing("record \(key) in journal_meta") {
            try pool.write { db in try JournalSuiteRecord.setValue(key, value, db) }
        }
    }
}
