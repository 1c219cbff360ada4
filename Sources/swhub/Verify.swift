import ArgumentParser
import Foundation
import HubCore
import HubStore
import HubStorePostgres

/// `swhub verify`: checks everything the hub relies on in its journal (``JournalVerifier``)
/// and lists every problem in seq order; exit 0 when intact, 1 on any damage, 5 when there
/// is no journal file to check. Read-only (safe beside a running hub); the WAL is read
/// before the database is opened. A hub config whose store is PostgreSQL has its journal
/// checked by ``PostgresJournalVerifier`` (same report, same exit statuses).
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the journal: rows and hash chain, indexes, ack positions, the WAL, SQLite's integrity check.",
        discussion: """
            Lists every damaged range in seq order and exits 1 on any damage. --quick checks only \
            the last rows (--tail), the acknowledgement positions and the WAL, in bounded time. \
            With --config naming a PostgreSQL store, its journal is checked instead: every row's \
            chain link from the genesis value and checksum, contiguous seqs, journal_head against \
            the last row, the inbox, ack positions and progress marks, in one read-only snapshot.
            """)

    @Option(help: "The journal file to read.")
    var journal: String?

    @Option(help: "The hub's config file (its journal is read: the SQLite file, or the PostgreSQL database of its store).")
    var config: String?

    @Flag(help: "Check only the tail: the last --tail rows, ack positions against the head, the WAL; no full-table checks.")
    var quick = false

    @Option(help: "Rows checked by --quick (default 1000); only with --quick.")
    var tail: Int?

    @Flag(help: "Print one JSON object (the journal, its crypto suite, what was checked, every problem) and nothing else.")
    var json = false

    func validate() throws {
        guard (journal == nil) != (config == nil) else {
            throw ValidationError("give the journal with exactly one of --journal PATH or --config HUB.yaml")
        }
        if let tail {
            guard quick else { throw ValidationError("--tail is the number of rows --quick checks: give --quick too, or leave --tail out") }
            guard tail > 0 else { throw ValidationError("--tail must be at least 1") }
        }
    }

    /// The rows a quick check reads, nil for a full check.
    private var tailRows: Int? { quick ? tail ?? 1000 : nil }

    func run() throws {
        let hubConfig = try config.map { try HubConfig.load(path: $0) }
        let store = journal.map { HubConfig.Store.sqlite(path: $0) } ?? hubConfig?.store ?? .sqlite(path: "")
        let report: VerifyReport
        let checks: String
        let reader: String
        switch store {
        case .sqlite(let path):
            report = try JournalVerifier(journalPath: path, tail: tailRows, archiveDirectory: hubConfig?.archive?.directory)
                .verify()
            if json { return try Self.printJSON(report, config: hubConfig) }
            Output.line("journal \(report.journal)")
            Output.line(Self.cryptoLine(report.crypto, config: hubConfig))
            Output.line(Self.walLine(report.wal))
            if let archive = report.archive { Output.line(Self.archiveLine(archive, quick: report.quick)) }
            checks =
                report.quick
                ? "chained from the stored link before them, ack positions, the WAL"
                : "the dedup and inbox indexes, ack positions, the WAL, SQLite's integrity_check"
            reader = "SQLite reads it"
        case .postgres(let settings):
            report = try PostgresJournalVerifier(
                settings: settings, tail: tailRows, archiveDirectory: hubConfig?.archive?.directory, logger: JournalAccess.quiet
            ).verify()
            if json { return try Self.printJSON(report, config: hubConfig) }
            Output.line("journal \(report.journal)")
            Output.line(Self.cryptoLine(report.crypto, config: hubConfig))
            if let archive = report.archive { Output.line(Self.archiveLine(archive, quick: report.quick)) }
            checks =
                report.quick
                ? "chained from the stored link before them, their checksums and inbox rows, journal_head, ack positions and progress marks"
                : "chained from the genesis value, every checksum, the inbox, journal_head, ack positions and progress marks"
            reader = "its last row has it"
        }
        let checked =
            report.records == 0
            ? "no rows" : "\(report.records) rows, seqs \(report.firstCheckedSeq)–\(report.headSeq)"
        Output.line(report.quick ? "checked (quick): \(checked) \(checks)" : "checked: \(checked), \(checks)")
        guard report.intact else {
            for problem in report.problems { Output.line("  \(problem)") }
            let ranges = report.problems.count == 1 ? "1 problem" : "\(report.problems.count) problems"
            let kinds = Set(report.problems.map(\.kind.rawValue)).sorted().joined(separator: ", ")
            Output.line("journal NOT intact: \(ranges) (\(kinds)); head seq \(report.headSeq) as \(reader)")
            throw ExitStatus.failed.exitCode
        }
        Output.line("journal intact: \(report.records) records, head seq \(report.headSeq), chain head \(report.headChain)")
        if !report.quick {
            Output.line("keep the chain head: a later verify ending in the same head at that seq shows nothing was rewritten or cut off")
        }
    }

    /// The journal's algorithm suite, and whether the config agrees.
    static func cryptoLine(_ suite: CryptoSuite, config: HubConfig?) -> String {
        var line = "crypto: \(suite.rawValue) (chain \(suite.chainHashName), per-record checksum \(suite.checksumName))"
        if let config, config.crypto != suite {
            line += "; the config says crypto: \(config.crypto.rawValue): a hub with it refuses this journal (suiteMismatch)"
        }
        return line
    }

    /// The report as one JSON object; exits 1 when the journal is not intact.
    static func printJSON(_ report: VerifyReport, config: HubConfig?) throws {
        var object: [String: Any] = [
            "journal": report.journal,
            "crypto": report.crypto.rawValue,
            "chain_hash": report.crypto.chainHashName,
            "checksum": report.crypto.checksumName,
            "quick": report.quick,
            "intact": report.intact,
            "records": report.records,
            "first_checked_seq": report.firstCheckedSeq,
            "head_seq": report.headSeq,
            "head_chain": report.headChain,
            "problems": report.problems.map { problem -> [String: Any] in
                var entry: [String: Any] = ["kind": problem.kind.rawValue, "detail": problem.detail]
                if let first = problem.firstSeq { entry["first_seq"] = first }
                if let last = problem.lastSeq { entry["last_seq"] = last }
                if !problem.subject.isEmpty { entry["subject"] = problem.subject }
                return entry
            },
        ]
        if let config { object["config_crypto"] = config.crypto.rawValue }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        Output.line(String(decoding: data, as: UTF8.self))
        if !report.intact { throw ExitStatus.failed.exitCode }
    }

    /// What the archive holds and what was checked of it.
    static func archiveLine(_ archive: VerifyReport.ArchiveSummary, quick: Bool) -> String {
        var line =
            "archive: seqs 1–\(archive.archivedUpTo) in \(archive.keptSegments + archive.deletedSegments) segments, "
            + "\(archive.keptRecords) records in \(archive.keptSegments) kept segments"
        if archive.deletedSegments > 0 {
            line += "; \(archive.deletedRecords) records past retention, deleted (\(archive.deletedSegments) segments)"
        }
        line += quick ? "; the manifest's chain checked (not the files)" : "; every file and the chain across segments checked"
        return line
    }

    /// What the WAL holds and what SQLite will keep of it.
    static func walLine(_ wal: WALScan?) -> String {
        guard let wal else { return "WAL: cannot be read" }
        guard wal.exists else { return "WAL: none (the journal was closed cleanly or checkpointed)" }
        guard wal.size > 0 else { return "WAL: empty (checkpointed and reset)" }
        guard wal.headerValid else { return "WAL: \(wal.size) bytes, \(wal.frames) frames, header damaged" }
        var line = "WAL: \(wal.size) bytes, \(wal.frames) frames of \(wal.pageSize) bytes"
        if let last = wal.lastValidCommitFrame {
            line += ", last valid commit frame \(last) (\(wal.keptCommits) transactions SQLite keeps)"
        } else {
            line += ", no valid commit frame"
        }
        if let damaged = wal.damagedFrame, wal.droppedCommits == 0 {
            line += "; frame \(damaged) on is an unfinished transaction SQLite discards (normal after a crash)"
        }
        return line
    }
}
