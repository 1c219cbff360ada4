import HubCore
import HubStore
import PostgresNIO

/// Where a PostgreSQL journal records its algorithm suite (``CryptoSuite``): the
/// `journal_meta` table (schema v3), key `crypto`, as the SQLite journal does
/// (``JournalSuiteRecord``). A journal takes the suite of the config it is created with; one
/// that held records before v3 is `standard`.
enum PostgresJournalSuite {
    /// The suite recorded (`standard` for a journal without the table or the row).
    /// - Throws: ``StoreError`` `corrupt` for a value this hub does not know.
    static func read(_ link: PostgresLink) throws -> CryptoSuite {
        let exists =
            try link.rows("SELECT to_regclass('journal_meta') IS NOT NULL").first.map { try $0.decode(Bool.self) } ?? false
        guard exists else { return .legacy }
        var binds = PostgresBindings()
        binds.append("crypto")
        guard let value = try link.rows("SELECT value FROM journal_meta WHERE key = $1", binds).first.map({ try $0.decode(String.self) })
        else { return .legacy }
        guard let suite = CryptoSuite(rawValue: value) else {
            throw StoreError(
                code: .corrupt, reason: "the journal records crypto '\(value)', which this hub does not know (known: standard, sm)")
        }
        return suite
    }

    /// Records `suite` unless a suite is recorded already (called under the migration lock,
    /// after the migrations: a journal that held records then recorded `standard` in v3).
    static func recordIfNew(_ suite: CryptoSuite, _ link: PostgresLink) throws {
        var binds = PostgresBindings()
        binds.append("crypto")
        binds.append(suite.rawValue)
        try link.execute("INSERT INTO journal_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", binds)
    }

    /// Records `suite`, replacing what is recorded (`swhub migrate`, into an empty journal,
    /// inside its copy's transaction: the copy keeps its source's suite).
    static func replace(with suite: CryptoSuite, _ link: PostgresLink) throws {
        var binds = PostgresBindings()
        binds.append("crypto")
        binds.append(suite.rawValue)
        try link.execute(
            "INSERT INTO journal_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", binds)
    }

    /// The hash functions of the journal `link` reads.
    static func hashing(_ link: PostgresLink) throws -> JournalHashing {
        try JournalHashing(try read(link))
    }
}
