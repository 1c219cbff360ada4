import HubStore
import Testing

@Suite("JournalStore reads (SQLite and PostgreSQL)")
struct JournalStoreReadTests {
    /// Journals seqs 1...6: bob gets 1, 3, 4, 6; carol gets 2, 3, 5.
    private func fill(_ store: any JournalStore) throws {
        _ = try store.append(
            [
                message(id: "1", recipients: ["bob"]),
                message(id: "2", recipients: ["carol"]),
                message(id: "3", recipients: ["bob", "carol"]),
            ],
            acks: [:]
        )
        _ = try store.append(
            [
                message(id: "4", recipients: ["bob"]),
                message(id: "5", recipients: ["carol"]),
                message(id: "6", recipients: ["bob", "bob"]),
            ],
            acks: [:]
        )
    }

    @Test(arguments: JournalBackend.allCases) func fetchServesOneRecipientInSeqOrder(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            try fill(store)
            let bob = try store.fetch(recipient: "bob", after: 0, limit: 100)
            #expect(bob.records.map(\.seq) == [1, 3, 4, 6])
            #expect(bob.records.map(\.id) == ["1", "3", "4", "6"])
            #expect(bob.records.map(\.body) == ["1", "3", "4", "6"].map { body(for: $0) })
            #expect(bob.headSeq == 6)
            let carol = try store.fetch(recipient: "carol", after: 0, limit: 100)
            #expect(carol.records.map(\.seq) == [2, 3, 5])
            #expect(carol.records[1].recipients == ["bob", "carol"])
            #expect(carol.headSeq == 6)
        }
    }

    /// A message to more recipients than one inbox insert takes (8 rows) reaches each of them
    /// once, a recipient named twice (in different inserts) included.
    @Test(arguments: JournalBackend.allCases) func aMessageToManyRecipientsReachesEachOnce(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            let recipients = (1...17).map { "r\($0)" } + ["r3"]
            _ = try store.append([message(id: "many", recipients: recipients), message(id: "next", recipients: ["r9"])], acks: [:])
            for recipient in Set(recipients) {
                let fetched = try store.fetch(recipient: recipient, after: 0, limit: 10).records.map(\.seq)
                #expect(fetched == (recipient == "r9" ? [1, 2] : [1]), "\(recipient)")
            }
            #expect(try store.fetch(recipient: "r18", after: 0, limit: 10).records.isEmpty)
        }
    }

    @Test(arguments: JournalBackend.allCases) func fetchHonoursAfterAndLimit(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            try fill(store)
            #expect(try store.fetch(recipient: "bob", after: 0, limit: 2).records.map(\.seq) == [1, 3])
            #expect(try store.fetch(recipient: "bob", after: 3, limit: 2).records.map(\.seq) == [4, 6])
            #expect(try store.fetch(recipient: "bob", after: 4, limit: 10).records.map(\.seq) == [6])
            let drained = try store.fetch(recipient: "bob", after: 6, limit: 10)
            #expect(drained.records.isEmpty)
            #expect(drained.headSeq == 6)
            #expect(try store.fetch(recipient: "bob", after: 0, limit: 0).records.isEmpty)
            #expect(try store.fetch(recipient: "nobody", after: 0, limit: 10).records.isEmpty)
        }
    }

    @Test(arguments: JournalBackend.allCases) func fetchOnEmptyJournalReportsHeadZero(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            let result = try store.fetch(recipient: "bob", after: 0, limit: 10)
            #expect(result.records.isEmpty)
            #expect(result.headSeq == 0)
        }
    }

    @Test(arguments: JournalBackend.allCases) func recordBySeqAndBySenderAndId(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            let outcome = try store.append(
                [
                    message(id: "m1"),
                    message(
                        sender: "erin", id: "m2", type: "invoice", recipients: ["bob", "carol"],
                        correlationId: "corr-7", createdAtUs: 42, bodySize: 1024
                    ),
                ],
                acks: [:]
            )
            let expected = JournalRecord(
                seq: 2, sender: "erin", id: "m2", type: "invoice", recipients: ["bob", "carol"],
                correlationId: "corr-7", createdAtUs: 42, journaledAtUs: outcome[1].journaledAtUs,
                body: body(for: "m2", size: 1024)
            )
            #expect(try store.record(seq: 2) == expected)
            #expect(try store.record(sender: "erin", id: "m2") == expected)
            #expect(try store.record(sender: "alice", id: "m1")?.seq == 1)
            #expect(try store.record(seq: 3) == nil)
            #expect(try store.record(seq: .max) == nil)
            #expect(try store.record(sender: "alice", id: "m2") == nil)
        }
    }
}
