import Foundation
import HubStore
import Testing

@Suite("StoreError")
struct StoreErrorTests {
    @Test func descriptionNamesCodeAndReason() {
        let error = StoreError(code: .readFailed, reason: "disk on fire")
        #expect(error.description == "StoreError(readFailed): disk on fire")
        #expect(StoreError.Code.corrupt != StoreError.Code.openFailed)
    }

    @Test func openingAFileThatIsNotADatabaseIsCorrupt() throws {
        try withTemporaryJournal { journal in
            let secret = "secret payload that must not leak " + String(repeating: "x", count: 200)
            try Data(secret.utf8).write(to: URL(fileURLWithPath: journal.path))
            let error = #expect(throws: StoreError.self) { try journal.open() }
            #expect(error?.code == .corrupt)
            #expect(error?.description.contains("secret") == false)
        }
    }

    @Test func openingInAMissingDirectoryFails() throws {
        try withTemporaryJournal { journal in
            let path = journal.directory.appendingPathComponent("missing/journal.sqlite").path
            let error = #expect(throws: StoreError.self) {
                try SQLiteJournalStore(path: path, logger: TemporaryJournal.logger)
            }
            #expect(error?.code == .openFailed)
        }
    }
}
