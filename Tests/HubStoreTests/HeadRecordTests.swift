import Foundation
import Testing

@testable import HubStore

/// The head record beside the journal: a journal that comes back behind what the hub had
/// committed is refused for writing, and can still be opened read-only (salvage).
@Suite("Head record")
struct HeadRecordTests {
    /// Appends `ids`, one batch each, and closes the store.
    private func append(_ ids: [String], to journal: TemporaryJournal) throws {
        let store = try journal.open()
        for id in ids { _ = try store.append([message(id: id)], acks: [:]) }
    }

    /// A journal of seqs 1...3 whose head record says 5 was committed.
    private func behind(_ journal: TemporaryJournal) throws {
        try append(["1", "2", "3"], to: journal)
        let saved = journal.directory.appendingPathComponent("saved")
        try journal.snapshot(to: saved)
        try append(["4", "5"], to: journal)
        try journal.restore(from: saved)
    }

    @Test func headRecordFollowsEveryCommit() throws {
        try withTemporaryJournal { journal in
            try append(["1", "2", "3"], to: journal)
            guard case .found(let mark, _) = try HeadRecord.read(path: journal.headPath) else {
                Issue.record("no head record")
                return
            }
            #expect(mark.seq == 3)
            // A duplicate moves no head and writes no record; reopening agrees.
            let store = try journal.open()
            _ = try store.append([message(id: "3")], acks: ["bob": 1])
            #expect(try store.headSeq() == 3)
        }
    }

    /// `appendUnsealed` commits the batch but leaves the head record to its seal, which the
    /// hub's writer writes beside the next commit and before acknowledging the batch; the
    /// last seal of several covers them all.
    @Test func anUnsealedAppendMovesTheHeadRecordOnlyWithItsSeal() throws {
        try withTemporaryJournal { journal in
            try append(["1"], to: journal)
            let store = try journal.open()
            let (outcomes, seal) = try store.appendUnsealed([message(id: "2"), message(id: "3")], acks: [:], progress: [])
            #expect(outcomes.map(\.seq) == [2, 3])
            #expect(try store.headSeq() == 3)
            #expect(try Self.recordedHead(journal) == 1)
            let (_, later) = try store.appendUnsealed([message(id: "4")], acks: [:], progress: [])
            #expect(seal?.seq == 3)
            #expect(later?.seq == 4)
            try later?.write()
            #expect(try Self.recordedHead(journal) == 4)
            // A batch that moves no head (a duplicate, acks only) has no seal.
            let (_, none) = try store.appendUnsealed([message(id: "4")], acks: ["bob": 2], progress: [])
            #expect(none == nil)
        }
    }

    /// The seq the head record holds.
    static func recordedHead(_ journal: TemporaryJournal) throws -> UInt64? {
        guard case .found(let mark, _) = try HeadRecord.read(path: journal.headPath) else { return nil }
        return mark.seq
    }

    @Test func journalBehindItsHeadRecordIsRefused() throws {
        try withTemporaryJournal { journal in
            try behind(journal)
            let error = #expect(throws: StoreError.self) { _ = try journal.open() }
            #expect(error?.code == .journalBehind)
            #expect(error?.reason.contains("2 committed record(s) are missing (seqs 4…5)") == true)
            #expect(error?.reason.contains("swhub verify --journal \(journal.path)") == true)
            #expect(error?.reason.contains("swhub serve --salvage") == true)
        }
    }

    @Test func verifyNamesWhatTheHeadRecordSaysIsMissing() throws {
        try withTemporaryJournal { journal in
            try append(["1", "2", "3"], to: journal)
            #expect(try JournalVerifier(journalPath: journal.path).verify().intact)
            let saved = journal.directory.appendingPathComponent("saved")
            try journal.snapshot(to: saved)
            try append(["4", "5"], to: journal)
            try journal.restore(from: saved)
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(report.headSeq == 3)
            #expect(report.problems.map(\.kind) == [.headRecord], "\(report.problems)")
            #expect(report.problems.first?.seqs == "seqs 4–5", "\(report.problems)")
            #expect(report.problems.first?.detail.contains("committed but missing") == true, "\(report.problems)")
        }
    }

    @Test func aTornNewestSlotFallsBackToTheOther() throws {
        try withTemporaryJournal { journal in
            try behind(journal)
            // The slot holding seq 5 is torn: the other one (seq 4) still shows the loss.
            guard case .found(let mark, let slot) = try HeadRecord.read(path: journal.headPath) else {
                Issue.record("no head record")
                return
            }
            #expect(mark.seq == 5)
            try tear(slot: slot, of: journal)
            let error = #expect(throws: StoreError.self) { _ = try journal.open() }
            #expect(error?.code == .journalBehind)
            #expect(error?.reason.contains("1 committed record(s) are missing (seq 4)") == true)
        }
    }

