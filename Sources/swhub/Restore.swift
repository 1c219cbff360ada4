import ArgumentParser
import HubCore
import HubStore

/// `swhub restore --from DIR`: places a backup made by `swhub backup` as a hub's journal,
/// after checking it against its manifest and verifying it (``JournalBackup/restore(from:to:)``).
/// Never overwrites a journal; the backup's archive segment files go into the archive folder.
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Place a backup (swhub backup) as a hub's journal, checked and verified; never overwrites one.",
        discussion: """
            The target journal, its -wal, -shm and -head files must not exist. The backup's file \
            is checked against its manifest (size, SHA-256), copied, verified in full and checked \
            to end at the manifest's head seq and chain head, then put in place. The backup's \
            archive segment files (DIR/archive/) go into the config's archive.dir (or \
            --archive-dir with --journal), checked against the manifest; a different file of \
            the same name there is refused, the same file is fine; the journal is verified with \
            them. The hub started on it resumes each party's deliveries after the ack positions \
            the backup holds. Exit 0 when placed, 1 when the backup does not check, 2 when the \
            target or a different segment file exists, the backup directory has no manifest, or \
            the backup holds segment files and no archive folder is known, 5 when a file cannot \
            be read or written.
            """)

    @Option(help: "The backup directory (made by swhub backup).")
    var from: String

    @Option(help: "Where to place the journal.")
    var journal: String?

    @Option(help: "The hub's config file (the journal goes where its store names, the archive segments into its archive.dir).")
    var config: String?

    @Option(name: .customLong("archive-dir"), help: "With --journal: where to place the backup's archive segment files.")
    var archiveDir: String?

    func validate() throws {
        try Backup.validateTarget(journal: journal, config: config, archiveDir: archiveDir, what: "the target")
    }

    func run() throws {
        let (path, archiveDirectory) = try Backup.sqliteTarget(
            journal: journal, config: config, archiveDir: archiveDir,
            refusingPostgres:
                "restore places a SQLite journal; a PostgreSQL journal is restored with PostgreSQL's own tools (pg_basebackup, Patroni), and archive.dir's segment files from where they were copied"
        )
        if let config {
            // The restored journal keeps the backup's suite: a hub whose crypto: differs would refuse it.
            let configured = try HubConfig.load(path: config).crypto
            let suite = try Backup.mapping { try BackupManifest.read(directory: from).suite() }
            guard suite == configured else {
                throw CommandFailure(
                    .configuration,
                    "the backup \(from) holds a journal created with crypto: \(suite.rawValue); \(config) says crypto: \(configured.rawValue) "
                        + "(suiteMismatch): set crypto: \(suite.rawValue) there; nothing was placed")
            }
        }
        let (manifest, report) = try Backup.mapping { try JournalBackup.restore(from: from, to: path, archiveDirectory: archiveDirectory) }
        let digest = report.crypto.chainHashName
        Output.line("backup \(from): made \(manifest.createdAt) by swhub \(manifest.hubVersion) from \(manifest.source)")
        Output.line(
            "checked: \(manifest.sizeBytes) bytes, \(digest) as in the manifest; verified: \(report.records) records")
        if let files = manifest.archive, !files.isEmpty {
            Output.line(
                "archive: \(files.count) segment files checked (size, \(digest)) and in \(archiveDirectory ?? "?"); the journal verified with them"
            )
        }
        Output.line("restored \(path): head seq \(manifest.headSeq), chain head \(manifest.headChain)")
        // The positions the restored journal holds, which the hub resumes from; the manifest's
        // copy of them is only a description.
        let positions = try Backup.mapping { try JournalInspector(path: path).ackPositions() }
        let acks = positions.map { "\($0.key) \($0.count)" }.joined(separator: ", ")
        Output.line("deliveries resume after: \(acks.isEmpty ? "nothing acknowledged" : acks)")
        let described = Dictionary(uniqueKeysWithValues: positions.map { ($0.key, UInt64($0.count)) })
        if described != manifest.ackPositions {
            Output.error("warning: the manifest's ack positions differ from the journal's; the journal's are the ones in force")
        }
    }
}
