import Foundation
import GRDB
import Testing

@testable import HubStore

/// `JournalVerifier` on real journals damaged the way storage damages them: bits flipped in
/// stored bodies, a value that no longer decodes, an index page's entry, a zeroed page,
/// inbox rows gone and an acknowledgement beyond the head. Every damaged range is
/// reported, in seq order, and nothing traps.
@Suite("Journal verifier")
struct JournalVerifierTests {
    typealias Problem = VerifyReport.Problem

    static func verify(_ path: String, tail: Int? = nil) throws -> VerifyReport {
        try JournalVerifier(journalPath: path, tail: tail).verify()
    }

    static func summary(_ report: VerifyReport) -> [String] {
        report.problems.map { "\($0.kind.rawValue) \($0.seqs)" }
    }

    @Test func anUntouchedJournalIsIntact() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 300)
            let report = try Self.verify(journal.path)
            #expect(report.intact, "\(report.problems)")
            #expect(report.records == 300 && report.headSeq == 300 && report.firstCheckedSeq == 1)
            // The head the writer committed to (its head record) is the one the verifier computes.
            guard case .found(let mark, _) = try HeadRecord.read(path: HeadRecord.path(journal: journal.path)) else {
                Issue.record("no head record")
                return
            }
            #expect(mark.seq == 300 && report.headChain == mark.chain.map { String(format: "%02x", $0) }.joined())
            #expect(report.wal?.losesCommits == false)
        }
    }

    @Test func everyFlippedBitInABodyIsFoundOnItsOwnInSeqOrder() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 300)
            for index in [200] + Array(120...135) {
                let offset = try #require(try JournalDamage.offset(of: "<<body \(JournalDamage.id(index))>>", in: journal.path))
                try JournalDamage.flipBit(journal.path, at: offset + 20)
            }
            let report = try Self.verify(journal.path)
            #expect(Self.summary(report) == ["altered seqs 120–135", "altered seq 200"], "\(report.problems)")
            #expect(report.records == 300 && report.headSeq == 300)
        }
    }

    @Test func aValueThatNoLongerDecodesIsReportedNotTrapped() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 100)
            try JournalDamage.sql(journal.path, "UPDATE messages SET created_at_us = 'garbage' WHERE seq = 77")
            let report = try Self.verify(journal.path)
            #expect(Self.summary(report) == ["unreadable seq 77"], "\(report.problems)")
        }
    }

    @Test func aChangedChainValueIsTellFromChangedContent() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 50)
            try JournalDamage.sql(journal.path, "UPDATE messages SET chain = zeroblob(32) WHERE seq = 20")
            let report = try Self.verify(journal.path)
            #expect(Self.summary(report) == ["chainValueAltered seq 20"], "\(report.problems)")
        }
    }

    @Test func aDamagedDedupIndexEntryIsFoundAtItsSeq() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 300)
            let size = try JournalDamage.pageSize(journal.path)
            let root = try JournalDamage.dedupIndexRoot(journal.path)
            // The entry is (sender, msg_id, rowid); seq 123's rowid is the one byte after its id.
            let offset = try #require(
                try JournalDamage.offset(of: "m-000123", in: journal.path, from: (root - 1) * size, before: root * size),
                "the index entry is not on the index's root page")
            try JournalDamage.flipBit(journal.path, at: offset + 8, mask: 0x01)
            let report = try Self.verify(journal.path)
            let dedup = report.problems.filter { $0.kind == .dedupIndex }
            #expect(dedup.map(\.seqs) == ["seq 123"], "\(report.problems)")
            #expect(dedup.first?.detail.contains("found at seq 122") == true, "\(report.problems)")
            #expect(report.problems.contains { $0.kind == .integrity }, "integrity_check's messages are reported")
        }
    }

    @Test func aZeroedPageIsReportedAsUnreadableSeqsAndTheRestIsChecked() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 600)
            let size = try JournalDamage.pageSize(journal.path)
            let offset = try #require(try JournalDamage.offset(of: "<<body m-000300>>", in: journal.path))
            try JournalDamage.zeroPage(journal.path, page: offset / size + 1)
            let report = try Self.verify(journal.path)
            let unreadable = report.problems.filter { $0.kind == .unreadable }
            #expect(unreadable.count == 1, "\(report.problems)")
            let range = try #require(unreadable.first)
            #expect((range.firstSeq ?? 0) <= 300 && (range.lastSeq ?? 0) >= 300 && (range.lastSeq ?? 0) < 600, "\(range)")
            #expect(!report.problems.contains { $0.kind == .altered || $0.kind == .missing }, "\(report.problems)")
            #expect(report.headSeq == 600)
            #expect(report.problems.contains { $0.kind == .integrity })
        }
    }

    @Test func lostInboxRowsOrphansAndAcksBeyondTheHeadAreReportedInSeqOrder() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 300)
            try JournalDamage.editInbox(journal.path) { entries in
                entries["bob"]?.removeAll { (10...14).contains($0) }
                entries["carol", default: []].append(20)
                entries["bob", default: []].append(999)
            }
            try JournalDamage.sql(
                journal.path,
                """
                INSERT INTO cursors VALUES ('bob', 900);
                INSERT INTO progress VALUES ('bob', 'delivered', 350, 1);
                """)
            let report = try Self.verify(journal.path)
            #expect(
                Self.summary(report) == [
                    "inboxMissing seqs 10–14", "inboxOrphan seq 20", "ackBeyondHead seqs 301–900", "progressBeyondHead seqs 301–350",
                    "inboxOrphan seq 999",
                ], "\(report.problems)")
            // Quick: the tail and the positions, not the whole-table scans.
            let quick = try Self.verify(journal.path, tail: 100)
            #expect(Self.summary(quick) == ["ackBeyondHead seqs 301–900", "progressBeyondHead seqs 301–350"], "\(quick.problems)")
            #expect(quick.records == 100 && quick.firstCheckedSeq == 201)
        }
    }

    @Test func quickChecksTheTailChainedFromTheStoredLinkBeforeIt() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 300)
            for index in [50, 290] {
                let offset = try #require(try JournalDamage.offset(of: "<<body \(JournalDamage.id(index))>>", in: journal.path))
                try JournalDamage.flipBit(journal.path, at: offset + 30)
            }
            #expect(Self.summary(try Self.verify(journal.path, tail: 100)) == ["altered seq 290"])
            #expect(Self.summary(try Self.verify(journal.path, tail: 1000)) == ["altered seq 50", "altered seq 290"])
            #expect(Self.summary(try Self.verify(journal.path)) == ["altered seq 50", "altered seq 290"])
        }
    }

    @Test func aFileThatIsNoJournalIsReportedAsDamage() throws {
        try withTemporaryJournal { journal in
            try Data("not a database, not at all, no SQLite header here".utf8).write(to: URL(fileURLWithPath: journal.path))
            let garbage = try Self.verify(journal.path)
            #expect(garbage.problems.map(\.kind) == [.database], "\(garbage.problems)")
            try Data().write(to: URL(fileURLWithPath: journal.path))
            let empty = try Self.verify(journal.path)
            #expect(!empty.intact && empty.problems.contains { $0.kind == .dedupIndex }, "\(empty.problems)")
        }
    }

    @Test func aZeroedFirstPageOrSchemaIsReportedNotThrown() throws {
        try withTemporaryJournal { journal in
            try JournalDamage.write(journal.path, count: 100)
            try JournalDamage.zeroPage(journal.path, page: 1)
            let report = try Self.verify(journal.path)
            #expect(!report.intact && report.problems.allSatisfy { $0.kind == .database || $0.kind == .integrity }, "\(report.problems)")
        }
    }

    @Test func aMissingJournalIsAnErrorNotAReport() throws {
        #expect(throws: StoreError.self) { try Self.verify("/nonexistent/journal.sqlite") }
    }
}
