import Foundation
import GRDB
import HubStore
import Testing

/// The journal's hash chain: `JournalVerifier` finds it holds on an untouched journal, across
/// reopenings and duplicates, and names the record altered (one byte of a body, a time) or
/// removed.
@Suite("Journal hash chain")
struct JournalChainTests {
    /// A journal of `count` messages in batches, closed.
    static func filled(_ journal: TemporaryJournal, count: Int = 300) throws {
        var store: SQLiteJournalStore? = try journal.open()
        for start in stride(from: 0, to: count, by: 100) {
            _ = try store?.append((start..<min(start + 100, count)).map { message(id: "m-\($0)", bodySize: 200) }, acks: [:])
        }
        // A duplicate is not chained twice; a reopened store continues the chain.
        _ = try store?.append([message(id: "m-1", bodySize: 200)], acks: [:])
        store = nil
        store = try journal.open()
        _ = try store?.append([message(id: "after-reopen")], acks: [:])
        store = nil
    }

    /// Runs SQL on the file behind the hub's back, as someone tampering with it would,
    /// waiting for the lock like any other writer (a closed store's checkpointer may still be
    /// finishing its last checkpoint; it failed once on a loaded machine without the wait).
    static func tamper(_ journal: TemporaryJournal, _ sql: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: journal.path, configuration: configuration)
        try queue.write { try $0.execute(sql: sql) }
    }

    static func verify(_ journal: TemporaryJournal) throws -> VerifyReport {
        try JournalVerifier(journalPath: journal.path).verify()
    }

    /// Whether `report` has a problem of `kind` at exactly `seqs` ("seq 7", "seqs 200–201").
    static func has(_ report: VerifyReport, _ kind: VerifyReport.Problem.Kind, _ seqs: String) -> Bool {
        report.problems.contains { $0.kind == kind && $0.seqs == seqs }
    }

    @Test func anUntouchedJournalVerifies() throws {
        try withTemporaryJournal { journal in
            try Self.filled(journal)
            let report = try Self.verify(journal)
            #expect(report.intact, "\(report.problems)")
            #expect(report.records == 301 && report.headSeq == 301)
            #expect(report.headChain.count == 64)
            // The same journal gives the same head: an auditor's anchor.
            #expect(try Self.verify(journal).headChain == report.headChain)
        }
    }

    @Test func oneChangedByteOfABodyIsFound() throws {
        try withTemporaryJournal { journal in
            try Self.filled(journal)
            // Flip the first byte of record 137's body.
            try Self.tamper(
                journal,
                "UPDATE messages SET body = CAST(char(unicode(CAST(substr(body, 1, 1) AS TEXT)) + 1) AS BLOB) || substr(body, 2) WHERE seq = 137"
            )
            let report = try Self.verify(journal)
            #expect(
                report.problems.map(\.description) == ["seq 137 altered: the content no longer gives the chain value"],
                "\(report.problems)")
            #expect(report.records == 301 && report.headSeq == 301)
        }
    }

    @Test func aChangedTimeOrRecipientIsFound() throws {
        try withTemporaryJournal { journal in
            try Self.filled(journal)
            try Self.tamper(journal, "UPDATE messages SET journaled_at_us = journaled_at_us + 1 WHERE seq = 42")
            let report = try Self.verify(journal)
            #expect(report.problems.map(\.description) == ["seq 42 altered: the content no longer gives the chain value"])
        }
        try withTemporaryJournal { journal in
            try Self.filled(journal)
            try Self.tamper(journal, "UPDATE messages SET recipients = 'mallory' WHERE seq = 7")
            let report = try Self.verify(journal)
            #expect(Self.has(report, .altered, "seq 7"), "\(report.problems)")
            #expect(report.problems.first?.seqs == "seq 7", "\(report.problems)")
        }
    }

    @Test func aRemovedRecordIsFound() throws {
        try withTemporaryJournal { journal in
            try Self.filled(journal)
            try Self.tamper(journal, "DELETE FROM messages WHERE seq IN (200, 201)")
            let report = try Self.verify(journal)
            #expect(Self.has(report, .missing, "seqs 200–201"), "\(report.problems)")
            #expect(!report.problems.contains { $0.kind == .altered }, "\(report.problems)")
            #expect(report.records == 299 && report.headSeq == 301)
        }
    }

    /// A journal written before the chain existed (schema v1 only) is chained when the store
    /// opens it, and goes on from there.
    @Test func aJournalFromBeforeTheChainIsChainedOnOpening() throws {
        try withTemporaryJournal { journal in
            try journal.writeVersion1(messages: 50)
            var store: SQLiteJournalStore? = try journal.open()
            _ = try store?.append([message(id: "new-1")], acks: [:])
            store = nil
            let report = try Self.verify(journal)
            #expect(report.intact && report.records == 51, "\(report.problems)")
            try Self.tamper(journal, "UPDATE messages SET msg_id = 'forged' WHERE seq = 3")
            let tampered = try Self.verify(journal)
            #expect(Self.has(tampered, .altered, "seq 3"), "\(tampered.problems)")
        }
    }
}
