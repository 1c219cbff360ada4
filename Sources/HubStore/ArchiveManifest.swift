import Foundation
import GRDB

/// The journal's `archives` table (schema v5): one row per sealed archive segment
/// (``ArchiveSegment``), in seq order, ranges contiguous from seq 1. A row stays when its
/// file is deleted past retention (`deleted_at_us` set), so the chain is still checked
/// across the gap and `swhub verify` can say how many records retention removed.
public enum ArchiveManifest {
    /// One segment as the manifest records it.
    public struct Entry: Sendable, Equatable {
        public var firstSeq: UInt64
        public var lastSeq: UInt64
        /// The file's name, and the folder it was written to.
        public var file: String
        public var directory: String
        /// The file's size and SHA-256.
        public var bytes: Int64
        public var sha256: [UInt8]
        public var linkBefore: [UInt8]
        public var linkAfter: [UInt8]
        public var firstJournaledAtUs: Int64
        public var lastJournaledAtUs: Int64
        /// Every type in the segment, with the journal time of its newest record (for retention).
        public var typeNewest: [String: Int64]
        public var sealedAtUs: Int64
        /// When the file was deleted past retention; nil while it is kept.
        public var deletedAtUs: Int64?

        public init(
            firstSeq: UInt64, lastSeq: UInt64, file: String, directory: String, bytes: Int64, sha256: [UInt8], linkBefore: [UInt8],
            linkAfter: [UInt8], firstJournaledAtUs: Int64, lastJournaledAtUs: Int64, typeNewest: [String: Int64], sealedAtUs: Int64,
            deletedAtUs: Int64?
        ) {
            self.firstSeq = firstSeq
            self.lastSeq = lastSeq
            self.file = file
            self.directory = directory
            self.bytes = bytes
            self.sha256 = sha256
            self.linkBefore = linkBefore
            self.linkAfter = linkAfter
            self.firstJournaledAtUs = firstJournaledAtUs
            self.lastJournaledAtUs = lastJournaledAtUs
            self.typeNewest = typeNewest
            self.sealedAtUs = sealedAtUs
            self.deletedAtUs = deletedAtUs
        }

        /// How many records.
        public var records: UInt64 { lastSeq - firstSeq + 1 }
        /// Whether the file is kept (not deleted past retention).
        public var isKept: Bool { deletedAtUs == nil }
    }

    static let createTable = """
        CREATE TABLE archives (
            first_seq INTEGER PRIMARY KEY,
            last_seq INTEGER NOT NULL,
            file TEXT NOT NULL,
            directory TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            sha256 BLOB NOT NULL,
            link_before BLOB NOT NULL,
            link_after BLOB NOT NULL,
            first_journaled_at_us INTEGER NOT NULL,
            last_journaled_at_us INTEGER NOT NULL,
            type_newest TEXT NOT NULL,
            sealed_at_us INTEGER NOT NULL,
            deleted_at_us INTEGER
        )
        """

    /// Whether the database has the table (a journal no hub of schema v5 on has opened has none).
    static func exists(_ db: Database) throws -> Bool {
        try db.tableExists("archives")
    }

    /// Every entry, in seq order; none when the table is missing.
    static func entries(_ db: Database) throws -> [Entry] {
        guard try exists(db) else { return [] }
        return try Row.fetchAll(db, sql: "SELECT * FROM archives ORDER BY first_seq").map { row in
            let types = (try? JSONDecoder().decode([String: Int64].self, from: Data((row["type_newest"] as String? ?? "{}").utf8))) ?? [:]
            return Entry(
                firstSeq: UInt64(max(row["first_seq"] as Int64? ?? 0, 0)), lastSeq: UInt64(max(row["last_seq"] as Int64? ?? 0, 0)),
                file: row["file"] ?? "", directory: row["directory"] ?? "", bytes: row["bytes"] ?? 0,
                sha256: [UInt8](row["sha256"] as Data? ?? Data()), linkBefore: [UInt8](row["link_before"] as Data? ?? Data()),
                linkAfter: [UInt8](row["link_after"] as Data? ?? Data()),
                firstJournaledAtUs: row["first_journaled_at_us"] ?? 0, lastJournaledAtUs: row["last_journaled_at_us"] ?? 0,
                typeNewest: types, sealedAtUs: row["sealed_at_us"] ?? 0, deletedAtUs: row["deleted_at_us"])
        }
    }

    /// The last archived seq (0 when nothing is archived, or the table is missing).
    static func archivedUpTo(_ db: Database) throws -> UInt64 {
        guard try exists(db) else { return 0 }
        let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT last_seq FROM archives ORDER BY first_seq DESC LIMIT 1"))
        return UInt64(max(last ?? 0, 0))
    }

    static func insert(_ entry: Entry, _ db: Database) throws {
        let types = String(decoding: try JSONEncoder().encode(entry.typeNewest), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO archives (first_seq, last_seq, file, directory, bytes, sha256, link_before, link_after,
                    first_journaled_at_us, last_journaled_at_us, type_newest, sealed_at_us, deleted_at_us)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                """,
            arguments: [
                Int64(entry.firstSeq), Int64(entry.lastSeq), entry.file, entry.directory, entry.bytes, Data(entry.sha256),
                Data(entry.linkBefore), Data(entry.linkAfter), entry.firstJournaledAtUs, entry.lastJournaledAtUs, types,
                entry.sealedAtUs,
            ])
    }

    static func markDeleted(firstSeq: UInt64, atUs: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE archives SET deleted_at_us = ? WHERE first_seq = ?", arguments: [atUs, Int64(firstSeq)])
    }
}

extension ArchiveManifest {
    /// The manifest of the journal file at `path`, read-only (safe beside a running hub).
    /// - Throws: ``StoreError`` `openFailed` when there is no journal there.
    public static func read(journalPath path: String) throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .openFailed, reason: "no journal at \(path)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "HubStore.archive-manifest"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in try entries(db) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .readFailed, reason: "cannot read the archive manifest of \(path): \(error)")
        }
    }
}
