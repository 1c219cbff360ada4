import ArgumentParser
import Foundation
import HubCore
import HubRouting
import HubStore

/// `swhub backup --to DIR`: an online backup of the hub's SQLite journal, safe while the hub
/// runs (``JournalBackup``): one consistent snapshot copied with SQLite's backup API,
/// verified in full, with a manifest (head seq and chain value, ack positions, time,
/// version, SHA-256), and the archive segment files the snapshot's archive manifest keeps,
/// copied into `DIR/archive/` and checked. A PostgreSQL store is refused: its backups are
/// PostgreSQL's own (pg_basebackup, with `archive.dir`'s segment files copied beside it).
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back up the journal while the hub runs: a verified, consistent copy with a manifest.",
        discussion: """
            The copy is one point in time: what the hub accepts after the snapshot is not in it. \
            The directory gets journal.sqlite and manifest.json (head seq, chain head, ack \
            positions, time, hub version, SHA-256 or SM3 as the journal's crypto: says, the archive files); the archive segment files \
            the snapshot keeps are copied into DIR/archive/ (from the config's archive.dir, or \
            --archive-dir with --journal); the copy is verified with them before the manifest is \
            written. Exit 0 when the backup is complete and verified, 1 when the journal or a \
            segment does not verify, 2 when DIR already holds a backup, the store is PostgreSQL, \
            or the journal keeps archive segments and no archive folder is known, 5 when there is \
            no journal (as for swhub verify) or a file cannot be read or written. Restore with swhub restore.
            """)

    @Option(help: "The hub's config file (its SQLite journal is backed up).")
    var config: String?

    @Option(help: "The journal file to back up.")
    var journal: String?

    @Option(help: "The backup directory (created; must not hold a backup already).")
    var to: String

    @Option(name: .customLong("archive-dir"), help: "With --journal: the journal's archive segment folder (archive.dir).")
    var archiveDir: String?

    func validate() throws {
        try Self.validateTarget(journal: journal, config: config, archiveDir: archiveDir, what: "the journal")
    }

    func run() throws {
        let (path, archiveDirectory) = try Self.sqliteTarget(
            journal: journal, config: config, archiveDir: archiveDir,
            refusingPostgres:
                "backup copies a SQLite journal; a PostgreSQL journal is backed up with PostgreSQL's own tools: pg_basebackup with WAL archiving for a point-in-time copy, or the standby Patroni keeps (see README, Backup and restore); its archive manifest is in the database, so copy archive.dir's segment files too (a segment is never changed once written)"
        )
        let start = ContinuousClock.now
        var lastShown = -1
        var copied = start
        let (manifest, report) = try Self.mapping {
            try JournalBackup(journalPath: path, archiveDirectory: archiveDirectory).write(to: to, hubVersion: HubVersion.current) {
                progress in
                let percent = progress.totalPages == 0 ? 100 : progress.copiedPages * 100 / progress.totalPages
                if progress.copiedPages == progress.totalPages { copied = ContinuousClock.now }
                if percent / 25 > lastShown / 25 || lastShown < 0 {
                    lastShown = percent
                    Output.line("copied \(progress.copiedPages) of \(progress.totalPages) pages (\(percent)%)")
                }
            }
        }
        let done = ContinuousClock.now
        Output.line("journal \(path)")
        Output.line(
            "backup \(to)/\(manifest.file): \(manifest.sizeBytes) bytes, head seq \(manifest.headSeq), chain head \(manifest.headChain)")
        Output.line(
            "verified: \(report.records) records, \(report.crypto.chainHashName) \(manifest.sha256); copied in \(Self.ms(copied - start)) ms (the hub's checkpoints waited for that long), verified in \(Self.ms(done - copied)) ms"
        )
        let acks = manifest.ackPositions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        Output.line("ack positions: \(acks.isEmpty ? "none" : acks)")
        if let files = manifest.archive, !files.isEmpty {
            Output.line(
                "archive: \(files.count) segment files (\(files.reduce(0) { $0 + $1.sizeBytes }) bytes) copied into \(to)/\(BackupManifest.archiveFolder) from \(archiveDirectory ?? "?"), each checked"
            )
        }
        Output.line("backup OK: a point in time; what the hub accepts from now on is not in it")
    }

    /// A duration in whole milliseconds.
    static func ms(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// Exactly one of `--journal` and `--config`; `--archive-dir` only with `--journal`.
    static func validateTarget(journal: String?, config: String?, archiveDir: String?, what: String) throws {
        guard (journal == nil) != (config == nil) else {
            throw ValidationError("give \(what) with exactly one of --journal PATH or --config HUB.yaml")
        }
        guard archiveDir == nil || journal != nil else {
            throw ValidationError("--archive-dir goes with --journal; with --config the archive folder is the config's archive.dir")
        }
    }

    /// The SQLite journal and the archive folder that `--journal` / `--config` and
    /// `--archive-dir` name; a PostgreSQL store is refused with `refusingPostgres`.
    static func sqliteTarget(journal: String?, config: String?, archiveDir: String?, refusingPostgres: String) throws -> (
        path: String, archiveDirectory: String?
    ) {
        let hubConfig = try config.map { try HubConfig.load(path: $0) }
        let store = journal.map { HubConfig.Store.sqlite(path: $0) } ?? hubConfig?.store
        guard case .sqlite(let path) = store else { throw CommandFailure(.refused, refusingPostgres) }
        return (path, archiveDir ?? hubConfig?.archive?.directory)
    }

    /// Runs a backup or restore, turning its ``BackupError`` into the command's exit status.
    static func mapping<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as BackupError {
            switch error.code {
            case .targetExists, .archiveDirectoryUnknown: throw CommandFailure(.refused, error.reason)
            case .damaged, .checksumMismatch: throw CommandFailure(.failed, error.reason)
            case .manifestUnreadable: throw CommandFailure(.refused, error.reason)
            default: throw CommandFailure(.hubFailure, error.reason)
            }
        }
    }
}
