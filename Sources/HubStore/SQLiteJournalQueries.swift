import Foundation
import GRDB

/// ``JournalQueries`` on a SQLite journal file, for the operators' commands: opened
/// read-only, safe beside a running hub (SQLite in WAL mode lets readers in while the hub
/// writes, and this never writes, checkpoints or migrates). It reads journals of every
/// schema version: records of a journal from before checksums (v4) unchecked, and no
/// progress marks from one before the progress log (v3).
public struct SQLiteJournalQueries: JournalQueries {
    private let queue: DatabaseQueue
    private let archive: JournalArchive

    /// Opens `path` read-only.
    ///
    /// - Parameters:
    ///   - path: The journal file.
    ///   - archiveDirectory: Where the archive segments are (`archive.dir`); nil: where the
    ///     manifest says they were written. Archived records are read transparently (``ArchivedQueries``).
    /// - Throws: ``StoreError`` `openFailed` when the file is missing or not a journal.
    public init(path: String, archiveDirectory: String? = nil) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .openFailed, reason: "no journal at \(path)")
        }
        archive = JournalArchive(directory: archiveDirectory, hashing: try JournalHashing(try JournalSuiteRecord.read(journalPath: path)))
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "HubStore.inspector"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM messages LIMIT 1") }
        } catch {
            throw StoreError(code: .openFailed, reason: "\(path) is not a readable journal: \(error)")
        }
    }

    public func record(sender: String, id: String) throws -> JournalRecord? {
        try read { try $0.record(sender: sender, id: id) }
    }

    public func seq(sender: String, id: String) throws -> UInt64? {
        try read { try $0.seq(sender: sender, id: id) }
    }

    public func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        try read { try $0.records(sender: sender, idPrefix: prefix) }
    }

    public func nextSender(after sender: String) throws -> String? {
        try read { try $0.nextSender(after: sender) }
    }

    public func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        try read { try $0.records(types: types, after: after, limit: limit) }
    }

    public func records(correlationId: String) throws -> [JournalRecord] {
        try read { try $0.records(correlationId: correlationId) }
    }

    public func progressMark(party: String, kind: ProgressMark.Kind, atOrAfter seq: UInt64) throws -> ProgressMark? {
        try read { try $0.progressMark(party: party, kind: kind, atOrAfter: seq) }
    }

    public func counts(by grouping: JournalCount.Grouping) throws -> [JournalCount] {
        try read { try $0.counts(by: grouping) }
    }

    public func ackPositions() throws -> [String: UInt64] {
        try read { try $0.ackPositions() }
    }

    public func headSeq() throws -> UInt64 {
        try read { try $0.headSeq() }
    }

    /// Runs `body` inside one read transaction of the file.
    public func snapshot<R>(_ body: (any JournalQueries) throws -> R) throws -> R {
        try read { try body($0) }
    }

    /// Runs `body` in a read transaction; errors other than ``StoreError`` become `readFailed`.
    private func read<R>(_ body: (any JournalQueries) throws -> R) throws -> R {
        do {
            return try queue.read { db in
                let entries = try ArchiveManifest.entries(db)
                guard !entries.isEmpty else { return try body(SQLiteJournalSnapshot(db)) }
                return try body(ArchivedQueries(live: SQLiteJournalSnapshot(db), entries: entries, archive: archive))
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .readFailed, reason: "\(error)")
        }
    }
}
