import Foundation
import HubStore
import Testing

/// The progress log and `JournalInspector.trace` on a journal file written by the store:
/// delivery and acknowledgement times per recipient from the marks, marks that never move
/// back, the log surviving a reopen, correlated messages, unknown ids.
@Suite("Journal trace and progress log")
struct JournalTraceTests {
    static func mark(_ party: String, _ kind: ProgressMark.Kind, _ seq: UInt64, _ at: Int64) -> ProgressMark {
        ProgressMark(party: party, kind: kind, seq: seq, atUs: at)
    }

    @Test func deliveriesAndAcknowledgementsComeFromTheFirstCoveringMark() throws {
        // Marks come after journaling, as in the hub.
        let t = WallClock.nowMicroseconds() + 1_000_000
        try withTemporaryJournal { journal in
            do {
                let store = try journal.open()
                _ = try store.append(
                    [
                        message(sender: "alice", id: "m-1", recipients: ["bob", "carol"]),
                        message(sender: "alice", id: "m-2", recipients: ["bob"]),
                        message(sender: "bob", id: "answer", recipients: ["alice"], correlationId: "m-1"),
                        message(sender: "dave", id: "unrelated", recipients: ["erin"], correlationId: "m-1"),
                    ],
                    acks: [:])
                _ = try store.append(
                    [], acks: ["bob": 1],
                    progress: [
                        Self.mark("bob", .delivered, 2, t + 100), Self.mark("carol", .delivered, 1, t + 150),
                        Self.mark("bob", .acked, 1, t + 200),
                    ])
                // A mark that does not pass an earlier one is not logged: a redelivery keeps the first time.
                _ = try store.append(
                    [], acks: [:], progress: [Self.mark("bob", .delivered, 1, t + 900), Self.mark("bob", .acked, 2, t + 300)])
            }
            // After a reopen, by a read-only inspector.
            let inspector = try JournalInspector(path: journal.path)
            let report = try inspector.trace("m-1")
            #expect(report.subject == .message)
            #expect(report.messages.map(\.id) == ["m-1", "answer"], "the unrelated message with the same correlation id is left out")
            let m1 = try #require(report.messages.first)
            #expect(m1.role == .subject && report.messages[1].role == .related)
            #expect(
                m1.deliveries == [
                    TraceReport.Delivery(
                        party: "bob", delivered: true, deliveredAtUs: t + 100, acknowledged: true, acknowledgedAtUs: t + 200),
                    TraceReport.Delivery(
                        party: "carol", delivered: true, deliveredAtUs: t + 150, acknowledged: false, acknowledgedAtUs: nil),
                ])
            let events = report.events.filter { $0.seq == 1 }.map { "\($0.kind.rawValue) \($0.party)" }
            #expect(
                events == [
                    "received alice", "journaled alice", "delivered bob", "delivered carol", "acknowledged bob", "not_acknowledged carol",
                ])
            #expect(try inspector.progressMark(party: "bob", kind: .delivered, atOrAfter: 1) == Self.mark("bob", .delivered, 2, t + 100))
            #expect(try inspector.trace("m-2").messages[0].deliveries[0].acknowledgedAtUs == t + 300)
        }
    }

    @Test func unknownIdIsNotFound() throws {
        try withTemporaryJournal { journal in
            _ = try journal.open().append([message(id: "known")], acks: [:])
            let error = #expect(throws: StoreError.self) { try JournalInspector(path: journal.path).trace("unknown") }
            #expect(error?.code == .notFound)
            #expect(error?.description.contains("unknown") == true)
        }
    }

    @Test func sameIdFromTwoSendersIsTracedForBoth() throws {
        try withTemporaryJournal { journal in
            _ = try journal.open().append(
                [message(sender: "alice", id: "x", recipients: ["bob"]), message(sender: "zed", id: "x", recipients: ["bob"])], acks: [:])
            let report = try JournalInspector(path: journal.path).trace("x")
            #expect(report.messages.map(\.sender) == ["alice", "zed"])
            #expect(
                report.messages.allSatisfy {
                    $0.role == .subject
                        && $0.deliveries == [
                            TraceReport.Delivery(
                                party: "bob", delivered: false, deliveredAtUs: nil, acknowledged: false, acknowledgedAtUs: nil)
                        ]
                })
        }
    }

    /// A journal from before the progress log: traced as it is (no delivery known), then,
    /// once the store has upgraded it, what was acknowledged before shows without a time and
    /// what came after with the times of the new marks.
    @Test func aJournalFromBeforeTheProgressLog() throws {
        try withTemporaryJournal { journal in
            try journal.writeVersion1(messages: 5, bobAcked: 3)
            let unknown = TraceReport.Delivery(
                party: "bob", delivered: false, deliveredAtUs: nil, acknowledged: false, acknowledgedAtUs: nil)
            #expect(try JournalInspector(path: journal.path).trace("old-2").messages[0].deliveries == [unknown])

            _ = try journal.open().append([], acks: [:], progress: [Self.mark("bob", .delivered, 5, 7_000)])
            let inspector = try JournalInspector(path: journal.path)
            #expect(
                try inspector.trace("old-2").messages[0].deliveries == [
                    TraceReport.Delivery(party: "bob", delivered: true, deliveredAtUs: nil, acknowledged: true, acknowledgedAtUs: nil)
                ])
            #expect(
                try inspector.trace("old-4").messages[0].deliveries == [
                    TraceReport.Delivery(party: "bob", delivered: true, deliveredAtUs: 7_000, acknowledged: false, acknowledgedAtUs: nil)
                ])
            let kinds = try inspector.trace("old-2").events.map { "\($0.kind.rawValue) \($0.atUs.map(String.init) ?? "-")" }
            #expect(kinds == ["received 1", "journaled 2", "delivered -", "acknowledged -"])
        }
    }
}
