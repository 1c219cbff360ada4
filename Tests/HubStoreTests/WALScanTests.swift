import Foundation
import GRDB
import HubStore
import Logging
import Testing

/// `WALScan` on the WAL a crash leaves: a store writing with automatic checkpoints off and
/// no checkpointer running, its database and WAL copied while it is still open. Intact, the
/// scan keeps every commit; with one bit flipped in a frame in the middle, it names that
/// frame and the committed transactions after it that SQLite's recovery drops, and the
/// verifier's read-only open leaves the WAL's bytes as they were.
@Suite("WAL scan")
struct WALScanTests {
    /// A crash copy of a journal of 300 messages written in 60 transactions, in `directory`.
    static func crashCopy(in journal: TemporaryJournal) throws -> String {
        let copy = journal.directory.appendingPathComponent("crash.sqlite").path
        let store = try journal.open()
        try JournalDamage.fill(store, count: 300, batch: 5)
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: journal.path + suffix, toPath: copy + suffix)
        }
        withExtendedLifetime(store) {}
        return copy
    }

    static func walBytes(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path + "-wal"))
    }

    @Test func anIntactCrashWALKeepsEveryCommitAndVerifies() throws {
        try withTemporaryJournal { journal in
            let copy = try Self.crashCopy(in: journal)
            let scan = try WALScan.scan(journalPath: copy)
            #expect(scan.exists && scan.headerValid && scan.pageSize == 16384)
            #expect(scan.frames > 60 && scan.lastValidCommitFrame == scan.frames, "\(scan)")
            #expect(scan.keptCommits >= 60 && scan.damagedFrame == nil && !scan.losesCommits)
            let before = try Self.walBytes(copy)
            let report = try JournalVerifier(journalPath: copy).verify()
            #expect(report.intact && report.headSeq == 300, "\(report.problems)")
            #expect(try Self.walBytes(copy) == before, "the read-only open changed the WAL")
        }
    }

    @Test func aFlippedBitInTheMiddleNamesTheFrameAndTheDroppedCommits() throws {
        try withTemporaryJournal { journal in
            let copy = try Self.crashCopy(in: journal)
            let intact = try WALScan.scan(journalPath: copy)
            let frame = intact.frames / 2
            try JournalDamage.flipBit(copy + "-wal", at: 32 + (frame - 1) * (24 + intact.pageSize) + 24 + 1000)
            let scan = try WALScan.scan(journalPath: copy)
            #expect(scan.damagedFrame == frame, "\(scan)")
            #expect(scan.losesCommits && scan.droppedCommits > 10 && !scan.droppedPages.isEmpty, "\(scan)")
            #expect(scan.keptCommits + scan.droppedCommits == intact.keptCommits, "\(scan)")
            #expect((scan.lastValidCommitFrame ?? 0) < frame)

            let before = try Self.walBytes(copy)
            let report = try JournalVerifier(journalPath: copy).verify()
            let wal = report.problems.filter { $0.kind == .wal }
            #expect(wal.count == 1, "\(report.problems)")
            #expect(
                wal.first?.detail.hasPrefix(
                    "lost: WAL: \(scan.droppedCommits) committed transactions after damaged frame \(frame) will be dropped")
                    == true, "\(report.problems)")
            // The records in the dropped frames beyond the head SQLite reads: the lost seqs.
            #expect(wal.first?.firstSeq == report.headSeq + 1 && wal.first?.lastSeq == 300, "\(report.problems)")
            // SQLite indeed reads fewer records: the dropped transactions' messages.
            #expect(report.headSeq < 300 && report.headSeq > 0, "\(report.headSeq)")
            #expect(try Self.walBytes(copy) == before, "the read-only open changed the WAL")
        }
    }

    /// The hub's own open of that crash state (the head record copied with it): it refuses
    /// the journal (committed records are missing) instead of starting lower and reusing
    /// their seqs, and the damaged WAL is kept aside before SQLite's first checkpoint could
    /// erase what follows the damage.
    @Test func aWritableOpenRefusesTheLostCommitsAndKeepsTheWALAside() throws {
        try withTemporaryJournal { journal in
            let copy = try Self.crashCopy(in: journal)
            try FileManager.default.copyItem(atPath: journal.path + "-head", toPath: copy + "-head")
            let intact = try WALScan.scan(journalPath: copy)
            let frame = intact.frames / 2
            try JournalDamage.flipBit(copy + "-wal", at: 32 + (frame - 1) * (24 + intact.pageSize) + 24 + 1000)
            let damaged = try Self.walBytes(copy)
            var refused: StoreError?
            do {
                _ = try SQLiteJournalStore(path: copy, logger: Logger(label: "test"))
            } catch let error as StoreError {
                refused = error
            }
            #expect(refused?.code == .journalBehind, "\(String(describing: refused))")
            let kept = try FileManager.default.contentsOfDirectory(atPath: journal.directory.path)
                .filter { $0.hasPrefix("crash.sqlite-wal.damaged-") }
            #expect(!kept.isEmpty, "\(kept)")
            if let name = kept.first {
                #expect(try Data(contentsOf: journal.directory.appendingPathComponent(name)) == damaged)
            }
        }
    }

    @Test func aDamagedFrameHeaderChecksumStillLetsTheLaterFramesBeCounted() throws {
        try withTemporaryJournal { journal in
            let copy = try Self.crashCopy(in: journal)
            let intact = try WALScan.scan(journalPath: copy)
            let frame = intact.frames / 3
            // Byte 17 of the frame header: the frame's stored cumulative checksum.
            try JournalDamage.flipBit(copy + "-wal", at: 32 + (frame - 1) * (24 + intact.pageSize) + 17)
            let scan = try WALScan.scan(journalPath: copy)
            #expect(scan.damagedFrame == frame && scan.keptCommits + scan.droppedCommits == intact.keptCommits, "\(scan)")
        }
    }

    @Test func noWALAndADamagedHeader() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 10)
            let none = try WALScan.scan(journalPath: journal.path)
            #expect(!none.exists && !none.losesCommits)
            let copy = try Self.crashCopy(in: journal)
            try JournalDamage.flipBit(copy + "-wal", at: 12)  // the checkpoint sequence, under the header checksum
            let scan = try WALScan.scan(journalPath: copy)
            #expect(!scan.headerValid && scan.losesCommits)
            #expect(try JournalVerifier(journalPath: copy).verify().problems.contains { $0.kind == .wal })
        }
    }
}
