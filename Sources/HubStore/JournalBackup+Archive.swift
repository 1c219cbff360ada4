import Foundation

extension JournalBackup {
    /// Refuses, before anything is copied, a journal whose archive manifest keeps segment
    /// files when no ``archiveDirectory`` says where they are.
    func refuseKeptSegmentsWithoutFolder() throws {
        guard archiveDirectory == nil else { return }
        let kept: Int
        do {
            kept = try ArchiveManifest.read(journalPath: journalPath).filter(\.isKept).count
        } catch let error as StoreError where error.code == .openFailed {
            throw BackupError(.noJournal, error.reason)
        } catch {
            throw BackupError(.copyFailed, "cannot read the archive manifest of \(journalPath): \(error)")
        }
        if kept > 0 { throw Self.noFolder(journalPath, kept: kept) }
    }

    static func noFolder(_ journalPath: String, kept: Int) -> BackupError {
        BackupError(
            .archiveDirectoryUnknown,
            "the journal \(journalPath) keeps \(kept) archive segment file(s) and no archive folder was given: "
                + "back up with --config HUB.yaml (its archive.dir) or give --archive-dir DIR")
    }

    /// Copies every segment file the archive manifest of the journal copy at `copyPath`
    /// keeps (one snapshot with the copy: a segment sealed later is not listed) from
    /// ``archiveDirectory`` into `folder`, each written as `NAME.partial`, synced and
    /// renamed. The copies are checked when the journal copy is verified with them.
    /// - Returns: The files copied, with their sizes and SHA-256; none when nothing is kept.
    func copySegments(listedIn copyPath: String, to folder: String, hashing: JournalHashing) throws -> [BackupManifest.ArchiveFile] {
        let entries: [ArchiveManifest.Entry]
        do {
            entries = try ArchiveManifest.read(journalPath: copyPath)
        } catch {
            throw BackupError(.damaged, "cannot read the archive manifest of the copy \(copyPath): \(error)")
        }
        let kept = entries.filter(\.isKept)
        guard !kept.isEmpty else { return [] }
        guard let archiveDirectory else { throw Self.noFolder(journalPath, kept: kept.count) }
        let source = JournalArchive(directory: archiveDirectory, hashing: hashing)
        try Self.io("create \(folder)") {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        var files: [BackupManifest.ArchiveFile] = []
        for entry in kept {
            guard BackupManifest.isPlainName(entry.file) else {
                throw BackupError(.damaged, "the archive manifest names a segment file '\(entry.file)' that is not a plain file name")
            }
            let from = source.path(of: entry)
            let to = (folder as NSString).appendingPathComponent(entry.file)
            guard FileManager.default.fileExists(atPath: from) else {
                throw BackupError(
                    .copyFailed,
                    "archive segment \(from) (seqs \(entry.firstSeq)–\(entry.lastSeq)), kept in the snapshot's manifest, is not there: "
                        + "deleted past retention since the snapshot (back up again) or missing (swhub archive verify)")
            }
            try Self.io("copy \(from) to \(to)") {
                if FileManager.default.fileExists(atPath: to + ".partial") { try FileManager.default.removeItem(atPath: to + ".partial") }
                try FileManager.default.copyItem(atPath: from, toPath: to + ".partial")
                try Self.sync(path: to + ".partial")
                guard rename(to + ".partial", to) == 0 else {
                    throw BackupError(.copyFailed, "cannot rename \(to).partial: \(String(cString: strerror(errno)))")
                }
            }
            let (size, sha256) = try Self.digest(to, hashing)
            files.append(BackupManifest.ArchiveFile(name: entry.file, sizeBytes: size, sha256: sha256))
        }
        try Self.io("sync \(folder)") { try Self.sync(path: folder) }
        return files
    }

    /// Checks the backup's archive files against its manifest and against what is already in
    /// `archiveDirectory` (an identical file is fine, a different one is refused), before
    /// anything is placed.
    /// - Returns: The files to place (those not there yet).
    static func checkSegments(
        of manifest: BackupManifest, in directory: String, placingIn archiveDirectory: String?, hashing: JournalHashing
    ) throws
        -> [BackupManifest.ArchiveFile]
    {
        let files = manifest.archive ?? []
        guard !files.isEmpty else { return [] }
        guard let archiveDirectory else {
            throw BackupError(
                .archiveDirectoryUnknown,
                "the backup \(directory) holds \(files.count) archive segment file(s) and no archive folder was given: "
                    + "restore with --config HUB.yaml (its archive.dir) or give --archive-dir DIR")
        }
        var toPlace: [BackupManifest.ArchiveFile] = []
        for file in files {
            let source = ((directory as NSString).appendingPathComponent(BackupManifest.archiveFolder) as NSString)
                .appendingPathComponent(file.name)
            guard FileManager.default.fileExists(atPath: source) else {
                throw BackupError(
                    .manifestUnreadable, "the manifest names \(BackupManifest.archiveFolder)/\(file.name), which is not in \(directory)")
            }
            try checkDigest(source, size: file.sizeBytes, sha256: file.sha256, hashing: hashing)
            let target = (archiveDirectory as NSString).appendingPathComponent(file.name)
            if FileManager.default.fileExists(atPath: target) {
                let (size, sha256) = try digest(target, hashing)
                guard size == file.sizeBytes, sha256 == file.sha256 else {
                    throw BackupError(
                        .targetExists,
                        "\(target) exists and is not the backup's segment (\(size) bytes, \(hashing.suite.chainHashName) \(sha256)); move it aside or restore into another archive folder"
                    )
                }
            } else {
                toPlace.append(file)
            }
        }
        return toPlace
    }

    /// Places `files` from the backup in `directory` into `archiveDirectory`: each copied as
    /// `NAME.restoring`, synced, checked against the manifest and linked into place (an
    /// identical file that appeared meanwhile is fine; a different one is refused).
    static func placeSegments(
        _ files: [BackupManifest.ArchiveFile], from directory: String, into archiveDirectory: String, hashing: JournalHashing
    ) throws {
        guard !files.isEmpty else { return }
        try io("create \(archiveDirectory)") {
            try FileManager.default.createDirectory(atPath: archiveDirectory, withIntermediateDirectories: true)
        }
        for file in files {
            let source = ((directory as NSString).appendingPathComponent(BackupManifest.archiveFolder) as NSString)
                .appendingPathComponent(file.name)
            let target = (archiveDirectory as NSString).appendingPathComponent(file.name)
            let placing = target + ".restoring"
            try io("copy \(source) to \(placing)") {
                if FileManager.default.fileExists(atPath: placing) { try FileManager.default.removeItem(atPath: placing) }
                try FileManager.default.copyItem(atPath: source, toPath: placing)
                try sync(path: placing)
            }
            try checkDigest(placing, size: file.sizeBytes, sha256: file.sha256, hashing: hashing)
            if link(placing, target) != 0 {
                let failure = errno
                guard failure == EEXIST else {
                    throw BackupError(.copyFailed, "cannot place \(target): \(String(cString: strerror(failure)))")
                }
                let (size, sha256) = try digest(target, hashing)
                guard size == file.sizeBytes, sha256 == file.sha256 else {
                    throw BackupError(.targetExists, "\(target) appeared meanwhile and is not the backup's segment; move it aside")
                }
            }
            try io("finish placing \(target)") { try FileManager.default.removeItem(atPath: placing) }
        }
        try io("sync \(archiveDirectory)") { try sync(path: archiveDirectory) }
    }

    /// Checks the file at `path` has `size` bytes and digest `sha256` (SHA-256 or SM3, as `hashing`).
    static func checkDigest(_ path: String, size expectedSize: UInt64, sha256 expected: String, hashing: JournalHashing) throws {
        let (size, sha256) = try digest(path, hashing)
        let name = hashing.suite.chainHashName
        guard size == expectedSize, sha256 == expected else {
            throw BackupError(
                .checksumMismatch,
                "\(path) is \(size) bytes with \(name) \(sha256); the manifest says \(expectedSize) bytes with \(name) \(expected)")
        }
    }
}
