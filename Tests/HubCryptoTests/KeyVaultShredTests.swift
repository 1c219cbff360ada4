import Foundation
import HubCrypto
import HubTestSupport
import Testing

/// Crypto-shredding: an enterprise's keys destroyed with no copy left in the vault file or
/// its WAL, a distinct code for its values, a new key for its later data, other enterprises
/// untouched, and the shred log re-applied to a vault restored from an older copy.
@Suite struct KeyVaultShredTests {
    static let here = KeyVaultTests.here

    @Test(arguments: CipherSuite.allCases)
    func shreddingDestroysEveryVersionAndLeavesNoCopy(suite: CipherSuite) throws {
        let (folder, path) = try KeyVaultTests.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let master = MasterKey.random()
        let vault = try KeyVault(path: path, masterKey: master)
        let first = try vault.seal(Array("110101199003077777".utf8), enterprise: "ent-1", suite: suite, associatedData: Self.here)
        // A second version: a key of the other suite.
        let otherSuite: CipherSuite = suite == .sm ? .standard : .sm
        let second = try vault.seal(Array("13800138000".utf8), enterprise: "ent-1", suite: otherSuite, associatedData: Self.here)
        let kept = try vault.seal(Array("keep me".utf8), enterprise: "ent-2", suite: suite, associatedData: Self.here)
        let wrapped = try KeyVaultTests.wrappedKeys(path, enterprise: "ent-1")
        #expect(wrapped.count == 2)
        let before = try KeyVaultTests.fileBytes(path)
        #expect(wrapped.allSatisfy { KeyVaultTests.contains(before, $0) }, "the search finds them before")

        let tombstone = try vault.shred(enterprise: "ent-1", reason: "erasure request 42")
        #expect(tombstone.versions == [1, 2] && tombstone.maxVersion == 2 && tombstone.reason == "erasure request 42")

        let bytes = try KeyVaultTests.fileBytes(path)
        #expect(wrapped.allSatisfy { !KeyVaultTests.contains(bytes, $0) }, "a wrapped key of ent-1 is still in the vault file or WAL")
        #expect((FileManager.default.contents(atPath: path + "-wal")?.count ?? 0) == 0, "the WAL is emptied")
        #expect(failure { () throws(CryptoError) in try vault.open(first, associatedData: Self.here) } == .keyShredded)
        #expect(failure { () throws(CryptoError) in try vault.open(second, associatedData: Self.here) } == .keyShredded)
        #expect(try vault.open(kept, associatedData: Self.here) == Array("keep me".utf8))
        // Later data of ent-1 gets a new version.
        #expect(try vault.currentKey(enterprise: "ent-1", suite: suite).id.version == 3)
        let listing = try vault.listing()
        #expect(listing.tombstones.count == 1 && listing.tombstones[0].enterprise == "ent-1")
        #expect(listing.keys.map { "\($0.enterprise)#\($0.version)" } == ["ent-1#3", "ent-2#1"])
        // A fresh opening (no cache) gives the same answers.
        let reopened = try KeyVault(path: path, masterKey: master)
        #expect(failure { () throws(CryptoError) in try reopened.open(first, associatedData: Self.here) } == .keyShredded)
    }

