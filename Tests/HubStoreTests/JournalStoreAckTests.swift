import HubStore
import Testing

@Suite("JournalStore acknowledgements (SQLite and PostgreSQL)")
struct JournalStoreAckTests {
    @Test(arguments: JournalBackend.allCases) func acksNeverMoveBackwards(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            #expect(try store.ackPositions().isEmpty)
            try store.saveAcks(["bob": 5, "carol": 2])
            try store.saveAcks(["bob": 3, "carol": 4])
            #expect(try store.ackPositions() == ["bob": 5, "carol": 4])
            _ = try store.append([message(id: "1")], acks: ["bob": 1])
            #expect(try store.ackPositions()["bob"] == 5)
        }
    }

    @Test(arguments: JournalBackend.allCases) func acksSurviveReopen(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            do {
                let store = try open()
                try store.saveAcks(["bob": 7])
                _ = try store.append([message(id: "1")], acks: ["carol": 9])
            }
            let reopened = try open()
            #expect(try reopened.ackPositions() == ["bob": 7, "carol": 9])
            try reopened.saveAcks(["bob": 6])
            #expect(try reopened.ackPositions()["bob"] == 7)
        }
    }

    @Test(arguments: JournalBackend.allCases) func ackBeyondInt64IsRejected(backend: JournalBackend) async throws {
        try await backend.withJournal { open in
            let store = try open()
            let error = #expect(throws: StoreError.self) { try store.saveAcks(["bob": .max]) }
            #expect(error?.code == .writeFailed)
            #expect(try store.ackPositions().isEmpty)
        }
    }
}
