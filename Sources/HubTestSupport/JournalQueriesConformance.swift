import Foundation
import HubStore
import Testing

/// The primitive reads of `JournalQueries` as documented, for every backend's tests: orders,
/// limits, the walk over senders, empty arguments, progress marks, counts, positions and
/// the head. A backend journals ``batch`` (one append) and then ``positions`` (acks and
/// marks) in its own store, and ``check(_:)`` holds its queries to the same answers.
public enum JournalQueriesConformance {
    /// The time of the progress marks (after journaling, as in the hub).
    public static let t = WallClock.nowMicroseconds() + 1_000_000

    /// Journaled in one batch: seqs 1…8. Senders sort bytewise as Zoe < alice < bob < zed < émile.
    public static let batch: [JournalAppend] = [
        entry(sender: "alice", id: "m-1", type: "order", recipients: ["bob", "carol"]),
        entry(sender: "alice", id: "m-2", type: "order", recipients: ["bob", "bob"]),
        entry(sender: "bob", id: "answer-1", type: "answer", recipients: ["alice"], correlationId: "m-1"),
        entry(sender: "zed", id: "m-1", type: "order", recipients: ["bob"]),
        entry(sender: "alice", id: "m-10", type: "payment", recipients: ["bob"]),
        entry(sender: "Zoe", id: "z", type: "order", recipients: ["carol"]),
        entry(sender: "émile", id: "e", type: "waybill", recipients: ["bob"], correlationId: "m-2"),
        entry(sender: "alice", id: "n-1", type: "order", recipients: ["bob"]),
    ]

    /// Saved after the batch: acknowledgement positions and progress marks.
    public static let positions: (acks: [String: UInt64], marks: [ProgressMark]) = (
        ["bob": 3, "carol": 1],
        [
            ProgressMark(party: "bob", kind: .delivered, seq: 2, atUs: t + 100),
            ProgressMark(party: "bob", kind: .acked, seq: 3, atUs: t + 300),
            ProgressMark(party: "bob", kind: .delivered, seq: 5, atUs: t + 200),
        ]
    )

    /// Every primitive on a journal holding ``batch`` and ``positions``.
    public static func check(_ queries: any JournalQueries) throws {
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
    public static func counts(_ counts: [String: Int]) -> [JournalCount] {
        counts.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { JournalCount(key: $0.key, count: $0.value) }
    }

    /// The UTC day (YYYY-MM-DD) of a time in microseconds.
    public static func day(of us: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(us / 1_000_000)))
    }

    /// One message of ``batch``: its body's bytes depend on its id.
    public static func entry(
        sender: String, id: String, type: String, recipients: [String], correlationId: String = ""
    ) -> JournalAppend {
        JournalAppend(
            sender: sender, id: id, type: type, recipients: recipients, correlationId: correlationId,
            createdAtUs: 1_700_000_000_000_000, body: Array("\(sender)/\(id)".utf8) + [0, 0xFF])
    }
}
