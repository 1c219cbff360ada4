import Foundation
import HubStore
import HubTestSupport
import Testing

/// The primitive reads of `JournalQueries` as documented, on `SQLiteJournalQueries`
/// (``JournalQueriesConformance``, which every backend's tests share), and what only a
/// SQLite journal has: old schemas, a missing file.
@Suite("Journal queries")
struct JournalQueriesTests {
    static let batch = JournalQueriesConformance.batch
    static let positions = JournalQueriesConformance.positions

    static func check(_ queries: any JournalQueries) throws {
        try JournalQueriesConformance.check(queries)
    }

    @Test func sqliteQueriesReadAsDocumented() throws {
        try withTemporaryJournal { journal in
            do {
                let store = try journal.open()
                _ = try store.append(Self.batch, acks: [:])
                _ = try store.append([], acks: Self.positions.acks, progress: Self.positions.marks)
            }
            try Self.check(SQLiteJournalQueries(path: journal.path))
        }
    }

    @Test func anEmptyJournal() throws {
        try withTemporaryJournal { journal in
            _ = try journal.open()
            let queries = try SQLiteJournalQueries(path: journal.path)
            #expect(try queries.headSeq() == 0)
            #expect(try queries.nextSender(after: "") == nil)
            #expect(try queries.ackPositions().isEmpty)
            for grouping in JournalCount.Grouping.allCases { #expect(try queries.counts(by: grouping).isEmpty) }
        }
    }

    @Test func aMissingFileIsNotOpened() throws {
        let error = #expect(throws: StoreError.self) { try SQLiteJournalQueries(path: "/nonexistent/journal.sqlite") }
        #expect(error?.code == .openFailed)
    }

    /// A journal from before checksums and the progress log is read unchecked, without marks.
    @Test func aVersion1JournalIsRead() throws {
        try withTemporaryJournal { journal in
            try journal.writeVersion1(messages: 3, bobAcked: 2)
            let queries = try SQLiteJournalQueries(path: journal.path)
            #expect(try queries.records(sender: "alice", idPrefix: "old-").map(\.id) == ["old-1", "old-2", "old-3"])
            #expect(try queries.progressMark(party: "bob", kind: .acked, atOrAfter: 1) == nil)
            #expect(try queries.ackPositions() == ["bob": 2])
            #expect(try queries.counts(by: .recipient) == [JournalCount(key: "bob", count: 3)])
        }
    }

    /// A damaged record fails every read that would return it, with its seq; the dedup
    /// index still answers for it.
    @Test func aDamagedRecordIsRefusedWithItsSeq() throws {
        try withTemporaryJournal { journal in
            _ = try journal.open().append(Self.batch, acks: [:])
            try JournalDamage.sql(journal.path, "UPDATE messages SET body = X'00' WHERE seq = 2")
            let queries = try SQLiteJournalQueries(path: journal.path)
            for (what, read) in [
                ("record", { _ = try queries.record(sender: "alice", id: "m-2") }),
                ("records(sender:idPrefix:)", { _ = try queries.records(sender: "alice", idPrefix: "m-") }),
                ("records(types:)", { _ = try queries.records(types: ["order"], after: 0, limit: 10) }),
                ("record in a snapshot", { _ = try queries.snapshot { try $0.record(sender: "alice", id: "m-2") } }),
            ] as [(String, () throws -> Void)] {
                let error = #expect(throws: StoreError.self, "\(what)") { try read() }
                #expect(error?.code == .corrupt && error?.seq == 2, "\(what)")
            }
            #expect(try queries.seq(sender: "alice", id: "m-2") == 2)
            #expect(try queries.records(types: ["order"], after: 2, limit: 10).map(\.seq) == [4, 6, 8])
        }
    }
}
