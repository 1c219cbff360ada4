import HubCore
import HubStore
import Logging

/// `swhub verify` on a PostgreSQL journal: walks the whole journal in pages of seqs, in one
/// `REPEATABLE READ READ ONLY` transaction (one consistent state, beside running hub
/// nodes), and reports every problem as ``JournalVerifier`` does for a SQLite file:
///
/// - every row's chain link, recomputed from the previous row's stored link from the
///   genesis value on, and its checksum, in the journal's suite (``PostgresJournalSuite``): `altered`,
///   `chainValueAltered`; a value that cannot be decoded: `unreadable`;
/// - seqs contiguous from 1 (from the archive segments' end, chained from the last
///   segment's link, when some were archived; the segments checked by ``ArchiveVerifier``): `missing`;
/// - `journal_head` (seq and chain value) equal to the last row's: `headRecord`;
/// - every recipient a row names has its inbox row (`inboxMissing`), and every inbox row
///   names a message that names its recipient (`inboxOrphan`);
/// - acknowledgement positions and progress marks not beyond the head.
///
/// With a `tail`, only the last rows are walked, chained from the stored link of the row
/// before them, with the head row and the positions: bounded time.
public struct PostgresJournalVerifier: Sendable {
    /// The journal's settings.
    public let settings: HubConfig.PostgresStore
    /// Check only this many rows at the end (nil: every row).
    public let tail: Int?
    /// Where the archive segments are (`archive.dir`); nil: where the manifest says.
    public let archiveDirectory: String?
    private let logger: Logger

    /// - Parameters:
    ///   - settings: Where the journal is.
    ///   - tail: Check only this many rows at the end (nil: every row).
    ///   - archiveDirectory: Where the archive segments are (`archive.dir`); nil: where the
    ///     manifest says they were written.
    ///   - logger: For the connections' messages.
    public init(
        settings: HubConfig.PostgresStore, tail: Int? = nil, archiveDirectory: String? = nil,
        logger: Logger = Logger(label: "swhub.verify")
    ) {
        self.settings = settings
        self.tail = tail
        self.archiveDirectory = archiveDirectory
        self.logger = logger
    }

    /// Runs the checks.
    ///
    /// - Throws: ``StoreError`` only when the journal cannot be read at all: `openFailed`
    ///   (a refused login, no such database, no journal tables in it), `unavailable` (no
    ///   server reachable), `readFailed` (the walk was cut off). Damage is reported, not
    ///   thrown.
    public func verify() throws -> VerifyReport {
        let pool = try PostgresPool(settings: settings, logger: logger)
        defer { pool.closeIdle() }
        let location = PostgresJournalQueries.location(settings)
        let tail = tail
        return try PostgresJournalQueries.run(pool, "verify the journal") { link in
            let found =
                try link.rows("SELECT to_regclass('journal_head') IS NOT NULL AND to_regclass('messages') IS NOT NULL")
                .first.map { try $0.decode(Bool.self) } ?? false
            guard found else {
                throw StoreError(code: .openFailed, reason: "\(location) holds no journal (no journal_head and messages tables)")
            }
            return try link.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                let suite = try PostgresJournalSuite.read(link)
                let hashing = try JournalHashing(suite)
                // The segments and the manifest's chain (their files read whole unless quick),
                // then the live rows chained from the last segment's link.
                let entries = try PostgresArchiveManifest.entries(link, checkTable: true)
                var archiveProblems: [VerifyReport.Problem] = []
                var summary: VerifyReport.ArchiveSummary?
                if !entries.isEmpty {
                    let checked = ArchiveVerifier(entries: entries, archive: JournalArchive(directory: archiveDirectory, hashing: hashing))
                        .verify(readFiles: tail == nil)
                    archiveProblems = checked.problems
                    summary = checked.summary
                }
                var walk = PostgresVerifierWalk(link: link, hashing: hashing)
                try walk.run(tail: tail, archived: entries.last.map { (seq: $0.lastSeq, link: $0.linkAfter) })
                var report = VerifyReport(
                    journal: location, quick: tail != nil, records: walk.records, firstCheckedSeq: walk.firstCheckedSeq,
                    headSeq: walk.headSeq, headChain: walk.headChain, problems: archiveProblems + walk.problems)
                report.archive = summary
                report.crypto = suite
                return report
            }
        }
    }
}
