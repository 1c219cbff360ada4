import HubCore
import HubStore
import Logging
import PostgresNIO

/// ``JournalQueries`` on a PostgreSQL journal, for the operators' commands (`swhub status`,
/// `swhub stats`, `swhub trace`, the monitor's trace): it only reads (no migration, no lock
/// a hub would wait on), so it is safe beside running hub nodes. Each call, and
/// ``snapshot(_:)``'s body, runs in one `REPEATABLE READ READ ONLY` transaction on one
/// connection of its own pool; archived records are read from the segments as if live. Text is ordered and compared bytewise
/// (`COLLATE "C"`), whatever the database's collation.
public struct PostgresJournalQueries: JournalQueries {
    private let pool: PostgresPool
    /// The journal's suite's hash functions (read once, at open: a journal keeps its suite).
    /// The journal's suite's hash functions (read from the journal when opened).
    public let hashing: JournalHashing
    /// Where the journal is (`postgres://host:port,.../database`).
    public let location: String
    /// The archive segments' reader: archived records are read transparently (``ArchivedQueries``).
    private let archive: JournalArchive

    /// Connects to the primary among `settings.hosts` and checks that the database holds a
    /// journal.
    ///
    /// - Parameters:
    ///   - settings: Where the journal is.
    ///   - archiveDirectory: Where the archive segments are (`archive.dir`); nil: where the
    ///     manifest says they were written.
    ///   - logger: For the connections' messages.
    /// - Throws: ``StoreError`` `openFailed` (a refused login, a missing database or a
    ///   database without the journal's tables), `unavailable` (no server reachable).
    public init(settings: HubConfig.PostgresStore, archiveDirectory: String? = nil, logger: Logger) throws {
        location = PostgresJournalQueries.location(settings)
        pool = try PostgresPool(settings: settings, logger: logger)
        let location = location
        hashing = try Self.run(pool, "open the journal") { link in
            let found =
                try link.rows("SELECT to_regclass('journal_head') IS NOT NULL AND to_regclass('messages') IS NOT NULL")
                .first.map { try $0.decode(Bool.self) } ?? false
            guard found else {
                throw StoreError(code: .openFailed, reason: "\(location) holds no journal (no journal_head and messages tables)")
            }
            return try PostgresJournalSuite.hashing(link)
        }
        archive = JournalArchive(directory: archiveDirectory, hashing: hashing)
    }

    /// `postgres://host:port,.../database`, for messages.
    static func location(_ settings: HubConfig.PostgresStore) -> String {
        "postgres://\(settings.hosts.map(\.description).joined(separator: ","))/\(settings.database)"
    }

    public func record(sender: String, id: String) throws -> JournalRecord? {
        try read("read a record") { try $0.record(sender: sender, id: id) }
    }

    public func seq(sender: String, id: String) throws -> UInt64? {
        try read("read a seq") { try $0.seq(sender: sender, id: id) }
    }

    public func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        try read("read records by id prefix") { try $0.records(sender: sender, idPrefix: prefix) }
    }

    public func nextSender(after sender: String) throws -> String? {
        try read("read the next sender") { try $0.nextSender(after: sender) }
    }

    public func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        try read("read records by type") { try $0.records(types: types, after: after, limit: limit) }
    }

    public func records(correlationId: String) throws -> [JournalRecord] {
        try read("read records by correlation id") { try $0.records(correlationId: correlationId) }
    }

    public func progressMark(party: String, kind: ProgressMark.Kind, atOrAfter seq: UInt64) throws -> ProgressMark? {
        try read("read a progress mark") { try $0.progressMark(party: party, kind: kind, atOrAfter: seq) }
    }

    public func counts(by grouping: JournalCount.Grouping) throws -> [JournalCount] {
        try read("count messages") { try $0.counts(by: grouping) }
    }

    public func ackPositions() throws -> [String: UInt64] {
        try read("read acks") { try $0.ackPositions() }
    }

    public func headSeq() throws -> UInt64 {
        try read("read the head") { try $0.headSeq() }
    }

    /// Runs `body` inside one `REPEATABLE READ READ ONLY` transaction on one connection.
    public func snapshot<R>(_ body: (any JournalQueries) throws -> R) throws -> R {
        try read("read a snapshot", body)
    }

    /// The archive manifest (``ArchiveManifest``), in seq order; empty when nothing was
    /// archived (`swhub archive list|verify|restore`).
    public func archiveEntries() throws -> [ArchiveManifest.Entry] {
        try Self.run(pool, "read the archive manifest") { try PostgresArchiveManifest.entries($0, checkTable: true) }
    }

    /// Closes the idle connections.
    public func close() {
        pool.closeIdle()
    }

    /// The cluster's nodes, the flows' lease and the database's replication (`swhub status
    /// --cluster`), read without migrating or writing anything.
    public func clusterStatus() throws -> ClusterStatus {
        try Self.run(pool, "read the cluster's state") { try $0.clusterStatus() }
    }

    /// Runs `body` in one `REPEATABLE READ READ ONLY` transaction: the live rows and the
    /// archive manifest of one state, archived records read from the segments.
    private func read<R>(_ operation: String, _ body: (any JournalQueries) throws -> R) throws -> R {
        try Self.run(pool, operation) { link in
            try link.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                let live = PostgresLinkQueries(link: link, hashing: hashing)
                let entries = try PostgresArchiveManifest.entries(link, checkTable: true)
                guard !entries.isEmpty else { return try body(live) }
                return try body(ArchivedQueries(live: live, entries: entries, archive: archive))
            }
        }
    }

    /// Runs `body` with a connection; errors other than ``StoreError`` become `readFailed`
    /// (or `unavailable` when PostgreSQL cannot be reached or is going away).
    static func run<R>(_ pool: PostgresPool, _ operation: String, _ body: (PostgresLink) throws -> R) throws -> R {
        do {
            return try pool.with(body)
        } catch let error as StoreError {
            throw error
        } catch let error as PSQLError {
            throw PostgresFailure.storeError(error, code: .readFailed, operation: operation)
        } catch {
            throw StoreError(code: .readFailed, reason: "\(operation): \(error)")
        }
    }
}