    /// A shred whose log line a power loss or a full disk cut short left a torn last line:
    /// the next shred cuts it off before appending, so the log reads, and the vault opens,
    /// with both whole tombstones.
    @Test func aTornLastLineOfTheShredLogIsCutOffBeforeTheNextShred() throws {
        let (folder, path) = try KeyVaultTests.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let master = MasterKey.random()
        let vault = try KeyVault(path: path, masterKey: master)
        _ = try vault.shred(enterprise: "ent-1", reason: "first")
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: vault.shredLogPath))
        try log.seekToEnd()
        try log.write(contentsOf: Data("{\"enterprise\":\"ent-2\",\"max_ver".utf8))
        try log.close()
        #expect(try KeyVault(path: path, masterKey: master).listing().tombstones.map(\.enterprise) == ["ent-1"])
        _ = try vault.shred(enterprise: "ent-3", reason: "third")
        let reopened = try KeyVault(path: path, masterKey: master)
        #expect(try reopened.listing().tombstones.map(\.enterprise) == ["ent-1", "ent-3"])
        let text = String(decoding: try #require(FileManager.default.contents(atPath: vault.shredLogPath)), as: UTF8.self)
        #expect(!text.contains("ent-2") && text.hasSuffix("\n"), "\(text)")
    }

    @Test func shreddingAnEnterpriseWithNoKeysRecordsItsTombstone() throws {
        let (folder, path) = try KeyVaultTests.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let vault = try KeyVault(path: path, masterKey: MasterKey.random())
        let tombstone = try vault.shred(enterprise: "never-seen", reason: "retention ended")
        #expect(tombstone.versions.isEmpty && tombstone.maxVersion == 0)
        #expect(try vault.listing().tombstones.map(\.enterprise) == ["never-seen"])
        #expect(try vault.currentKey(enterprise: "never-seen", suite: .standard).id.version == 1)
    }

    /// A vault restored from a copy older than a shred gets the shredded keys back; opening
    /// it applies the shred log again, so they are gone again, with no copy in the file.
    @Test func aRestoredOldVaultLosesTheShreddedKeysAgain() throws {
        let (folder, path) = try KeyVaultTests.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let master = MasterKey.random()
        let backup = folder.appendingPathComponent("backup.sqlite").path
        let sealed: [UInt8]
        let kept: [UInt8]
        let wrapped: [[UInt8]]
        do {
            let vault = try KeyVault(path: path, masterKey: master)
            sealed = try vault.seal(Array("李四".utf8), enterprise: "ent-1", suite: .sm, associatedData: Self.here)
            kept = try vault.seal(Array("王五".utf8), enterprise: "ent-2", suite: .sm, associatedData: Self.here)
            wrapped = try KeyVaultTests.wrappedKeys(path, enterprise: "ent-1")
        }
        // The vault is closed (its WAL checkpointed into the file): copy it, as a backup would.
        try FileManager.default.copyItem(atPath: path, toPath: backup)
        do {
            let vault = try KeyVault(path: path, masterKey: master)
            try vault.shred(enterprise: "ent-1", reason: "erasure request 7")
        }
        // Restore the old copy over the vault; the shred log beside it stays.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: path)
        let old = try KeyVaultTests.fileBytes(path)
        #expect(wrapped.allSatisfy { KeyVaultTests.contains(old, $0) }, "the old copy has the key")

        let restored = try KeyVault(path: path, masterKey: master)
        #expect(failure { () throws(CryptoError) in try restored.open(sealed, associatedData: Self.here) } == .keyShredded)
        #expect(try restored.open(kept, associatedData: Self.here) == Array("王五".utf8))
        #expect(try restored.listing().tombstones.map(\.reason) == ["erasure request 7"])
        let bytes = try KeyVaultTests.fileBytes(path)
        #expect(wrapped.allSatisfy { !KeyVaultTests.contains(bytes, $0) }, "the restored vault still holds the shredded key")
        #expect(try restored.currentKey(enterprise: "ent-1", suite: .sm).id.version == 2)
        // Opening again applies nothing twice.
        #expect(try KeyVault(path: path, masterKey: master).listing().tombstones.count == 1)
    }

    /// A shred made through another opening of the vault (`swhub keys shred` beside a
    /// running hub) is counted by this one once it reads the grown shred log (it looks at
    /// most once a second), so that personal data it opened earlier and still holds can be
    /// let go of.
    @Test func aShredFromAnotherOpeningIsCounted() async throws {
        let (folder, path) = try KeyVaultTests.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let master = MasterKey.random()
        let running = try KeyVault(path: path, masterKey: master)
        let sealed = try running.seal(Array("13800138000".utf8), enterprise: "ent-1", suite: .standard, associatedData: Self.here)
        #expect(running.shredsNoticed() == 0)
        // Its own opening holds the file, so the scrub may fail; the shred log is written first.
        _ = try? KeyVault(path: path, masterKey: master).shred(enterprise: "ent-1", reason: "erasure request 9")
        try await waitUntil(.seconds(10), "the shred counted: \(running.shredsNoticed())") { running.shredsNoticed() > 0 }
        #expect(running.shredsNoticed() == 1, "counted once")
        #expect(failure { () throws(CryptoError) in try running.open(sealed, associatedData: Self.here) } == .keyShredded)
    }

    @Test func aTornLastLineIsIgnoredAndADamagedLineRefused() throws {
        let (folder, path) = try KeyVaultTests.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let master = MasterKey.random()
        let log: String
        do {
            let vault = try KeyVault(path: path, masterKey: master)
            try vault.shred(enterprise: "ent-1", reason: "r")
            log = vault.shredLogPath
        }
        let handle = try #require(FileHandle(forWritingAtPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"enterprise\":\"ent-2\",\"max_ver".utf8))
        try handle.close()
        #expect(try KeyVault(path: path, masterKey: master).listing().tombstones.map(\.enterprise) == ["ent-1"])
        let text = try String(contentsOfFile: log, encoding: .utf8)
        try ("garbage\n" + text).write(toFile: log, atomically: true, encoding: .utf8)
        let error = #expect(throws: CryptoError.self) { try KeyVault(path: path, masterKey: master) }
        #expect(error?.code == .vaultFailure && error?.reason.contains("line 1") == true, "\(error?.reason ?? "")")
    }
}
