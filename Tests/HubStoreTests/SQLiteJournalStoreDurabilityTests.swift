import Testing

@testable import HubStore

@Suite("SQLiteJournalStore durability")
struct SQLiteJournalStoreDurabilityTests {
    @Test func writerRunsWALWithFullSynchronous() throws {
        try withTemporaryJournal { journal in
            let settings = try journal.open().writerSettings()
            #expect(settings.journalMode == "wal")
            #expect(settings.synchronous == 2)  // FULL: fsync at each commit
            #expect(settings.pageSize == 16_384)
            // Still so after reopening an existing file.
            let reopened = try journal.open().writerSettings()
            #expect(reopened.synchronous == 2)
            #expect(reopened.pageSize == 16_384)
        }
    }

    @Test func dataSurvivesReopenAndSeqsContinue() throws {
        try withTemporaryJournal { journal in
            do {
                let store = try journal.open()
                _ = try store.append([message(id: "1"), message(id: "2", recipients: ["carol"])], acks: [:])
            }
            let reopened = try journal.open()
            #expect(try reopened.headSeq() == 2)
            #expect(try reopened.record(seq: 2)?.recipients == ["carol"])
            #expect(try reopened.record(seq: 1)?.body == body(for: "1"))
            let outcomes = try reopened.append([message(id: "1"), message(id: "3")], acks: [:])
            #expect(outcomes.map(\.seq) == [1, 3])
            #expect(outcomes.map(\.duplicate) == [true, false])
        }
    }

    @Test func returnedAppendIsVisibleToAnIndependentStore() throws {
        try withTemporaryJournal { journal in
            let writer = try journal.open()
            let outcomes = try writer.append(
                [message(id: "a", bodySize: 1024), message(id: "b", recipients: ["carol"])],
                acks: ["bob": 1]
            )
            // A second pool on the same file, with its own connections, sees the commit
            // as soon as append returns: it is in the WAL file, not in writer memory.
            let independent = try journal.open()
            #expect(try independent.headSeq() == 2)
            let record = try #require(try independent.record(sender: "alice", id: "a"))
            #expect(record.seq == outcomes[0].seq)
            #expect(record.body == body(for: "a", size: 1024))
            #expect(try independent.fetch(recipient: "carol", after: 0, limit: 10).records.map(\.id) == ["b"])
            #expect(try independent.ackPositions() == ["bob": 1])
        }
    }
}
