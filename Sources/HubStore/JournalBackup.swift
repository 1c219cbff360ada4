import Foundation
import GRDB
import HubCore
import HubThreads

/// Online backup of a SQLite journal, beside a running hub, and its restore.
///
/// ``write(to:hubVersion:progress:)`` copies the journal with SQLite's online backup API
/// (GRDB's `Database.backup(to:pagesPerStep:progress:)`) from a read-only connection of its
/// own, inside one read transaction: in WAL mode that transaction reads one snapshot, so the
/// copy is consistent (a whole number of commits, its chain intact up to its head) however
/// much the hub writes meanwhile, and the steps are never restarted. A reader does not stop
/// the hub's commits; it only keeps the hub's WAL checkpoints from passing its snapshot
/// until it ends, so the WAL grows by what is written during the copy, and once past its
/// 64 MiB bound each commit's bound check waits up to 0.2 s (once a second) for the reader
/// (``SQLiteJournalStore/boundWAL(_:checkpointer:writer:)``).
///
/// Digests (of the copy and of its segment files) are in the journal's suite: SHA-256, or SM3
/// for a `crypto: sm` journal (the manifest's `crypto`).
///
/// The copy is written as `journal.sqlite.partial`, synced, verified in full
/// (``JournalVerifier``: chain, indexes, ack positions, `integrity_check`), checked to end
/// at the head read in the same snapshot, then renamed to `journal.sqlite`; the manifest
/// (``BackupManifest``) is written last, so a directory with a manifest holds a complete,
/// verified backup. When the copy's archive manifest (``ArchiveManifest``, the same
/// snapshot) keeps segment files, they are copied from ``archiveDirectory`` into the
/// backup's `archive/` folder before the copy is verified, and the verifier reads them
/// there: each segment checked whole and the chain across segments into the copy's rows.
public struct JournalBackup: Sendable {
    /// How far a copy has come.
    public struct Progress: Sendable, Equatable {
        /// Pages copied so far, and the journal's pages in the snapshot.
        public var copiedPages: Int
        public var totalPages: Int
    }

    /// The journal copy's file name inside a backup directory.
    public static let journalFileName = "journal.sqlite"

    /// The journal file to back up.
    public let journalPath: String
    /// Pages copied by one backup step (16 KiB pages: 4 MiB a step); progress is reported
    /// after each.
    public var pagesPerStep: Int32 = 256
    /// Where the journal's archive segment files are (`archive.dir`); nil: none given, and a
    /// journal whose archive manifest keeps segment files is refused.
    public let archiveDirectory: String?

    /// A backup of the journal at `journalPath`, with its archive segments from `archiveDirectory`.
    public init(journalPath: String, archiveDirectory: String? = nil) {
        self.journalPath = journalPath
        self.archiveDirectory = archiveDirectory
    }

