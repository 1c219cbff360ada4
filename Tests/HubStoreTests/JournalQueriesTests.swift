import Foundation
import HubStore
import Testing

/// The primitive reads of `JournalQueries` as documented, on `SQLiteJournalQueries`: orders,
/// limits, the walk over senders, empty arguments, progress marks, counts, positions and
/// the head. ``check(_:)`` takes `any JournalQueries`: another backend is held to the same
/// after journaling ``batch`` and ``positions`` in its own store.
@Suite("Journal queries")
struct JournalQueriesTests {
    /// The time of the progress marks (after journaling, as in the hub).
    static let t = WallClock.nowMicroseconds() + 1_000_000

    /// Journaled in one batch: seqs 1…8. Senders sort bytewise as Zoe < alice < bob < zed < émile.
    static let batch: [JournalAppend] = [
        message(sender: "alice", id: "m-1", type: "order", recipients: ["bob", "carol"]),
        message(sender: "alice", id: "m-2", type: "order", recipients: ["bob", "bob"]),
        message(sender: "bob", id: "answer-1", type: "answer", recipients: ["alice"], correlationId: "m-1"),
        message(sender: "zed", id: "m-1", type: "order", recipients: ["bob"]),
        message(sender: "alice", id: "m-10", type: "payment", recipients: ["bob"]),
        message(sender: "Zoe", id: "z", type: "order", recipients: ["carol"]),
        message(sender: "émile", id: "e", type: "waybill", recipients: ["bob"], correlationId: "m-2"),
        message(sender: "alice", id: "n-1", type: "order", recipients: ["bob"]),
    ]

    /// Saved after the batch: acknowledgement positions and progress marks.
    static let positions: (acks: [String: UInt64], marks: [ProgressMark]) = (
        ["bob": 3, "carol": 1],
        [
            ProgressMark(party: "bob", kind: .delivered, seq: 2, atUs: t + 100),
            ProgressMark(party: "bob", kind: .acked, seq: 3, atUs: t + 300),
            ProgressMark(party: "bob", kind: .delivered, seq: 5, atUs: t + 200),
        ]
    )

    /// Every primitive on a journal holding ``batch`` and ``positions``.
    static func check(_ queries: any JournalQueries) throws {
        #expect(try queries.record(sender: "alice", id: "m-1")?.seq == 1)
        #expect(try queries.record(sender: "zed", id: "m-1")?.recipients == ["bob"])
        #expect(try queries.record(sender: "alice", id: "unknown") == nil)
        #expect(try queries.seq(sender: "émile", id: "e") == 7)
        #expect(try queries.seq(sender: "émile", id: "unknown") == nil)

        #expect(try queries.records(sender: "alice", idPrefix: "m-1").map(\.seq) == [1, 5])
        #expect(try queries.records(sender: "alice", idPrefix: "").map(\.seq) == [1, 2, 5, 8])
        #expect(try queries.records(sender: "alice", idPrefix: "x").isEmpty)

        var senders: [String] = []
        var sender = ""
        while let next = try queries.nextSender(after: sender) {
            senders.append(next)
            sender = next
        }
        #expect(senders == ["Zoe", "alice", "bob", "zed", "émile"])

        #expect(try queries.records(types: ["order"], after: 0, limit: 3).map(\.seq) == [1, 2, 4])
        #expect(try queries.records(types: ["order"], after: 4, limit: 3).map(\.seq) == [6, 8])
        #expect(try queries.records(types: ["payment", "answer"], after: 0, limit: 10).map(\.seq) == [3, 5])
        #expect(try queries.records(types: ["order"], after: 8, limit: 10).isEmpty)
        #expect(try queries.records(types: ["order"], after: 0, limit: 0).isEmpty)
        #expect(try queries.records(types: [], after: 0, limit: 10).isEmpty)

        #expect(try queries.records(correlationId: "m-1").map(\.seq) == [3])
        #expect(try queries.records(correlationId: "m-2").map(\.id) == ["e"])
        #expect(try queries.records(correlationId: "").isEmpty, "the empty correlation id finds nothing")

        let marks = positions.marks
        #expect(try queries.progressMark(party: "bob", kind: .delivered, atOrAfter: 1) == marks[0])
        #expect(try queries.progressMark(party: "bob", kind: .delivered, atOrAfter: 2) == marks[0])
        #expect(try queries.progressMark(party: "bob", kind: .delivered, atOrAfter: 3) == marks[2])
        #expect(try queries.progressMark(party: "bob", kind: .delivered, atOrAfter: 6) == nil)
        #expect(try queries.progressMark(party: "bob", kind: .acked, atOrAfter: 0) == marks[1])
        #expect(try queries.progressMark(party: "carol", kind: .delivered, atOrAfter: 1) == nil)

        #expect(try queries.counts(by: .type) == counts(["answer": 1, "order": 5, "payment": 1, "waybill": 1]))
        #expect(try queries.counts(by: .sender) == counts(["Zoe": 1, "alice": 4, "bob": 1, "zed": 1, "émile": 1]))
        // m-2 names bob twice: one delivery.
        #expect(try queries.counts(by: .recipient) == counts(["alice": 1, "bob": 6, "carol": 2]))
        let all = try queries.records(types: ["answer", "order", "payment", "waybill"], after: 0, limit: 100)
        #expect(all.map(\.seq) == Array(1...8))
        let days = all.reduce(into: [String: Int]()) { $0[day(of: $1.journaledAtUs), default: 0] += 1 }
        #expect(try queries.counts(by: .day) == counts(days))

        #expect(try queries.ackPositions() == positions.acks)
        #expect(try queries.headSeq() == 8)
        #expect(try queries.snapshot { try ($0.headSeq(), $0.record(sender: "bob", id: "answer-1")?.seq) } == (8, 3))
    }

    /// `counts` in the bytewise order of their keys.
    static func counts(_ counts: [String: Int]) -> [JournalCount] {
        counts.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { JournalCount(key: $0.key, count: $0.value) }
    }

    /// The UTC day (YYYY-MM-DD) of a time in microseconds.
    static func day(of us: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(us / 1_000_000)))
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
