import Foundation
import HubCore

/// What a backup directory says of its journal copy (`manifest.json`, written by
/// ``JournalBackup/write(to:hubVersion:progress:)`` after the copy was verified): the point
/// in time the copy holds (head seq and its chain value, the acknowledgement positions),
/// when and by which hub version it was made, and the copy's size and digest (SHA-256, or SM3 in a
/// `crypto: sm` journal, ``crypto``), which
/// ``JournalBackup/restore(from:to:archiveDirectory:)`` checks before it places the file; and
/// the archive segment files the copy's archive manifest keeps, copied into the backup's
/// `archive/` folder.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// One archive segment file of the backup (in its `archive/` folder).
    public struct ArchiveFile: Codable, Sendable, Equatable {
        /// The file's name, as the journal's archive manifest names it.
        public var name: String
        /// Its size and SHA-256 (hex).
        public var sizeBytes: UInt64
        public var sha256: String
    }

    /// The manifest's format; a restore refuses another.
    public var format: Int
    /// The journal copy's file name inside the backup directory.
    public var file: String
    /// The last seq in the copy (0 for an empty journal).
    public var headSeq: UInt64
    /// The chain value stored with `headSeq`, hex (``JournalChain``): `swhub verify` of the
    /// restored journal ends in the same value at that seq.
    public var headChain: String
    /// Each party's acknowledgement position in the copy: a restored hub resumes each
    /// party's deliveries after it.
    public var ackPositions: [String: UInt64]
    /// When the copy's snapshot was taken, ISO 8601 (UTC).
    public var createdAt: String
    /// The `swhub` version that made it.
    public var hubVersion: String
    /// The journal the copy was made of.
    public var source: String
    /// The copy's size and SHA-256 (hex).
    public var sizeBytes: UInt64
    public var sha256: String
    /// The archive segment files the copy's archive manifest keeps (deleted past retention:
    /// not there), copied and checked; nil (a backup made before archives were backed up)
    /// or empty when there are none.
    public var archive: [ArchiveFile]?
    /// The journal's algorithm suite (``CryptoSuite``'s name); nil (a backup made before
    /// suites) is `standard`. In `sm`, every `sha256` of the manifest holds an SM3 digest.
    public var crypto: String?

    /// The suite the manifest's digests are in.
    /// - Throws: ``BackupError`` `manifestUnreadable` when `crypto` names no suite this hub knows.
    public func suite() throws -> CryptoSuite {
        guard let crypto else { return .legacy }
        guard let suite = CryptoSuite(rawValue: crypto) else {
            throw BackupError(.manifestUnreadable, "the backup manifest says crypto '\(crypto)', which this hub does not know")
        }
        return suite
    }

    /// The folder inside a backup directory that holds the archive segment files.
    public static let archiveFolder = "archive"

    /// The format this version writes and reads.
    public static let currentFormat = 1
    /// The manifest's file name inside a backup directory.
    public static let fileName = "manifest.json"

    /// The manifest as written: pretty JSON, keys sorted.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads the manifest of the backup in `directory`.
    /// - Throws: ``BackupError`` `manifestUnreadable`.
    public static func read(directory: String) throws -> BackupManifest {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BackupError(.manifestUnreadable, "no backup in \(directory): \(path) cannot be read")
        }
        let manifest: BackupManifest
        do {
            manifest = try JSONDecoder().decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError(.manifestUnreadable, "\(path) is not a backup manifest: \(error)")
        }
        guard manifest.format == currentFormat else {
            throw BackupError(
                .manifestUnreadable, "\(path) is of format \(manifest.format); this swhub reads format \(currentFormat)")
        }
        guard isPlainName(manifest.file) else {
            throw BackupError(.manifestUnreadable, "\(path) names no journal file of its directory")
        }
        for file in manifest.archive ?? [] where !isPlainName(file.name) {
            throw BackupError(.manifestUnreadable, "\(path) names an archive file '\(file.name)' that is not a plain file name")
        }
        return manifest
    }

    /// Whether `name` is a file name of one folder (no `/`, not `.` or `..`, not empty).
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".."
    }
}