    /// Copies the journal into `directory` (created if needed), verifies the copy and writes
    /// its manifest.
    ///
    /// - Parameters:
    ///   - directory: The backup directory; it must not hold a backup already.
    ///   - hubVersion: The version recorded in the manifest.
    ///   - progress: Called after each backup step.
    /// - Returns: The manifest written and the verifier's report on the copy.
    /// - Throws: ``BackupError``: `noJournal`, `targetExists`, `archiveDirectoryUnknown`
    ///   (segment files kept and no ``archiveDirectory``), `damaged` (the copy or a segment
    ///   does not verify: the journal or its archive is damaged; `directory` holds no
    ///   manifest), `copyFailed`.
    public func write(
        to directory: String, hubVersion: String, progress: (Progress) -> Void = { _ in }
    ) throws -> (manifest: BackupManifest, report: VerifyReport) {
        guard FileManager.default.fileExists(atPath: journalPath) else {
            throw BackupError(.noJournal, "no journal at \(journalPath)")
        }
        let final = (directory as NSString).appendingPathComponent(Self.journalFileName)
        let manifestPath = (directory as NSString).appendingPathComponent(BackupManifest.fileName)
        for path in [final, manifestPath] where FileManager.default.fileExists(atPath: path) {
            throw BackupError(.targetExists, "\(path) exists: a backup goes to a directory of its own")
        }
        try refuseKeptSegmentsWithoutFolder()
        let suite: CryptoSuite
        do {
            suite = try JournalSuiteRecord.read(journalPath: journalPath)
        } catch {
            throw BackupError(.copyFailed, "cannot read the crypto suite of \(journalPath): \(error)")
        }
        let hashing = try Self.hashing(suite)
        let partial = final + ".partial"
        try Self.io("create \(directory)") {
            if !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try DurableFile.syncFolder(holding: directory)
            }
            // What an interrupted backup left: its own partial file and SQLite's files of it.
            for suffix in ["", "-journal", "-wal", "-shm"] where FileManager.default.fileExists(atPath: partial + suffix) {
                try FileManager.default.removeItem(atPath: partial + suffix)
            }
        }
        let snapshot = try copy(to: partial, progress: progress)
        try Self.io("sync \(partial)") {
            try Self.sync(path: partial)
        }
        let archiveFolder = (directory as NSString).appendingPathComponent(BackupManifest.archiveFolder)
        let archived = try copySegments(listedIn: partial, to: archiveFolder, hashing: hashing)
        let report = try Self.verifiedCopy(
            partial, headSeq: snapshot.headSeq, headChain: snapshot.headChain, archiveDirectory: archived.isEmpty ? nil : archiveFolder)
        let (size, sha256) = try Self.digest(partial, hashing)
        let manifest = BackupManifest(
            format: BackupManifest.currentFormat, file: Self.journalFileName, headSeq: snapshot.headSeq,
            headChain: snapshot.headChain, ackPositions: snapshot.acks,
            createdAt: ISO8601DateFormatter().string(from: snapshot.takenAt), hubVersion: hubVersion,
            source: journalPath, sizeBytes: size, sha256: sha256, archive: archived.isEmpty ? nil : archived,
            crypto: suite == .legacy ? nil : suite.rawValue)
        try Self.io("write the backup in \(directory)") {
            try FileManager.default.moveItem(atPath: partial, toPath: final)
            try manifest.encoded().write(to: URL(fileURLWithPath: manifestPath + ".partial"))
            try Self.sync(path: manifestPath + ".partial")
            try FileManager.default.moveItem(atPath: manifestPath + ".partial", toPath: manifestPath)
            try Self.sync(path: directory)
        }
        return (manifest, report)
    }

    /// What the snapshot held, read in the same read transaction as the copy.
    struct Snapshot {
        var headSeq: UInt64
        var headChain: String
        var acks: [String: UInt64]
        var takenAt: Date
    }

    /// Copies one snapshot of the journal to `path` (a new file).
    private func copy(to path: String, progress: (Progress) -> Void) throws -> Snapshot {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.label = "HubStore.backup"
            configuration.busyMode = .timeout(10)
            let source = try DatabaseQueue(path: journalPath, configuration: configuration)
            defer { try? source.close() }
            var destinationConfiguration = Configuration()
            destinationConfiguration.label = "HubStore.backupCopy"
            let destination = try DatabaseQueue(path: path, configuration: destinationConfiguration)
            defer { try? destination.close() }
            let pagesPerStep = pagesPerStep
            return try source.read { db in
                // The first read fixes the transaction's snapshot: the backup copies that one.
                let head = try SQLiteJournalStore.head(in: db)
                let chain = try Data.fetchOne(db, sql: JournalSQL.selectLastChain).map { [UInt8]($0) } ?? JournalChain.genesis
                var acks: [String: UInt64] = [:]
                for row in try Row.fetchAll(db, sql: JournalSQL.selectAcks) {
                    acks[try row.decode(String.self, atIndex: 0)] = UInt64(max(0, try row.decode(Int64.self, atIndex: 1)))
                }
                let takenAt = Date()
                try withoutActuallyEscaping(progress) { progress in
                    try destination.writeWithoutTransaction { target in
                        try db.backup(to: target, pagesPerStep: pagesPerStep) { step in
                            progress(Progress(copiedPages: step.totalPageCount - step.remainingPageCount, totalPages: step.totalPageCount))
                        }
                    }
                }
                return Snapshot(headSeq: head, headChain: JournalChain.hex(chain), acks: acks, takenAt: takenAt)
            }
        } catch let error as BackupError {
            throw error
        } catch {
            throw BackupError(.copyFailed, "cannot copy \(journalPath) to \(path): \(JournalVerifier.describe(error))")
        }
    }

    /// Verifies the journal file at `path` in full and checks it ends at `headSeq` with
    /// `headChain`; removes the `-shm` (and an empty `-wal`) the read-only check leaves. The
    /// archive segments are read from `archiveDirectory` (nil: where the manifest says).
    static func verifiedCopy(_ path: String, headSeq: UInt64, headChain: String, archiveDirectory: String?) throws -> VerifyReport {
        let report: VerifyReport
        do {
            report = try JournalVerifier(journalPath: path, archiveDirectory: archiveDirectory).verify()
        } catch {
            throw BackupError(.damaged, "the copy \(path) cannot be verified: \(error)")
        }
        for suffix in ["-shm", "-wal"] {
            var info = stat()
            guard stat(path + suffix, &info) == 0, suffix == "-shm" || info.st_size == 0 else { continue }
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
        guard report.intact else {
            let problems = report.problems.prefix(5).map(\.description).joined(separator: "; ")
            throw BackupError(
                .damaged, "the copy \(path) is NOT intact (\(report.problems.count) problems: \(problems)); run swhub verify on the journal"
            )
        }
        guard report.headSeq == headSeq, report.headChain == headChain else {
            throw BackupError(
                .damaged,
                "the copy \(path) ends at seq \(report.headSeq) chain \(report.headChain), not at seq \(headSeq) chain \(headChain)")
        }
        return report
    }

    /// The file's size and digest in the journal's suite (SHA-256 or SM3), hex.
    static func digest(_ path: String, _ hashing: JournalHashing) throws -> (size: UInt64, sha256: String) {
        try io("read \(path)") {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let hash = try hashing.hasher()
            var size: UInt64 = 0
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { hash.update($0) }
                size += UInt64(chunk.count)
            }
            return (size, JournalChain.hex(hash.finalize()))
        }
    }

    /// The hash functions of `suite`, or `copyFailed` when they cannot be used here.
    static func hashing(_ suite: CryptoSuite) throws -> JournalHashing {
        do {
            return try JournalHashing(suite)
        } catch {
            throw BackupError(.copyFailed, error.reason)
        }
    }

    /// fsync of a file or a directory.
    static func sync(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BackupError(.copyFailed, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw BackupError(.copyFailed, "cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Runs file work, mapping any error but a ``BackupError`` to `copyFailed`.
    static func io<R>(_ what: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as BackupError {
            throw error
        } catch {
            throw BackupError(.copyFailed, "cannot \(what): \(error.localizedDescription)")
        }
    }
}
