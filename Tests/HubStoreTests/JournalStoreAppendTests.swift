import Foundation
import HubStore
import Testing

@Suite("JournalStore append (SQLite and PostgreSQL)")
struct JournalStoreAppendTests {
    @Test(arguments: JournalBackend.allCases) func appendAssignsConsecutiveSeqs(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            #expect(try store.headSeq() == 0)
            let first = try store.append([message(id: "1"), message(id: "2"), message(id: "3")], acks: [:])
            let second = try store.append([message(id: "4"), message(id: "5")], acks: [:])
            #expect((first + second).map(\.seq) == [1, 2, 3, 4, 5])
            #expect((first + second).allSatisfy { !$0.duplicate })
            #expect(first[0].recipients == ["bob"])
            #expect(try store.headSeq() == 5)
        }
    }

    @Test(arguments: JournalBackend.allCases) func appendRecordsWallClockJournalTime(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            let before = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let outcome = try #require(try store.append([message(id: "1")], acks: [:]).first)
            let after = Int64(Date().timeIntervalSince1970 * 1_000_000)
            #expect(outcome.journaledAtUs >= before - 1 && outcome.journaledAtUs <= after + 1)
            #expect(try store.record(seq: outcome.seq)?.journaledAtUs == outcome.journaledAtUs)
        }
    }

    @Test(arguments: JournalBackend.allCases) func duplicateAcrossBatchesReturnsOriginalAndJournalsNothing(backend: JournalBackend)
        async throws
    {
        try await backend.withJournal { open in
            let store = try open()
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

    @Test(arguments: JournalBackend.allCases) func duplicateWithinOneBatchReturnsOriginalSeq(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
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

    @Test(arguments: JournalBackend.allCases) func appendWithAcksSavesBoth(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            _ = try store.append([message(id: "1"), message(id: "2")], acks: ["bob": 0])
            let outcomes = try store.append([message(id: "3")], acks: ["bob": 2, "carol": 1])
            #expect(outcomes.map(\.seq) == [3])
            #expect(try store.ackPositions() == ["bob": 2, "carol": 1])
            // Acks alone, with an empty batch, are saved too.
            #expect(try store.append([], acks: ["bob": 3]).isEmpty)
            #expect(try store.ackPositions()["bob"] == 3)
        }
    }

    @Test(arguments: JournalBackend.allCases) func invalidBatchSavesNothingAndKeepsTheHead(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
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

    @Test(arguments: JournalBackend.allCases) func emptyBodyAndNoRecipientsRoundTrip(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            _ = try store.append([message(id: "empty", recipients: [], bodySize: 0)], acks: [:])
            let stored = try #require(try store.record(seq: 1))
            #expect(stored.body == [])
            #expect(stored.recipients == [])
        }
    }
}
