import Foundation
import HubStore
import Testing

@Suite("JournalStore replay reads (SQLite and PostgreSQL)")
struct JournalStoreReplayTests {
    /// Seqs 1...6: bob gets 1 (order), 3 (note), 4 (order), 6 (receipt); carol gets 2, 3, 5.
    private func fill(_ store: any JournalStore) throws {
        _ = try store.append(
            [
                message(id: "1", type: "order", recipients: ["bob"]),
                message(id: "2", type: "order", recipients: ["carol"]),
                message(id: "3", type: "note", recipients: ["bob", "carol"]),
                message(id: "4", type: "order", recipients: ["bob"]),
                message(id: "5", type: "note", recipients: ["carol"]),
                message(id: "6", type: "receipt", recipients: ["bob"]),
            ], acks: [:])
    }

    @Test(arguments: JournalBackend.allCases) func fetchFiltersByType(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            try fill(store)
            #expect(try store.fetch(recipient: "bob", after: 0, limit: 10, types: ["order"]).records.map(\.seq) == [1, 4])
            #expect(try store.fetch(recipient: "bob", after: 0, limit: 10, types: ["order", "receipt"]).records.map(\.seq) == [1, 4, 6])
            #expect(try store.fetch(recipient: "bob", after: 1, limit: 1, types: ["order", "receipt", "order"]).records.map(\.seq) == [4])
            #expect(try store.fetch(recipient: "carol", after: 0, limit: 10, types: ["note"]).records.map(\.seq) == [3, 5])
            #expect(try store.fetch(recipient: "carol", after: 0, limit: 10, types: ["receipt"]).records.isEmpty)
            let result = try store.fetch(recipient: "bob", after: 0, limit: 10, types: ["receipt"])
            #expect(result.headSeq == 6)
            #expect(result.records.first?.id == "6")
            #expect(result.records.first?.body == body(for: "6"))
        }
    }

    @Test(arguments: JournalBackend.allCases) func emptyTypesMeansEveryType(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            try fill(store)
            let all = try store.fetch(recipient: "bob", after: 0, limit: 10, types: [])
            #expect(all.records.map(\.seq) == [1, 3, 4, 6])
            #expect(all.records == (try store.fetch(recipient: "bob", after: 0, limit: 10).records))
        }
    }

    @Test(arguments: JournalBackend.allCases) func firstSeqFindsTheFirstMessageAtOrAfterATime(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            #expect(try store.firstSeq(journaledAtOrAfter: 0) == 1)  // empty: head + 1
            var times: [Int64] = []
            for batch in 0..<5 {
                let outcomes = try store.append(
                    (0..<3).map { message(id: "\(batch)-\($0)", recipients: ["bob"]) }, acks: [:])
                times.append(outcomes[0].journaledAtUs)
                #expect(Set(outcomes.map(\.journaledAtUs)).count == 1)  // one time per batch
                // The next batch at least 2 µs later (the lookups below probe time - 1).
                while WallClock.nowMicroseconds() <= outcomes[0].journaledAtUs + 2 {}
            }
            #expect(times == times.sorted())
            #expect(try store.firstSeq(journaledAtOrAfter: 0) == 1)
            #expect(try store.firstSeq(journaledAtOrAfter: times[0]) == 1)
            for (batch, time) in times.enumerated() where batch > 0 {
                #expect(try store.firstSeq(journaledAtOrAfter: time) == UInt64(batch * 3 + 1))
                #expect(try store.firstSeq(journaledAtOrAfter: time - 1) == UInt64(batch * 3 + 1))
                #expect(try store.firstSeq(journaledAtOrAfter: times[batch - 1] + 1) == UInt64(batch * 3 + 1))
            }
            #expect(try store.firstSeq(journaledAtOrAfter: times[4] + 1) == 16)  // after everything
        }
    }

    @Test(arguments: JournalBackend.allCases) func journalTimeNeverDecreasesAcrossReopen(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            var last: Int64 = 0
            for round in 0..<3 {
                let store = try open()
                for index in 0..<20 {
                    let time = try store.append([message(id: "\(round)-\(index)")], acks: [:])[0].journaledAtUs
                    #expect(time >= last)
                    last = time
                }
            }
            let store = try open()
            let records = try store.fetch(recipient: "bob", after: 0, limit: 100).records
            #expect(records.count == 60)
            #expect(records.map(\.journaledAtUs) == records.map(\.journaledAtUs).sorted())
        }
    }
}
