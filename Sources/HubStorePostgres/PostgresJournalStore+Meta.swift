import HubStore
import PostgresNIO

extension PostgresJournalStore: JournalMetaValues {
    public func metaValue(_ key: String) throws -> String? {
        try reading("read journal_meta") { link in
            var binds = PostgresBindings()
            binds.append(key)
            return try link.rows("SELECT value FROM journal_meta WHERE key = $1", binds).first.map { try $0.decode(String.self) }
        }
    }

    public func setMetaValue(_ key: String, to value: String?) throws {
        try writing("record \(key) in journal_meta") { link in
            var binds = PostgresBindings()
            binds.append(key)
            if let value {
                binds.append(value)
                try link.execute(
                    "INSERT INTO journal_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", binds)
            } else {
                try link.execute("DELETE FROM journal_meta WHERE key = $1", binds)
            }
        }
    }
}
