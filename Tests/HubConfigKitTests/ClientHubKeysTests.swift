import Foundation
import HubConfigKit
import Testing

/// A client config naming two hub keys while the hub's key is rotated, or two tap keys
/// while the tap's is.
@Suite("ClientConfigFile: two hub keys")
struct ClientHubKeysTests {
    /// `text` as `client.yaml` in a folder with `hub.key`, `hub.next.key` and `me.key_secret`.
    private static func load(_ text: String) throws -> ClientConfigFile {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hubkeys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try KeyFile(publicKey: TestKeys.serverPublic, secretKey: nil).render(name: "hub", includingSecret: false)
            .write(to: root.appendingPathComponent("hub.key"), atomically: true, encoding: .utf8)
        try KeyFile(publicKey: TestKeys.a, secretKey: nil).render(name: "hub.next", includingSecret: false)
            .write(to: root.appendingPathComponent("hub.next.key"), atomically: true, encoding: .utf8)
        try KeyFile(publicKey: TestKeys.clientPublic, secretKey: TestKeys.clientSecret).render(name: "me", includingSecret: true)
            .write(to: root.appendingPathComponent("me.key_secret"), atomically: true, encoding: .utf8)
        let file = root.appendingPathComponent("client.yaml")
        try ("hub_endpoint: tcp://127.0.0.1:5570\nkey_file: me.key_secret\n" + text).write(to: file, atomically: true, encoding: .utf8)
        return try ClientConfigFile.load(path: file.path)
    }

    @Test func twoKeyFilesOrTwoInlineKeysAreReadInOrder() throws {
        #expect(try Self.load("hub_public_key_files: [hub.key, hub.next.key]\n").hubPublicKeys == [TestKeys.serverPublic, TestKeys.a])
        #expect(try Self.load("hub_public_keys: [\"\(TestKeys.a)\", \"\(TestKeys.b)\"]\n").hubPublicKeys == [TestKeys.a, TestKeys.b])
        let one = try Self.load("hub_public_key_file: hub.key\n")
        #expect(one.hubPublicKeys == [TestKeys.serverPublic])
        #expect(one.hubPublicKey == TestKeys.serverPublic)
    }

    @Test func bothFormsAtOnceThreeKeysOrABadKeyAreRefused() throws {
        #expect(throws: ConfigError.self) { try Self.load("hub_public_key_file: hub.key\nhub_public_keys: [\"\(TestKeys.a)\"]\n") }
        #expect(throws: ConfigError.self) {
            try Self.load("hub_public_keys: [\"\(TestKeys.a)\", \"\(TestKeys.b)\", \"\(TestKeys.e)\"]\n")
        }
        #expect(throws: ConfigError.self) { try Self.load("hub_public_keys: [\"not a key\"]\n") }
        #expect(throws: ConfigError.self) { try Self.load("hub_public_key_files: [hub.key, missing.key]\n") }
        #expect(throws: ConfigError.self) { try Self.load("") }
    }

    @Test func twoTapKeyFilesOrTwoInlineTapKeysAreReadInOrder() throws {
        let tap = "hub_public_key_file: hub.key\ntap_endpoint: tcp://127.0.0.1:5571\n"
        #expect(
            try Self.load(tap + "tap_public_key_files: [hub.next.key, hub.key]\n").tapPublicKeys == [TestKeys.a, TestKeys.serverPublic])
        #expect(try Self.load(tap + "tap_public_keys: [\"\(TestKeys.b)\", \"\(TestKeys.e)\"]\n").tapPublicKeys == [TestKeys.b, TestKeys.e])
        let one = try Self.load(tap + "tap_public_key: \"\(TestKeys.b)\"\n")
        #expect(one.tapPublicKeys == [TestKeys.b])
        #expect(one.tapPublicKey == TestKeys.b)
        #expect(try Self.load("hub_public_key_file: hub.key\n").tapPublicKeys.isEmpty)
    }

    @Test func twoTapKeyFormsThreeTapKeysABadOneOrNoneAreRefused() throws {
        let tap = "hub_public_key_file: hub.key\ntap_endpoint: tcp://127.0.0.1:5571\n"
        #expect(throws: ConfigError.self) { try Self.load(tap + "tap_public_key_file: hub.key\ntap_public_keys: [\"\(TestKeys.a)\"]\n") }
        #expect(throws: ConfigError.self) {
            try Self.load(tap + "tap_public_keys: [\"\(TestKeys.a)\", \"\(TestKeys.b)\", \"\(TestKeys.e)\"]\n")
        }
        #expect(throws: ConfigError.self) { try Self.load(tap + "tap_public_keys: []\n") }
        #expect(throws: ConfigError.self) { try Self.load(tap + "tap_public_key: \"not a key\"\n") }
        #expect(throws: ConfigError.self) { try Self.load(tap + "tap_public_key_files: [hub.key, missing.key]\n") }
        #expect(throws: ConfigError.self) { try Self.load(tap) }
    }

    @Test func namedFilesListsBothKeyFilesOfEachServer() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hubkeys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("client.yaml")
        try """
        hub_endpoint: tcp://127.0.0.1:5570
        hub_public_key_files: [keys/hub.key, keys/hub.next.key]
        key_file: me.key_secret
        tap_endpoint: tcp://127.0.0.1:5571
        tap_public_key_files: [keys/tap.key, keys/tap.next.key]
        """.write(to: file, atomically: true, encoding: .utf8)
        let lines = try ClientConfigFile.namedFiles(path: file.path, relativeTo: "/etc/swhub").map(\.line)
        #expect(
            lines == [
                "client_key\t-\t/etc/swhub/me.key_secret", "hub_public_key\thub\t/etc/swhub/keys/hub.key",
                "hub_public_key\thub\t/etc/swhub/keys/hub.next.key", "tap_public_key\ttap\t/etc/swhub/keys/tap.key",
                "tap_public_key\ttap\t/etc/swhub/keys/tap.next.key",
            ])
    }
}
