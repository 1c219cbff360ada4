import GRDB

extension SQLiteJournalStore: JournalMetaValues {
    public func metaValue(_ key: String) throws -> String? {
        try reading("read journal_meta") {
            try pool.read { db in
                guard try db.tableExists("journal_meta") else { return nil }
                return try String.fetchOne(db, sql: "SELECT value FROM journal_meta WHERE key = ?", arguments: [key])
            }
        }
    }

    public func setMetaValue(_ key: String, to value: String?) throws {
        try refuseIfReadOnly("record \(key) in journal_meta")
        try writing("record \(key) in journal_meta") {
            try pool.write { db in
                if let value {
                    try db.execute(sql: "INSERT OR REPLACE INTO journal_meta (key, value) VALUES (?, ?)", arguments: [key, value])
                } else {
                    try db.execute(sql: "DELETE FROM journal_meta WHERE key = ?", arguments: [key])
                }
            }
        }
    }
}
