import HubStore
import Testing

@Suite("SQLiteJournalStore acknowledgements")
struct SQLiteJournalStoreAckTests {
    @Test func acksNeverMoveBackwards() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            #expect(try store.ackPositions().isEmpty)
            try store.saveAcks(["bob": 5, "carol": 2])
            try store.saveAcks(["bob": 3, "carol": 4])
            #expect(try store.ackPositions() == ["bob": 5, "carol": 4])
            _ = try store.append([message(id: "1")], acks: ["bob": 1])
            #expect(try store.ackPositions()["bob"] == 5)
        }
    }

    @Test func acksSurviveReopen() throws {
        try withTemporaryJournal { journal in
            do {
                let store = try journal.open()
                try store.saveAcks(["bob": 7])
                _ = try store.append([message(id: "1")], acks: ["carol": 9])
            }
            let reopened = try journal.open()
            #expect(try reopened.ackPositions() == ["bob": 7, "carol": 9])
            try reopened.saveAcks(["bob": 6])
            #expect(try reopened.ackPositions()["bob"] == 7)
        }
    }

    @Test func ackBeyondInt64IsRejected() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            let error = #expect(throws: StoreError.self) { try store.saveAcks(["bob": .max]) }
            #expect(error?.code == .writeFailed)
            #expect(try store.ackPositions().isEmpty)
        }
    }
}
