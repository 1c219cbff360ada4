import Foundation
import HubStore
import Testing

/// The flows' snapshots sealed before they reach the journal file: the file never holds a
/// personal value of one, reading opens it, an older unsealed snapshot still reads, and one
/// sealed under a key no longer there is unreadable (the hub then falls back).
@Suite("The flows' snapshots sealed")
struct SealedFlowSnapshotsTests {
    @Test func sealedInTheFileOpenedWhenRead() throws {
        let journal = try TemporaryJournal()
        defer { journal.remove() }
        let store = try journal.open()
        let vault = PersonalDataSealTests.Vault()
        let sealed = SealedFlowSnapshots(store, cipher: vault.cipher)
        let state = Array("a linker holding buyer \(PersonalDataSealTests.idNumber)".utf8)
        try store.saveFlowSnapshot(seq: 5, bytes: Array("an unsealed state from before".utf8))
        try sealed.saveFlowSnapshot(seq: 9, bytes: state)

        #expect(try sealed.flowSnapshotSeqs() == [9, 5])
        #expect(try sealed.flowSnapshot(seq: 9) == state)
        #expect(try sealed.flowSnapshot(seq: 5) == Array("an unsealed state from before".utf8))
        let raw = try #require(try store.flowSnapshot(seq: 9))
        #expect(!PersonalDataSealTests.contains(raw, PersonalDataSealTests.idNumber))
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: journal.path)))
        let wal = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: journal.path + "-wal")))) ?? []
        #expect(!PersonalDataSealTests.contains(file, PersonalDataSealTests.idNumber))
        #expect(!PersonalDataSealTests.contains(wal, PersonalDataSealTests.idNumber))

        // Under another vault (another master key), the sealed snapshot does not open.
        let other = SealedFlowSnapshots(store, cipher: PersonalDataSealTests.Vault(owner: "hub").cipher)
        #expect(throws: SealedFlowSnapshots.Unreadable.self) { try other.flowSnapshot(seq: 9) }
    }
}
