import Foundation
import HubStore
import Testing

@Suite("SQLiteJournalStore append")
struct SQLiteJournalStoreAppendTests {
    @Test func appendAssignsConsecutiveSeqs() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            #expect(try store.headSeq() == 0)
            let first = try store.append([message(id: "1"), message(id: "2"), message(id: "3")], acks: [:])
            let second = try store.append([message(id: "4"), message(id: "5")], acks: [:])
            #expect((first + second).map(\.seq) == [1, 2, 3, 4, 5])
            #expect((first + second).allSatisfy { !$0.duplicate })
            #expect(first[0].recipients == ["bob"])
            #expect(try store.headSeq() == 5)
        }
    }

    @Test func appendRecordsWallClockJournalTime() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            let before = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let outcome = try #require(try store.append([message(id: "1")], acks: [:]).first)
            let after = Int64(Date().timeIntervalSince1970 * 1_000_000)
            #expect(outcome.journaledAtUs >= before - 1 && outcome.journaledAtUs <= after + 1)
            #expect(try store.record(seq: outcome.seq)?.journaledAtUs == outcome.journaledAtUs)
        }
    }

    @Test func duplicateAcrossBatchesReturnsOriginalAndJournalsNothing() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            let original = try store.append(
                [message(id: "a", recipients: ["bob", "carol"]), message(id: "b")], acks: [:]
            )
            let retry = try store.append(
                [message(id: "a", type: "changed", recipients: ["dave"], bodySize: 99)], acks: [:]
            )
            #expect(
                retry == [
                    AppendOutcome(
                        seq: 1, duplicate: true, recipients: ["bob", "carol"],
                        journaledAtUs: original[0].journaledAtUs
                    )
                ]
            )
            #expect(try store.headSeq() == 2)
            let stored = try #require(try store.record(seq: 1))
            #expect(stored.type == "order")
            #expect(stored.body == body(for: "a"))
            #expect(try store.fetch(recipient: "dave", after: 0, limit: 10).records.isEmpty)
        }
    }

    @Test func duplicateWithinOneBatchReturnsOriginalSeq() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            let outcomes = try store.append(
                [
                    message(id: "x", recipients: ["bob"]),
                    message(id: "y"),
                    message(id: "x", recipients: ["carol"]),
                    message(sender: "zed", id: "x"),
                ],
                acks: [:]
            )
            #expect(outcomes.map(\.seq) == [1, 2, 1, 3])
            #expect(outcomes.map(\.duplicate) == [false, false, true, false])
            #expect(outcomes[2].recipients == ["bob"])
            #expect(try store.headSeq() == 3)
            #expect(try store.fetch(recipient: "carol", after: 0, limit: 10).records.isEmpty)
        }
    }

    @Test func appendWithAcksSavesBoth() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            _ = try store.append([message(id: "1"), message(id: "2")], acks: ["bob": 0])
            let outcomes = try store.append([message(id: "3")], acks: ["bob": 2, "carol": 1])
            #expect(outcomes.map(\.seq) == [3])
            #expect(try store.ackPositions() == ["bob": 2, "carol": 1])
            // Acks alone, with an empty batch, are saved too.
            #expect(try store.append([], acks: ["bob": 3]).isEmpty)
            #expect(try store.ackPositions()["bob"] == 3)
        }
    }

    @Test func invalidBatchSavesNothingAndKeepsTheHead() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            _ = try store.append([message(id: "1")], acks: [:])
            let error = #expect(throws: StoreError.self) {
                try store.append([message(id: "2"), message(id: "3", recipients: ["bad,id"])], acks: ["bob": 1])
            }
            #expect(error?.code == .writeFailed)
            #expect(try store.headSeq() == 1)
            #expect(try store.ackPositions().isEmpty)
            #expect(try store.append([message(id: "2")], acks: [:]).map(\.seq) == [2])
        }
    }

    @Test func emptyBodyAndNoRecipientsRoundTrip() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            _ = try store.append([message(id: "empty", recipients: [], bodySize: 0)], acks: [:])
            let stored = try #require(try store.record(seq: 1))
            #expect(stored.body == [])
            #expect(stored.recipients == [])
        }
    }
}
