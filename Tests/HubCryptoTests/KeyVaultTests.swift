import Foundation
import GRDB
import HubCrypto
import Testing

/// The data-key vault: keys made on first use and kept across openings, the master key
/// checked, rotation without touching sealed values.
@Suite struct KeyVaultTests {
    /// A fresh folder with a vault path in it.
    static func vaultPath() throws -> (folder: URL, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-vault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (folder, folder.appendingPathComponent("keys.sqlite").path)
    }

    static let here = FieldSealer.associatedData(messageID: "m-1", fieldPath: "consignee.name")

    @Test(arguments: CipherSuite.allCases)
    func keysAreMadeOnFirstUseAndKept(suite: CipherSuite) throws {
        let (folder, path) = try Self.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let master = MasterKey.random()
        let sealed: [UInt8]
        let first: DataKey
        do {
            let vault = try KeyVault(path: path, masterKey: master)
            first = try vault.currentKey(enterprise: "ent-1", suite: suite)
            #expect(first.id == DataKeyID(enterprise: "ent-1", version: 1) && first.suite == suite)
            #expect(try vault.currentKey(enterprise: "ent-1", suite: suite) == first)
            #expect(try vault.currentKey(enterprise: "ent-2", suite: suite).id.version == 1)
            sealed = try vault.seal(Array("张三".utf8), enterprise: "ent-1", suite: suite, associatedData: Self.here)
        }
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let reopened = try KeyVault(path: path, masterKey: master)
        #expect(try reopened.key(first.id) == first)
        #expect(try reopened.currentKey(enterprise: "ent-1", suite: suite) == first)
        #expect(try reopened.open(sealed, associatedData: Self.here) == Array("张三".utf8))
        #expect(failure { () throws(CryptoError) in try reopened.key(DataKeyID(enterprise: "ent-1", version: 9)) } == .keyNotFound)
        #expect(failure { () throws(CryptoError) in try reopened.key(DataKeyID(enterprise: "nobody", version: 1)) } == .keyNotFound)
    }

    @Test func anotherSuiteGetsANewVersion() throws {
        let (folder, path) = try Self.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let vault = try KeyVault(path: path, masterKey: MasterKey.random())
        let standard = try vault.currentKey(enterprise: "ent-1", suite: .standard)
        let sm = try vault.currentKey(enterprise: "ent-1", suite: .sm)
        #expect(standard.id.version == 1 && sm.id.version == 2 && sm.bytes.count == 16)
        #expect(try vault.key(standard.id) == standard)
    }

    @Test func theWrongMasterKeyIsRefusedNamingBothFingerprints() throws {
        let (folder, path) = try Self.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let master = MasterKey.random()
        _ = try KeyVault(path: path, masterKey: master).currentKey(enterprise: "ent-1", suite: .standard)
        let other = MasterKey.random()
        let error = #expect(throws: CryptoError.self) { try KeyVault(path: path, masterKey: other) }
        #expect(error?.code == .masterKeyMismatch)
        #expect(error?.reason.contains(master.fingerprint) == true && error?.reason.contains(other.fingerprint) == true)
        #expect(try KeyVault.recordedMasterFingerprint(path: path) == master.fingerprint)
    }

    @Test func notAVaultIsAVaultFailure() throws {
        let (folder, path) = try Self.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect(failure { () throws(CryptoError) in try KeyVault(path: path, masterKey: MasterKey.random()) } == .vaultFailure)
    }

    /// A journal (or a copy of one) given as the vault is refused, its tables untouched:
    /// it was opened as a vault and got the vault's tables beside its messages.
    @Test func aJournalIsNotTakenForAVault() throws {
        let (folder, path) = try Self.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: "CREATE TABLE messages (seq INTEGER PRIMARY KEY); CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value TEXT)")
        }
        #expect(failure { () throws(CryptoError) in try KeyVault(path: path, masterKey: MasterKey.random()) } == .vaultFailure)
        #expect(try DatabaseQueue(path: path).read { try $0.tableExists("data_keys") } == false)
    }

    /// Rotation rewraps every key in one go; the values sealed before still open, the old
    /// master key no longer opens the vault, and no key wrapped by it is left in the file.
    @Test func rotationRewrapsEveryKeyAndLeavesNoOldWrapping() throws {
        let (folder, path) = try Self.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let old = MasterKey.random()
        let new = MasterKey.random()
        var sealed: [String: [UInt8]] = [:]
        do {
            let vault = try KeyVault(path: path, masterKey: old)
            for (index, enterprise) in ["ent-1", "ent-2", "ent-3"].enumerated() {
                let suite: CipherSuite = index == 1 ? .sm : .standard
                sealed[enterprise] = try vault.seal(Array(enterprise.utf8), enterprise: enterprise, suite: suite, associatedData: Self.here)
            }
            let before = try Self.wrappedKeys(path)
            #expect(try vault.rotateMaster(to: new) == 3)
            #expect(vault.masterFingerprint == new.fingerprint)
            let bytes = try Self.fileBytes(path)
            #expect(before.allSatisfy { !Self.contains(bytes, $0) }, "a key wrapped by the old master key is still in the file")
        }
        #expect(failure { () throws(CryptoError) in try KeyVault(path: path, masterKey: old) } == .masterKeyMismatch)
        let vault = try KeyVault(path: path, masterKey: new)
        for (enterprise, value) in sealed {
            #expect(try vault.open(value, associatedData: Self.here) == Array(enterprise.utf8))
        }
    }

    /// A key that does not unwrap (a damaged row) stops the rotation before anything is
    /// changed: the vault stays wrapped by the old master key, every other key still opens.
    @Test func aRotationThatCannotUnwrapEveryKeyChangesNothing() throws {
        let (folder, path) = try Self.vaultPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let old = MasterKey.random()
        let sealed: [UInt8]
        do {
            let vault = try KeyVault(path: path, masterKey: old)
            sealed = try vault.seal(Array("周八".utf8), enterprise: "ent-1", suite: .standard, associatedData: Self.here)
            _ = try vault.currentKey(enterprise: "ent-2", suite: .sm)
        }
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE data_keys SET wrapped = zeroblob(length(wrapped)) WHERE enterprise = 'ent-2'")
        }
        let vault = try KeyVault(path: path, masterKey: old)
        let error = #expect(throws: CryptoError.self) { try vault.rotateMaster(to: MasterKey.random()) }
        #expect(error?.code == .masterKeyMismatch && error?.reason.contains("ent-2#1") == true, "\(error?.reason ?? "")")
        #expect(vault.masterFingerprint == old.fingerprint)
        #expect(try KeyVault.recordedMasterFingerprint(path: path) == old.fingerprint)
        #expect(try KeyVault(path: path, masterKey: old).open(sealed, associatedData: Self.here) == Array("周八".utf8))
    }

    /// The `wrapped` column of every row, read beside the vault.
    static func wrappedKeys(_ path: String, enterprise: String? = nil) throws -> [[UInt8]] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            try Data.fetchAll(
                db, sql: "SELECT wrapped FROM data_keys WHERE ? IS NULL OR enterprise = ?", arguments: [enterprise, enterprise]
            ).map { Array($0) }
        }
    }

    /// The bytes of the vault file and its WAL (if any).
    static func fileBytes(_ path: String) throws -> [UInt8] {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        if let wal = FileManager.default.contents(atPath: path + "-wal") { bytes += Array(wal) }
        return bytes
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        while let start = haystack[index...].firstIndex(of: first), start + needle.count <= haystack.count {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
            index = start + 1
        }
        return false
    }
}
