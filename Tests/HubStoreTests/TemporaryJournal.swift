import Foundation
import GRDB
import HubStore
import Logging

/// A journal file in a fresh temporary directory, removed by ``remove()``.
struct TemporaryJournal {
    /// The directory holding the journal.
    let directory: URL

    /// The journal file's path.
    var path: String { directory.appendingPathComponent("journal.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("HubStoreTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Opens a new store instance on the journal file.
    func open() throws -> SQLiteJournalStore {
        try SQLiteJournalStore(path: path, logger: Self.logger)
    }

    /// Writes a journal as the first schema (`v1-journal`, before the hash chain and the
    /// progress log) left it: messages `old-1`…`old-<count>` from alice to bob, and bob's
    /// acknowledgement position if given.
    func writeVersion1(messages count: Int, bobAcked: UInt64? = nil) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1-journal');
                    CREATE TABLE messages (
                        seq INTEGER PRIMARY KEY, sender TEXT NOT NULL, msg_id TEXT NOT NULL, type TEXT NOT NULL,
                        recipients TEXT NOT NULL, correlation_id TEXT NOT NULL, created_at_us INTEGER NOT NULL,
                        journaled_at_us INTEGER NOT NULL, body BLOB NOT NULL, UNIQUE (sender, msg_id));
                    CREATE TABLE inbox (recipient TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (recipient, seq)) WITHOUT ROWID;
                    CREATE TABLE cursors (party TEXT PRIMARY KEY, acked_seq INTEGER NOT NULL);
                    """)
            if let bobAcked {
                try db.execute(sql: "INSERT INTO cursors VALUES ('bob', ?)", arguments: [bobAcked])
            }
            for seq in 1...count {
                try db.execute(
                    sql: "INSERT INTO messages VALUES (?, 'alice', ?, 'order', 'bob', '', 1, 2, ?)",
                    arguments: [seq, "old-\(seq)", Data(body(for: "old-\(seq)"))])
                try db.execute(sql: "INSERT INTO inbox VALUES ('bob', ?)", arguments: [seq])
            }
        }
    }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A logger that discards everything, so test output stays readable.
    static let logger = Logger(label: "HubStoreTests", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Runs `body` with a fresh journal directory and removes it afterwards.
func withTemporaryJournal<R>(_ body: (TemporaryJournal) throws -> R) throws -> R {
    let journal = try TemporaryJournal()
    defer { journal.remove() }
    return try body(journal)
}

/// A message to `recipients` with a body of `bodySize` bytes derived from `id`.
func message(
    sender: String = "alice",
    id: String,
    type: String = "order",
    recipients: [String] = ["bob"],
    correlationId: String = "",
    createdAtUs: Int64 = 1_700_000_000_000_000,
    bodySize: Int = 16
) -> JournalAppend {
    JournalAppend(
        sender: sender, id: id, type: type, recipients: recipients,
        correlationId: correlationId, createdAtUs: createdAtUs, body: body(for: id, size: bodySize)
    )
}

/// A body whose bytes depend on `id`, so a mixed-up body shows.
func body(for id: String, size: Int = 16) -> [UInt8] {
    let seed = id.utf8.reduce(UInt8(0)) { $0 &+ $1 }
    return (0..<size).map { UInt8(truncatingIfNeeded: $0) &+ seed }
}
