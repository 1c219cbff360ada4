import Foundation
import HubStore
import Synchronization
import Testing

/// ``JournalBackup``: a copy made while another connection keeps committing is one snapshot
/// (it verifies and ends at the head its manifest names), and a restore checks the copy,
/// refuses to overwrite, and gives a journal a store opens and appends to after that head.
@Suite("Journal backup and restore")
struct JournalBackupTests {
    static func append(_ store: SQLiteJournalStore, from first: Int, count: Int) throws {
        _ = try store.append(
            (first..<first + count).map { index in
                JournalAppend(
                    sender: "alice", id: "m-\(index)", type: "demo.Note", recipients: ["bob"], correlationId: "",
                    createdAtUs: 1_700_000_000_000_000, body: Array(repeating: UInt8(index % 251), count: 2000))
            }, acks: ["bob": UInt64(max(0, first - 100))])
    }

    @Test func aCopyMadeWhileCommitsGoOnIsOneSnapshotThatRestoresAndContinues() throws {
        let journal = try TemporaryJournal()
        defer { journal.remove() }
        let store = try journal.open()
        try Self.append(store, from: 1, count: 2000)
        // Commits go on, batch after batch, on another thread while the copy is made.
        let stop = StopFlag()
        let finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            var next = 2001
            while !stop.isSet && next < 200_000 {
                try? Self.append(store, from: next, count: 20)
                next += 20
            }
            finished.signal()
        }
        writer.start()
        var backup = JournalBackup(journalPath: journal.path)
        backup.pagesPerStep = 8  // many steps, so commits land between them
        var steps = 0
        let directory = journal.directory.appendingPathComponent("backup").path
        let (manifest, report) = try backup.write(to: directory, hubVersion: "test") { _ in steps += 1 }
        stop.set()
        finished.wait()
        #expect(steps > 1)
        #expect(report.intact && report.headSeq == manifest.headSeq && report.records == Int(manifest.headSeq))
        #expect(manifest.headSeq >= 2000)
        #expect(manifest.ackPositions["bob"] != nil)
        let head = try store.headSeq()
        #expect(head >= manifest.headSeq)

        // A second backup into the same directory is refused.
        #expect(throws: BackupError.self) { _ = try backup.write(to: directory, hubVersion: "test") }

        // Restored to a new path: the store opens it at the manifest's head and goes on from there.
        let target = journal.directory.appendingPathComponent("restored/journal.sqlite").path
        let restored = try JournalBackup.restore(from: directory, to: target)
        #expect(restored.manifest == manifest && restored.report.intact)
        var reopened: SQLiteJournalStore? = try SQLiteJournalStore(path: target, logger: TemporaryJournal.logger)
        #expect(try reopened?.headSeq() == manifest.headSeq)
        #expect(try reopened?.ackPositions()["bob"] == manifest.ackPositions["bob"])
        let outcome = try reopened?.append(
            [
                JournalAppend(
                    sender: "alice", id: "after", type: "demo.Note", recipients: ["bob"], correlationId: "", createdAtUs: 1, body: [1])
            ],
            acks: [:])
        #expect(outcome?.first?.seq == manifest.headSeq + 1)
        reopened = nil
        let verified = try JournalVerifier(journalPath: target).verify()
        #expect(verified.intact && verified.headSeq == manifest.headSeq + 1)

        // Over an existing journal (or its head record): refused, nothing touched.
        do {
            _ = try JournalBackup.restore(from: directory, to: target)
            Issue.record("restored over an existing journal")
        } catch let error as BackupError {
            #expect(error.code == .targetExists)
        }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: target + suffix) {
            try FileManager.default.moveItem(atPath: target + suffix, toPath: target + ".old" + suffix)
        }
        do {
            _ = try JournalBackup.restore(from: directory, to: target)
            Issue.record("restored beside an earlier journal's head record")
        } catch let error as BackupError {
            #expect(error.code == .targetExists && error.reason.contains("-head"))
        }
        withExtendedLifetime(store) {}
    }

    @Test func aChangedCopyOrManifestIsRefusedBeforeAnythingIsPlaced() throws {
        let journal = try TemporaryJournal()
        defer { journal.remove() }
        let store = try journal.open()
        try Self.append(store, from: 1, count: 100)
        let directory = journal.directory.appendingPathComponent("backup").path
        _ = try JournalBackup(journalPath: journal.path).write(to: directory, hubVersion: "test")
        let copy = (directory as NSString).appendingPathComponent(JournalBackup.journalFileName)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy)))
        bytes[bytes.count - 100] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        let target = journal.directory.appendingPathComponent("restored.sqlite").path
        do {
            _ = try JournalBackup.restore(from: directory, to: target)
            Issue.record("a changed copy was restored")
        } catch let error as BackupError {
            #expect(error.code == .checksumMismatch)
        }
        #expect(!FileManager.default.fileExists(atPath: target))
        let manifest = (directory as NSString).appendingPathComponent(BackupManifest.fileName)
        try Data("{\"format\": 9}".utf8).write(to: URL(fileURLWithPath: manifest))
        do {
            _ = try JournalBackup.restore(from: directory, to: target)
            Issue.record("a backup without a readable manifest was restored")
        } catch let error as BackupError {
            #expect(error.code == .manifestUnreadable)
        }
        withExtendedLifetime(store) {}
    }
}

/// A flag one thread sets and another reads.
final class StopFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
