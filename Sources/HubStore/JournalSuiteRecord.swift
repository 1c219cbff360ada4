import Foundation
import GRDB
import HubCore

/// Where a SQLite journal records its algorithm suite (``CryptoSuite``): the `journal_meta`
/// table (schema v7), key `crypto`. A journal takes the suite it is created with (`crypto:`
/// of the config that created it) and keeps it for life; a journal written before suites
/// (no table or no row) is `standard`.
public enum JournalSuiteRecord {
    static let createTable = """
        CREATE TABLE journal_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID
        """
    static let key = "crypto"

    /// The suite recorded in the journal `db` is a connection to.
    /// - Throws: ``StoreError`` `corrupt` when the recorded value is not a suite this hub knows.
    public static func suite(_ db: Database) throws -> CryptoSuite {
        guard let value = try value(key, db) else { return .legacy }
        guard let suite = CryptoSuite(rawValue: value) else {
            throw StoreError(
                code: .corrupt, reason: "the journal records crypto '\(value)', which this hub does not know (known: standard, sm)")
        }
        return suite
    }

    /// Records `suite` (inside the migration that creates the table).
    static func record(_ suite: CryptoSuite, _ db: Database) throws {
        try setValue(key, suite.rawValue, db)
    }

    /// The value `journal_meta` holds under `key` (nil without the table or the row): the
    /// suite's, and those of ``JournalMetaValues``.
    static func value(_ key: String, _ db: Database) throws -> String? {
        guard try db.tableExists("journal_meta") else { return nil }
        return try String.fetchOne(db, sql: "SELECT value FROM journal_meta WHERE key = ?", arguments: [key])
    }

    /// Records `value` under `key` in `journal_meta`, replacing what was there; nil removes it.
    static func setValue(_ key: String, _ value: String?, _ db: Database) throws {
        if let value {
            try db.execute(sql: "INSERT OR REPLACE INTO journal_meta (key, value) VALUES (?, ?)", arguments: [key, value])
        } else {
            try db.execute(sql: "DELETE FROM journal_meta WHERE key = ?", arguments: [key])
        }
    }

    /// Whether the journal holds nothing yet (no message, no archived range): such a journal
    /// takes the suite of the config that opens it first.
    static func isEmpty(_ db: Database) throws -> Bool {
        let messages = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM messages LIMIT 1)") ?? 0
        let archived =
            try db.tableExists("archives") ? (try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM archives LIMIT 1)") ?? 0) : 0
        return messages == 0 && archived == 0
    }

    /// The suite of the SQLite journal at `path`, read through a read-only connection of its
    /// own (safe beside a running hub).
    /// - Throws: ``StoreError`` `openFailed` (no readable journal there) or `corrupt`.
    public static func read(journalPath path: String) throws -> CryptoSuite {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .openFailed, reason: "no journal at \(path)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "HubStore.suite"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { try suite($0) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .openFailed, reason: "\(path) is not a readable journal: \(error)")
        }
    }

    /// The error of a journal whose suite is not the one asked for.
    public static func mismatch(journal: String, recorded: CryptoSuite, configured: CryptoSuite) -> StoreError {
        StoreError(
            code: .suiteMismatch,
            reason:
                "the journal \(journal) was created with crypto: \(recorded.rawValue) (\(recorded.chainHashName) chain), "
                + "the config says crypto: \(configured.rawValue); a journal keeps its suite for life: set crypto: \(recorded.rawValue), "
                + "or start a new journal")
    }
}
