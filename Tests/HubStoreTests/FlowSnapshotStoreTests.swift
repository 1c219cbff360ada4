import Foundation
import HubStore
import Testing

/// The flows' saved states in the SQLite journal file (`flow_snapshots`, migration v6):
/// durable across a reopen, the newest three kept, readable from a read-only store, and
/// the newest seq told to whoever must keep the journal after it.
@Suite("SQLite journal: the flows' snapshots")
struct FlowSnapshotStoreTests {
    @Test func theNewestThreeAreKeptAcrossAReopen() throws {
        let journal = try TemporaryJournal()
        defer { journal.remove() }
        do {
            let store = try journal.open()
            #expect(try store.latestFlowSnapshotSeq() == nil)
            #expect(try store.flowSnapshotSeqs().isEmpty)
            for seq: UInt64 in [10, 20, 30, 40, 50] { try store.saveFlowSnapshot(seq: seq, bytes: Array("state at \(seq)".utf8)) }
            // The same seq again replaces it.
            try store.saveFlowSnapshot(seq: 50, bytes: Array("state at 50, again".utf8))
        }
        let reopened = try journal.open()
        #expect(try reopened.flowSnapshotSeqs() == [50, 40, 30])
        #expect(try reopened.latestFlowSnapshotSeq() == 50)
        #expect(try reopened.flowSnapshot(seq: 50) == Array("state at 50, again".utf8))
        #expect(try reopened.flowSnapshot(seq: 10) == nil)
        let readOnly = try SQLiteJournalStore(path: journal.path, logger: TemporaryJournal.logger, readOnly: true)
        #expect(try readOnly.flowSnapshot(seq: 40) == Array("state at 40".utf8))
        #expect(throws: StoreError.self) { try readOnly.saveFlowSnapshot(seq: 60, bytes: [1]) }
    }
}
