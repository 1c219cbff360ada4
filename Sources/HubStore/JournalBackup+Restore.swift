import Foundation

extension JournalBackup {
    /// Places the backup in `directory` as the journal `journalPath`, for a hub to start on.
    ///
    /// Refuses to overwrite anything: the journal, its `-wal`, `-shm` and its head record
    /// (`-head`, which would make the hub refuse the restored journal as behind it) must not
    /// exist. Checks the backup's file against its manifest (size and digest: SHA-256, or SM3 when
    /// the manifest says `crypto: sm`), copies it
    /// beside the target as `<journal>.restoring`, checks the copy's digest again, verifies
    /// it in full (``JournalVerifier``) and that it ends at the manifest's head seq and
    /// chain value, then links it into place (never replacing a file that appeared
    /// meanwhile) and syncs the directory. The hub writes a new head record on its first
    /// start.
    ///
    /// The backup's archive segment files (its `archive/` folder, as its manifest lists them)
    /// go into `archiveDirectory`: each checked against the manifest (size and SHA-256)
    /// before anything is placed, a file already there with other content refused (the same
    /// file is fine), each copy checked again; the journal is then verified with them (each
    /// segment whole, the chain across segments into the journal's rows).
    ///
    /// - Returns: The backup's manifest and the verifier's report on the placed journal.
    /// - Throws: ``BackupError``: `manifestUnreadable`, `targetExists`, `checksumMismatch`,
    ///   `archiveDirectoryUnknown` (the backup holds segment files and no `archiveDirectory`
    ///   was given), `damaged`, `copyFailed`.
    public static func restore(from directory: String, to journalPath: String, archiveDirectory: String? = nil) throws -> (
        manifest: BackupManifest, report: VerifyReport
    ) {
        let manifest = try BackupManifest.read(directory: directory)
        let hashing = try Self.hashing(try manifest.suite())
        for suffix in ["", "-wal", "-shm", "-head"] where FileManager.default.fileExists(atPath: journalPath + suffix) {
            let what =
                suffix == "-head"
                ? "the head record of an earlier journal (a hub would refuse the restored journal as behind it)"
                : suffix.isEmpty ? "a journal" : "a file of an earlier journal"
            throw BackupError(
                .targetExists,
                "\(journalPath + suffix) exists: \(what); restore to a new path, or move the old journal and its -wal, -shm and -head files aside"
            )
        }
        let source = (directory as NSString).appendingPathComponent(manifest.file)
        guard FileManager.default.fileExists(atPath: source) else {
            throw BackupError(.manifestUnreadable, "the manifest names \(manifest.file), which is not in \(directory)")
        }
        try checkDigest(source, manifest, hashing)
        let segments = try checkSegments(of: manifest, in: directory, placingIn: archiveDirectory, hashing: hashing)
        let parent = (journalPath as NSString).deletingLastPathComponent
        let placing = journalPath + ".restoring"
        try io("copy \(source) to \(placing)") {
            if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            for suffix in ["", "-journal", "-wal", "-shm"] where FileManager.default.fileExists(atPath: placing + suffix) {
                try FileManager.default.removeItem(atPath: placing + suffix)
            }
            try FileManager.default.copyItem(atPath: source, toPath: placing)
            try sync(path: placing)
        }
        try checkDigest(placing, manifest, hashing)
        if let archiveDirectory { try placeSegments(segments, from: directory, into: archiveDirectory, hashing: hashing) }
        let report = try verifiedCopy(
            placing, headSeq: manifest.headSeq, headChain: manifest.headChain, archiveDirectory: archiveDirectory)
        guard report.crypto == hashing.suite else {
            throw BackupError(
                .damaged,
                "the backup's journal records crypto: \(report.crypto.rawValue), its manifest says \(hashing.suite.rawValue)")
        }
        // link(2) fails when the name exists: a journal that appeared meanwhile is never replaced.
        guard link(placing, journalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            throw BackupError(errno == EEXIST ? .targetExists : .copyFailed, "cannot place the journal at \(journalPath): \(reason)")
        }
        try io("finish the restore") {
            try FileManager.default.removeItem(atPath: placing)
            try sync(path: parent.isEmpty ? "." : parent)
        }
        return (manifest, report)
    }

    /// Checks the file at `path` is the one `manifest` describes.
    private static func checkDigest(_ path: String, _ manifest: BackupManifest, _ hashing: JournalHashing) throws {
        try checkDigest(path, size: manifest.sizeBytes, sha256: manifest.sha256, hashing: hashing)
    }
}
