import Foundation
import HubConfigKit
import HubCore
import Testing

/// Two keys per party (key rotation) and what a reload may change.
@Suite("HubConfig: key lists and reloadable settings")
struct ReloadConfigTests {
    static func parse(_ yaml: String) throws -> HubConfig {
        try HubConfigTests.parse(yaml)
    }

    @Test func aPartyMayListTwoKeysInlineOrAsFiles() throws {
        let config = try Self.parse(
            HubConfigTests.yaml(
                parties: """
                    - id: enterprise
                      public_key: ["\(TestKeys.d)", "\(TestKeys.b)"]
                    - id: bank
                      key_file: [/srv/keys/bank.key, keys/enterprise.key]
                    """))
        #expect(config.party("enterprise")?.publicKeys == [TestKeys.d, TestKeys.b])
        #expect(config.party("bank")?.publicKeys == [TestKeys.c, TestKeys.a])
        #expect(config.party("bank")?.publicKey == TestKeys.c)
        #expect(config.partiesByKey == [TestKeys.d: "enterprise", TestKeys.b: "enterprise", TestKeys.c: "bank", TestKeys.a: "bank"])
    }

    @Test func threeKeysOrTheSameKeyTwiceOrAKeyOfAnotherPartyAreRefused() throws {
        let three = HubConfigTests.yaml(
            parties: "- id: enterprise\n  public_key: [\"\(TestKeys.a)\", \"\(TestKeys.b)\", \"\(TestKeys.c)\"]")
        #expect(throws: ConfigError.self) { try Self.parse(three) }
        do {
            _ = try Self.parse(three)
        } catch let error as ConfigError {
            #expect(error.code == .badKey)
            #expect(error.reason.contains("lists 3 keys"))
        }
        let twice = HubConfigTests.yaml(parties: "- id: enterprise\n  public_key: [\"\(TestKeys.a)\", \"\(TestKeys.a)\"]")
        #expect(throws: ConfigError(.duplicate, "party 'enterprise' lists one public key twice")) { try Self.parse(twice) }
        let shared = HubConfigTests.yaml(
            parties: "- id: enterprise\n  public_key: [\"\(TestKeys.a)\", \"\(TestKeys.b)\"]\n- id: post\n  public_key: \"\(TestKeys.b)\"")
        #expect(throws: ConfigError(.duplicate, "parties 'enterprise' and 'post' share one public key")) { try Self.parse(shared) }
        let empty = HubConfigTests.yaml(parties: "- id: enterprise\n  public_key: []")
        #expect(throws: ConfigError.self) { try Self.parse(empty) }
    }

    @Test func partiesTypesAndFlowSettingsAreReloadable() throws {
        let running = try Self.parse(HubConfigTests.yaml())
        let changed = try Self.parse(
            HubConfigTests.yaml(
                types: "[demo.Note, demo.Query]",
                parties: """
                    - id: enterprise
                      public_key: ["\(TestKeys.a)", "\(TestKeys.b)"]
                    - id: post
                      public_key: "\(TestKeys.c)"
                      subscribes: [demo.Query]
                    """))
        #expect(changed.restartOnlyChanges(from: running).isEmpty)
        try changed.checkReloadable(from: running)
    }

    @Test func endpointJournalKeyAndSectionsNeedARestart() throws {
        let running = try Self.parse(HubConfigTests.yaml())
        let moved = try Self.parse(
            HubConfigTests.yaml(hub: "endpoint: tcp://*:5599\nkey_file: hub.next.key\njournal: other.sqlite\nheartbeat_ms: 900"))
        #expect(moved.restartOnlyChanges(from: running) == ["hub.endpoint", "hub.key_file", "hub.journal", "hub.heartbeat_ms"])
        #expect(throws: ConfigError.self) { try moved.checkReloadable(from: running) }
        do {
            try moved.checkReloadable(from: running)
        } catch let error as ConfigError {
            #expect(error.code == .needsRestart)
            #expect(error.reason.contains("hub.endpoint, hub.key_file, hub.journal, hub.heartbeat_ms changed"))
            #expect(error.reason.contains("restart the hub"))
        }
        var withTap = running
        withTap.tap = HubConfig.Tap(endpoint: "tcp://*:5571", keyFile: "/etc/swhub/tap.key_secret")
        #expect(withTap.restartOnlyChanges(from: running) == ["tap"])
        // Salvage mode comes from the command line, never from the file: not a change.
        var salvage = running
        salvage.settings.readOnly = true
        #expect(running.restartOnlyChanges(from: salvage).isEmpty)
    }
}
