import ArgumentParser
import HubCore
import HubStore
import HubStorePostgres

/// `swhub migrate --from sqlite:PATH --to HUB.yaml`: copies a SQLite journal into the empty
/// PostgreSQL journal a hub config names (``PostgresJournalMigration``), verifying the
/// source before and the target after; both heads' chain values must be equal. Exit 0 when
/// both verify intact with the same head; 1 when either does not (nothing is copied when
/// the source is damaged); 2 when the target is not empty; 4 when PostgreSQL cannot be
/// reached; 5 when the source cannot be read or the copy failed (the target is then left
/// empty: run it again).
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a SQLite journal into an empty PostgreSQL journal, verifying both.",
        discussion: """
            Stop the hub first. --from names the SQLite journal file (sqlite:PATH, or the path); \
            --to names the hub config whose store is the PostgreSQL database (store: {kind: postgres, ...}). \
            Every message is copied with its seq, times, chain value and checksum unchanged, with the \
            inbox, the acknowledgement positions and the progress log, in one transaction: the target \
            holds all of it or nothing. A target that is not empty is refused. The source is verified \
            first (a damaged one is not copied), the target after; both print their chain head, which \
            must be equal.
            """)

    @Option(help: "The SQLite journal to copy: sqlite:PATH (or PATH).")
    var from: String

    @Option(help: "The hub config file whose store is the (empty) PostgreSQL journal to copy into.")
    var to: String

    /// The source path of `--from`.
    var sourcePath: String {
        from.hasPrefix("sqlite:") ? String(from.dropFirst("sqlite:".count)) : from
    }

    func validate() throws {
        guard !sourcePath.isEmpty else { throw ValidationError("--from takes sqlite:PATH, the SQLite journal file") }
    }

    func run() throws {
        let config = try HubConfig.load(path: to)
        guard case .postgres(let settings) = config.store else {
            throw CommandFailure(.configuration, "--to \(to): its store is not PostgreSQL (store: {kind: postgres, ...})")
        }
        let source = try JournalVerifier(journalPath: sourcePath).verify()
        if let archive = source.archive {
            throw CommandFailure(
                .refused,
                "the source journal has archived seqs 1–\(archive.archivedUpTo) in segment files; migrate copies a journal whose every record is live (from seq 1) and does not carry an archive manifest across: nothing was copied"
            )
        }
        guard Self.report("source", source) else {
            throw CommandFailure(.failed, "the source journal is not intact: nothing was copied (see swhub verify --journal \(sourcePath))")
        }
        guard source.crypto == config.crypto else {
            // The copy keeps the source's suite; a hub with this config would refuse it.
            throw CommandFailure(
                .configuration,
                "the source journal was created with crypto: \(source.crypto.rawValue), --to \(to) says crypto: \(config.crypto.rawValue): "
                    + "set crypto: \(source.crypto.rawValue) there (a journal keeps its suite): nothing was copied")
        }
        let outcome: PostgresJournalMigration.Outcome
        do {
            outcome = try PostgresJournalMigration(sourcePath: sourcePath, target: settings, logger: JournalAccess.quiet).run()
        } catch let error as JournalMigrationError {
            switch error.code {
            case .targetNotEmpty: throw CommandFailure(.refused, "migrate: \(error.reason)")
            case .targetUnavailable: throw CommandFailure(.retryLater, "migrate: \(error.reason)")
            case .sourceUnreadable, .copyFailed: throw CommandFailure(.hubFailure, "migrate: \(error.reason) (the target was left empty)")
            }
        }
        Output.line(
            "copied: \(outcome.messages) messages, \(outcome.inboxRows) inbox rows, \(outcome.ackPositions) ack positions, \(outcome.progressMarks) progress marks"
        )
        let target = try PostgresJournalVerifier(settings: settings, logger: JournalAccess.quiet).verify()
        guard Self.report("target", target) else {
            throw CommandFailure(.failed, "the target journal is not intact after the copy")
        }
        guard target.headSeq == source.headSeq, target.headChain == source.headChain, target.crypto == source.crypto else {
            throw CommandFailure(
                .failed,
                "the heads differ: source seq \(source.headSeq) chain \(source.headChain) crypto \(source.crypto.rawValue), target seq \(target.headSeq) chain \(target.headChain) crypto \(target.crypto.rawValue) (was a hub writing to the source?)"
            )
        }
        Output.line("migrated: both journals end at seq \(target.headSeq) with chain head \(target.headChain)")
    }

    /// Prints one side's verification; true when intact.
    static func report(_ side: String, _ report: VerifyReport) -> Bool {
        guard report.intact else {
            Output.line("\(side) \(report.journal): NOT intact")
            for problem in report.problems { Output.line("  \(problem)") }
            return false
        }
        Output.line(
            "\(side) \(report.journal): intact, \(report.records) records, head seq \(report.headSeq), chain head \(report.headChain) (crypto \(report.crypto.rawValue))"
        )
        return true
    }
}