    @Test func aTornSlotOfASoundJournalIsHarmless() throws {
        try withTemporaryJournal { journal in
            try append(["1", "2", "3"], to: journal)
            guard case .found(_, let slot) = try HeadRecord.read(path: journal.headPath) else {
                Issue.record("no head record")
                return
            }
            try tear(slot: slot, of: journal)
            let store = try journal.open()
            _ = try store.append([message(id: "4")], acks: [:])
            guard case .found(let mark, _) = try HeadRecord.read(path: journal.headPath) else {
                Issue.record("no head record")
                return
            }
            #expect(mark.seq == 4)
        }
    }

    @Test func bothSlotsTornIsRefused() throws {
        try withTemporaryJournal { journal in
            try append(["1", "2", "3"], to: journal)
            try tear(slot: 0, of: journal)
            try tear(slot: 1, of: journal)
            let error = #expect(throws: StoreError.self) { _ = try journal.open() }
            #expect(error?.code == .corrupt)
            #expect(error?.reason.contains("neither of its two slots is valid") == true)
        }
    }

    @Test func aDifferentJournalUnderTheHeadRecordIsRefused() throws {
        try withTemporaryJournal { journal in
            try append(["1", "2", "3"], to: journal)
            let head = try Data(contentsOf: URL(fileURLWithPath: journal.headPath))
            for suffix in ["", "-wal", "-shm", "-head"] { try? FileManager.default.removeItem(atPath: journal.path + suffix) }
            try append(["x", "y", "z", "w"], to: journal)
            try head.write(to: URL(fileURLWithPath: journal.headPath))
            let error = #expect(throws: StoreError.self) { _ = try journal.open() }
            #expect(error?.code == .journalBehind)
            #expect(error?.seq == 3)
            #expect(error?.reason.contains("does not hold the record committed at seq 3") == true)
            let problems = try JournalVerifier(journalPath: journal.path).verify().problems
            #expect(
                problems.contains {
                    $0.kind == .headRecord && $0.seqs == "seq 3" && $0.detail.contains("not the record the hub committed there")
                },
                "\(problems)")
        }
    }

    @Test func aMissingHeadRecordIsCreated() throws {
        try withTemporaryJournal { journal in
            try append(["1", "2"], to: journal)
            try FileManager.default.removeItem(atPath: journal.headPath)
            let store = try journal.open()
            guard case .found(let mark, _) = try HeadRecord.read(path: journal.headPath) else {
                Issue.record("no head record")
                return
            }
            #expect(mark.seq == 2)
            _ = try store.append([message(id: "3")], acks: [:])
            guard case .found(let after, _) = try HeadRecord.read(path: journal.headPath) else {
                Issue.record("no head record")
                return
            }
            #expect(after.seq == 3)
        }
    }

    @Test func salvageOpensABehindJournalReadOnly() throws {
        try withTemporaryJournal { journal in
            try behind(journal)
            let store = try SQLiteJournalStore(path: journal.path, logger: TemporaryJournal.logger, readOnly: true)
            #expect(store.isReadOnly)
            #expect(store.services.isEmpty)
            #expect(try store.fetch(recipient: "bob", after: 0, limit: 10).records.map(\.id) == ["1", "2", "3"])
            #expect(try store.record(sender: "alice", id: "2")?.seq == 2)
            let append = #expect(throws: StoreError.self) { _ = try store.append([message(id: "6")], acks: [:]) }
            #expect(append?.code == .readOnly)
            let acks = #expect(throws: StoreError.self) { try store.saveAcks(["bob": 2]) }
            #expect(acks?.code == .readOnly)
            // Nothing was written: the head record still says 5, the journal still ends at 3.
            guard case .found(let mark, _) = try HeadRecord.read(path: journal.headPath) else {
                Issue.record("no head record")
                return
            }
            #expect(mark.seq == 5)
            #expect(try store.headSeq() == 3)
        }
    }

    /// Overwrites one slot of the head record with garbage, as a torn write would leave it.
    private func tear(slot: Int, of journal: TemporaryJournal) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: journal.headPath))
        try handle.seek(toOffset: UInt64(slot * HeadRecord.slotStride + 10))
        try handle.write(contentsOf: [UInt8](repeating: 0xA5, count: 8))
        try handle.close()
    }
}
