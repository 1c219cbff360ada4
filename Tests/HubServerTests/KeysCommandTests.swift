import Foundation
import HubCrypto
import Testing

/// `swhub keys` (init, rotate, shred, list), the `keys:` section under `swhub config check`
/// and `swhub serve`, and serve's core dumps disabled: the real binary, real files.
@Suite("swhub keys and the keys: section")
struct KeysCommandTests {
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await ConfigCheckTests.run(arguments)
    }

    /// A hub config with a `keys:` section (vault and key file in its folder), keys made.
    static func hubConfig(keys: String) async throws -> (directory: URL, path: String) {
        try await ConfigCheckTests.hubConfig(port: try TestHub.freePort()) { $0 + keys }
    }

    @Test func initWritesAPrivateKeyFileAndNeverOverwritesIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("master.key").path
        let made = try await Self.run(["keys", "init", "--master-key-file", path])
        #expect(made.status == 0, "\(made.errors)")
        let key = try MasterKeySource.file(path: path).load()
        #expect(made.output.contains(key.fingerprint))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try await Self.run(["keys", "init", "--master-key-file", path])
        #expect(again.status == 2 && again.errors.contains("never overwritten"), "\(again.errors)")
        #expect(try MasterKeySource.file(path: path).load() == key)
    }

    /// Keys made through the vault (as the journal will), then listed, rotated, shredded
    /// and listed again through the commands; no key bytes in any output.
    @Test func listRotateShredThroughTheConfig() async throws {
        let (directory, config) = try await Self.hubConfig(keys: "keys: {master_key_file: master.key, vault: var/keys.sqlite}\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let masterPath = directory.appendingPathComponent("master.key").path
        let vaultPath = directory.appendingPathComponent("var/keys.sqlite").path
        #expect(try await Self.run(["keys", "init", "--master-key-file", masterPath]).status == 0)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("var"), withIntermediateDirectories: true)
        let here = FieldSealer.associatedData(messageID: "m-1", fieldPath: "buyer.name")
        let old = try MasterKeySource.file(path: masterPath).load()
        let (sealed, kept, keyHex): ([UInt8], [UInt8], [String]) = try {
            let vault = try KeyVault(path: vaultPath, masterKey: old)
            let a = try vault.seal(Array("赵六".utf8), enterprise: "ent-1", suite: .standard, associatedData: here)
            let b = try vault.seal(Array("孙七".utf8), enterprise: "ent-2", suite: .sm, associatedData: here)
            let keys = try ["ent-1", "ent-2"].map { try vault.key(DataKeyID(enterprise: $0, version: 1)).bytes }
            return (a, b, keys.map { $0.map { String(format: "%02x", $0) }.joined() })
        }()

        let listed = try await Self.run(["keys", "list", "--config", config, "--json"])
        #expect(listed.status == 0, "\(listed.errors)")
        let listing = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any]
        #expect(listing?["master_fingerprint"] as? String == old.fingerprint)
        let keys = listing?["keys"] as? [[String: Any]] ?? []
        #expect(
            keys.map { "\($0["enterprise"] ?? "")#\($0["version"] ?? "") \($0["algorithm"] ?? "")" } == [
                "ent-1#1 AES-256-GCM", "ent-2#1 SM4-GCM",
            ])
        #expect(keyHex.allSatisfy { !listed.output.contains($0) })

        let newPath = directory.appendingPathComponent("master.next.key").path
        let rotated = try await Self.run(["keys", "rotate", "--config", config, "--new-master-key-file", newPath])
        #expect(rotated.status == 0 && rotated.output.contains("rewrapped 2 data key(s)"), "\(rotated.output) \(rotated.errors)")
        let new = try MasterKeySource.file(path: newPath).load()
        #expect(try KeyVault.recordedMasterFingerprint(path: vaultPath) == new.fingerprint)
        let refused = try await Self.run(["keys", "list", "--config", config])
        #expect(refused.status == 78 && refused.errors.contains(new.fingerprint), "the old key no longer opens it: \(refused.errors)")
        let rerun = try await Self.run(["keys", "rotate", "--config", config, "--new-master-key-file", newPath])
        #expect(rerun.status == 0 && rerun.output.contains("nothing to do"), "\(rerun.output) \(rerun.errors)")

        // Point the config at the new key, then shred ent-1.
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "master_key_file: master.key", with: "master_key_file: master.next.key")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let noReason = try await Self.run(["keys", "shred", "--config", config, "--enterprise", "ent-1", "--reason", " "])
        #expect(noReason.status != 0)
        let shred = try await Self.run(["keys", "shred", "--config", config, "--enterprise", "ent-1", "--reason", "erasure request 9"])
        #expect(shred.status == 0 && shred.output.contains("versions: 1"), "\(shred.output) \(shred.errors)")
        #expect(FileManager.default.fileExists(atPath: vaultPath + ".shred-log"))
        let vault = try KeyVault(path: vaultPath, masterKey: new)
        #expect(throws: CryptoError(.keyShredded, "data key ent-1#1 was shredded: the values it sealed are gone for good")) {
            try vault.open(sealed, associatedData: here)
        }
        #expect(try vault.open(kept, associatedData: here) == Array("孙七".utf8))
        let after = try await Self.run(["keys", "list", "--vault", vaultPath, "--master-key-file", newPath])
        #expect(after.status == 0, "\(after.errors)")
        // A mistyped vault path is refused by list and rotate, and nothing is made there.
        let typo = vaultPath + ".typo"
        let listTypo = try await Self.run(["keys", "list", "--vault", typo, "--master-key-file", newPath])
        #expect(listTypo.status == 78 && listTypo.errors.contains("no vault at"), "\(listTypo.errors)")
        let rotateTypo = try await Self.run([
            "keys", "rotate", "--vault", typo, "--master-key-file", newPath, "--new-master-key-file", newPath + ".third",
        ])
        #expect(rotateTypo.status == 78 && rotateTypo.errors.contains("no vault at"), "\(rotateTypo.errors)")
        #expect(!FileManager.default.fileExists(atPath: typo))
        #expect(
            after.output.contains("tombstones: 1") && after.output.contains("erasure request 9") && after.output.contains(new.fingerprint))
        #expect(keyHex.allSatisfy { !after.output.contains($0) })
    }

    @Test func configCheckNamesEveryKeysProblem() async throws {
        let (directory, config) = try await Self.hubConfig(keys: "keys: {master_key_file: master.key}\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let masterPath = directory.appendingPathComponent("master.key").path
        let missing = try await Self.run(["config", "check", config])
        #expect(
            missing.status == 78 && missing.errors.contains("keys.master_key_file") && missing.errors.contains("masterKeyUnavailable"),
            "\(missing.errors)")
        #expect(try await Self.run(["keys", "init", "--master-key-file", masterPath]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: masterPath)
        let open = try await Self.run(["config", "check", config])
        #expect(open.status == 78 && open.errors.contains("keys.master_key_file") && open.errors.contains("mode 644"), "\(open.errors)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: masterPath)
        let valid = try await Self.run(["config", "check", config, "--json"])
        #expect(valid.status == 0, "\(valid.errors)")
        let resolved = try JSONSerialization.jsonObject(with: Data(valid.output.utf8)) as? [String: Any]
        let keys = resolved?["keys"] as? [String: Any]
        #expect(keys?["master_key_fingerprint"] as? String == (try MasterKeySource.file(path: masterPath).load()).fingerprint)
        #expect(keys?["vault"] as? String == directory.appendingPathComponent("var/keys.sqlite").path, "beside var/journal.sqlite")
        let line = try String(contentsOfFile: masterPath, encoding: .utf8)
        #expect(!valid.output.contains(String(line.dropFirst(MasterKey.prefix.count).dropLast())), "the key was printed")

        let (other, commandConfig) = try await Self.hubConfig(keys: "keys: {master_key_command: [no-such-kms-tool, get]}\n")
        defer { try? FileManager.default.removeItem(at: other) }
        let command = try await Self.run(["config", "check", commandConfig])
        #expect(command.status == 78 && command.errors.contains("keys.master_key_command: no-such-kms-tool"), "\(command.errors)")
        let (third, both) = try await Self.hubConfig(keys: "keys: {master_key_command: [cat], master_key_file: m.key}\n")
        defer { try? FileManager.default.removeItem(at: third) }
        let twice = try await Self.run(["config", "check", both])
        #expect(twice.status == 78 && twice.errors.contains("not both"), "\(twice.errors)")
    }

    /// `swhub serve` refuses a wrong master key (another vault's) before opening anything.
    @Test func serveRefusesAMasterKeyThatIsNotTheVaults() async throws {
        let (directory, config) = try await Self.hubConfig(keys: "keys: {master_key_file: master.key, vault: keys.sqlite}\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let masterPath = directory.appendingPathComponent("master.key").path
        #expect(try await Self.run(["keys", "init", "--master-key-file", masterPath]).status == 0)
        _ = try KeyVault(path: directory.appendingPathComponent("keys.sqlite").path, masterKey: MasterKey.random())
        let serve = try await Self.run(["serve", "--config", config])
        #expect(
            serve.status == 78 && serve.errors.contains("keys.master_key_file") && serve.errors.contains("wrapped by master key"),
            "\(serve.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("var/journal.sqlite").path))
    }

    /// A running `swhub serve` has no core file limit (soft and hard 0) unless started with
    /// `--allow-core-dumps`, which leaves the limit it inherited.
    @Test func serveDisablesCoreDumpsUnlessAllowed() async throws {
        func coreLimit(_ pid: Int32) throws -> String {
            let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
            let line = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") } ?? ""
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2).joined(separator: " ")
        }
        let hub = try TestHub(parties: [.init(id: "platform")])
        try await hub.start()
        let pid = try #require(hub.pid)
        let limit = try coreLimit(pid)
        #expect(limit == "0 0", "\(limit)")
        // Only the limits are looked at: a SIGTERM this soon after the port opens may come
        // before the service group handles it (exit by signal), which is not this test's subject.
        await hub.terminate()
        try await hub.start(arguments: ["--allow-core-dumps"])
        let allowed = try #require(hub.pid)
        let inherited = try coreLimit(getpid())
        #expect(try coreLimit(allowed) == inherited, "inherited, unchanged")
        #expect(hub.log().contains("core dumps are allowed"))
        await hub.terminate()
    }
}
