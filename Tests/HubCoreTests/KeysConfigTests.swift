import HubConfigKit
import HubCore
import Testing

/// `keys:` in the hub config: the master key from a file or a command (exactly one), the
/// vault beside the journal by default, and every refusal naming its key.
@Suite("HubConfig keys section")
struct KeysConfigTests {
    static func parse(_ sections: String, postgres: Bool = false) throws -> HubConfig {
        try ArchiveConfigTests.parse(sections, postgres: postgres)
    }

    @Test func aKeyFileAndTheDefaultVault() throws {
        let keys = try #require(try Self.parse("keys: {master_key_file: secrets/master.key}\n").keys)
        #expect(keys.masterKey == .file("/etc/swhub/secrets/master.key"))
        #expect(keys.vault == "/etc/swhub/keys.sqlite", "beside the journal j.sqlite")
        #expect(try Self.parse("").keys == nil)
    }

    @Test func aCommandAndAVault() throws {
        let config = try Self.parse(
            "keys:\n  master_key_command: [/usr/local/bin/kms-get, --key, hub]\n  master_key_timeout_s: 10\n  vault: /srv/keys/v.sqlite\n")
        let keys = try #require(config.keys)
        #expect(keys.masterKey == .command(["/usr/local/bin/kms-get", "--key", "hub"]))
        #expect(keys.commandTimeoutSeconds == 10)
        #expect(keys.vault == "/srv/keys/v.sqlite")
    }

    @Test func aPostgresJournalNeedsAVaultPath() throws {
        let error = #expect(throws: ConfigError.self) { try Self.parse("keys: {master_key_file: m.key}\n", postgres: true) }
        #expect(error?.reason.contains("keys.vault is required") == true, "\(error?.reason ?? "")")
        let keys = try #require(try Self.parse("keys: {master_key_file: m.key, vault: k.sqlite}\n", postgres: true).keys)
        #expect(keys.vault == "/etc/swhub/k.sqlite")
    }

    @Test(arguments: [
        ("keys: {master_key_file: m.key, master_key_command: [x]}\n", "keys.master_key_file or keys.master_key_command, not both"),
        ("keys: {vault: v.sqlite}\n", "keys.master_key_file (a key file, swhub keys init) or keys.master_key_command is required"),
        ("keys: {master_key_file: \"\"}\n", "keys.master_key_file is empty"),
        ("keys: {master_key_command: []}\n", "keys.master_key_command is empty"),
        ("keys: {master_key_command: [\"\"]}\n", "keys.master_key_command[0]"),
        ("keys: {master_key_command: [x], master_key_timeout_s: 0}\n", "keys.master_key_timeout_s = 0 is outside 1...600"),
        ("keys: {master_key_file: m.key, master_key_timeout_s: 5}\n", "keys.master_key_timeout_s applies to keys.master_key_command"),
        ("keys: {master_key_file: m.key, vault: \"\"}\n", "keys.vault is empty"),
        ("keys: {master_key_file: m.key, vault: j.sqlite}\n", "keys.vault /etc/swhub/j.sqlite is the journal"),
        ("keys: {master_key_file: k.sqlite, vault: k.sqlite}\n", "keys.master_key_file and keys.vault are one file"),
        ("keys: {master_key_file: m.key, master_key: x}\n", "master_key"),
        ("keys: {master_key_command: kms-get}\n", "master_key_command"),
    ])
    func badSectionsAreRefusedWithTheirKey(yaml: String, reason: String) throws {
        let error = #expect(throws: ConfigError.self) { try Self.parse(yaml) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test func changingKeysNeedsARestart() throws {
        let running = try Self.parse("keys: {master_key_file: a.key}\n")
        let next = try Self.parse("keys: {master_key_file: b.key}\n")
        #expect(next.restartOnlyChanges(from: running) == ["keys"])
    }
}
