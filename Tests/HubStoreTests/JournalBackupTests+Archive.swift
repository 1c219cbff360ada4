import Foundation
import HubStore
import Testing

/// A backup of a journal with archive segments holds the segment files its snapshot keeps,
/// checked; a restore places them, checked against the manifest, and the restored journal
/// verifies with them and reads its archived records.
extension JournalBackupTests {
    static func flipByte(in path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func expectCode(_ code: BackupError.Code, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected BackupError \(code)")
        } catch let error as BackupError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("expected BackupError \(code), got \(error)")
        }
    }

    @Test func aBackupHoldsTheKeptSegmentsAndARestorePlacesThemChecked() throws {
        try withTemporaryJournal { journal in
            let settings = ArchiveTests.settings(journal)
            let store = try ArchiveTests.filled(journal, count: 25, settings: settings)
            let before = try store.fetch(recipient: "bob", after: 0, limit: 100).records
            let outcome = try #require(store.archiver).runOnce(nowUs: ArchiveTests.later)
            #expect(outcome.sealedSegments == 2 && outcome.archivedUpTo == 20)
            let root = journal.directory

            // Without an archive folder: refused before anything is copied.
            let refused = root.appendingPathComponent("refused").path
            Self.expectCode(.archiveDirectoryUnknown) {
                _ = try JournalBackup(journalPath: journal.path).write(to: refused, hubVersion: "test")
            }
            #expect(!FileManager.default.fileExists(atPath: refused + "/" + BackupManifest.fileName))

            let backupDirectory = root.appendingPathComponent("backup").path
            let (manifest, report) = try JournalBackup(journalPath: journal.path, archiveDirectory: settings.directory)
                .write(to: backupDirectory, hubVersion: "test")
            #expect(report.intact, "\(report.problems)")
            #expect(report.archive?.keptSegments == 2 && manifest.headSeq == 25)
            let names = ["segment-000000000001-000000000010.swarc.gz", "segment-000000000011-000000000020.swarc.gz"]
            #expect(manifest.archive?.map(\.name) == names)
            let copied = try FileManager.default.contentsOfDirectory(atPath: backupDirectory + "/archive").sorted()
            #expect(copied == names)
            #expect(try BackupManifest.read(directory: backupDirectory) == manifest)

            // Restored into a new folder: the journal verifies across its segments and reads them.
            let target = root.appendingPathComponent("restored/journal.sqlite").path
            let restoredArchive = root.appendingPathComponent("restored/archive").path
            Self.expectCode(.archiveDirectoryUnknown) { _ = try JournalBackup.restore(from: backupDirectory, to: target) }
            #expect(!FileManager.default.fileExists(atPath: target))
            let restored = try JournalBackup.restore(from: backupDirectory, to: target, archiveDirectory: restoredArchive)
            #expect(restored.report.intact && restored.report.archive?.keptSegments == 2, "\(restored.report.problems)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: restoredArchive).sorted() == names)
            let verified = try JournalVerifier(journalPath: target, archiveDirectory: restoredArchive).verify()
            #expect(verified.intact && verified.headSeq == 25 && verified.archive?.keptRecords == 20, "\(verified.problems)")
            var restoredSettings = settings
            restoredSettings.directory = restoredArchive
            let reopened = try SQLiteJournalStore(path: target, logger: TemporaryJournal.logger, archiveSettings: restoredSettings)
            #expect(try reopened.fetch(recipient: "bob", after: 0, limit: 100).records == before)
            #expect(try reopened.record(seq: 3) == before[2])

            // The same files already in the archive folder are fine; a different one is refused.
            let second = try JournalBackup.restore(
                from: backupDirectory, to: root.appendingPathComponent("second.sqlite").path, archiveDirectory: restoredArchive)
            #expect(second.report.intact)
            let otherArchive = root.appendingPathComponent("other-archive").path
            try FileManager.default.createDirectory(atPath: otherArchive, withIntermediateDirectories: true)
            try Data("not this one".utf8).write(to: URL(fileURLWithPath: otherArchive + "/" + names[1]))
            let third = root.appendingPathComponent("third.sqlite").path
            Self.expectCode(.targetExists) {
                _ = try JournalBackup.restore(from: backupDirectory, to: third, archiveDirectory: otherArchive)
            }
            #expect(!FileManager.default.fileExists(atPath: third))
            #expect(!FileManager.default.fileExists(atPath: otherArchive + "/" + names[0]))

            // A tampered segment copy in the backup: refused, nothing placed.
            try Self.flipByte(in: backupDirectory + "/archive/" + names[0])
            let fresh = root.appendingPathComponent("fresh-archive").path
            let fourth = root.appendingPathComponent("fourth.sqlite").path
            Self.expectCode(.checksumMismatch) { _ = try JournalBackup.restore(from: backupDirectory, to: fourth, archiveDirectory: fresh) }
            #expect(!FileManager.default.fileExists(atPath: fourth))
            #expect(!FileManager.default.fileExists(atPath: fresh + "/" + names[0]))

            // A damaged segment in the hub's own archive: the backup's check of its copy fails.
            try Self.flipByte(in: settings.directory + "/" + names[1])
            let damaged = root.appendingPathComponent("damaged").path
            Self.expectCode(.damaged) {
                _ = try JournalBackup(journalPath: journal.path, archiveDirectory: settings.directory).write(
                    to: damaged, hubVersion: "test")
            }
            #expect(!FileManager.default.fileExists(atPath: damaged + "/" + BackupManifest.fileName))
            withExtendedLifetime(store) {}
        }
    }
}
