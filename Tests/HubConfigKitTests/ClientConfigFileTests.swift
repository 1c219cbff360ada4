import Foundation
import HubConfigKit
import Testing

@Suite("ClientConfigFile.load")
struct ClientConfigFileTests {
    /// A directory with `keys/hub.key`, `keys/me.key_secret` and `keys/tap.key`, and a
    /// client config `config/client.yaml` with `text`: relative key paths go from `config/`.
    private static func folder(_ text: String) throws -> (config: String, root: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("configkit-\(UUID().uuidString)")
        let keys = root.appendingPathComponent("keys")
        let config = root.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try KeyFile(publicKey: TestKeys.serverPublic, secretKey: nil).render(name: "hub", includingSecret: false)
            .write(to: keys.appendingPathComponent("hub.key"), atomically: true, encoding: .utf8)
        try KeyFile(publicKey: TestKeys.clientPublic, secretKey: TestKeys.clientSecret).render(name: "me", includingSecret: true)
            .write(to: keys.appendingPathComponent("me.key_secret"), atomically: true, encoding: .utf8)
        try KeyFile(publicKey: TestKeys.clientPublic, secretKey: nil).render(name: "me", includingSecret: false)
            .write(to: keys.appendingPathComponent("me.key"), atomically: true, encoding: .utf8)
        try KeyFile(publicKey: TestKeys.a, secretKey: nil).render(name: "tap", includingSecret: false)
            .write(to: keys.appendingPathComponent("tap.key"), atomically: true, encoding: .utf8)
        let file = config.appendingPathComponent("client.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (file.path, root)
    }

    private static func load(_ text: String) throws -> ClientConfigFile {
        let (config, root) = try folder(text)
        defer { try? FileManager.default.removeItem(at: root) }
        return try ClientConfigFile.load(path: config)
    }

    @Test func readsEveryKeyWithPathsRelativeToTheFile() throws {
        let file = try Self.load(
            """
            party: customs
            hub_endpoint: tcp://127.0.0.1:5570
            hub_public_key_file: ../keys/hub.key
            key_file: ../keys/me.key_secret
            credit: 7
            tap_endpoint: tcp://127.0.0.1:5571
            tap_public_key_file: ../keys/tap.key
            """)
        #expect(file.hubEndpoint == "tcp://127.0.0.1:5570")
        #expect(file.hubPublicKey == TestKeys.serverPublic)
        #expect(file.keys == KeyFile(publicKey: TestKeys.clientPublic, secretKey: TestKeys.clientSecret))
        #expect(file.keyFile == "../keys/me.key_secret")
        #expect(file.credit == 7)
        #expect(file.party == "customs")
        #expect(file.tapEndpoint == "tcp://127.0.0.1:5571")
        #expect(file.tapPublicKey == TestKeys.a)
    }

    @Test func inlineKeysAndNoOptionalKeys() throws {
        let file = try Self.load(
            """
            hub_endpoint: tcp://hub:5570
            hub_public_key: "\(TestKeys.b)"
            key_file: ../keys/me.key_secret
            tap_endpoint: tcp://hub:5571
            tap_public_key: "\(TestKeys.e)"
            """)
        #expect(file.hubPublicKey == TestKeys.b)
        #expect(file.tapPublicKey == TestKeys.e)
        #expect(file.credit == nil)
        #expect(file.party == nil)
    }

    struct BadConfig: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let text: String
        let code: ConfigError.Code
    }

    static let badConfigs: [BadConfig] = [
        BadConfig(testDescription: "not YAML", text: "hub_endpoint: [unclosed\n : : {", code: .syntax),
        BadConfig(
            testDescription: "no hub_endpoint", text: "hub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret", code: .syntax
        ),
        BadConfig(testDescription: "no hub key", text: "hub_endpoint: tcp://h:1\nkey_file: ../keys/me.key_secret", code: .invalidValue),
        BadConfig(
            testDescription: "a tap without its key",
            text: "hub_endpoint: tcp://h:1\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret\ntap_endpoint: tcp://h:2",
            code: .invalidValue),
        BadConfig(
            testDescription: "the public key file as the party's key",
            text: "hub_endpoint: tcp://h:1\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key", code: .badKey),
        BadConfig(
            testDescription: "a missing key file",
            text: "hub_endpoint: tcp://h:1\nhub_public_key_file: ../keys/nope.key\nkey_file: ../keys/me.key_secret", code: .badKey),
        BadConfig(
            testDescription: "both hub_endpoint and hub_endpoints",
            text:
                "hub_endpoint: tcp://h:1\nhub_endpoints: [tcp://h:2]\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret",
            code: .syntax),
        BadConfig(
            testDescription: "an empty hub_endpoints",
            text: "hub_endpoints: []\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret", code: .invalidValue),
        BadConfig(
            testDescription: "a blank node in hub_endpoints",
            text: "hub_endpoints: [tcp://h:1, \"\"]\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret",
            code: .invalidValue),
        BadConfig(
            testDescription: "a node named twice",
            text: "hub_endpoints: [tcp://h:1, tcp://h:1]\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret",
            code: .duplicate),
        BadConfig(
            testDescription: "hub_endpoints not a list",
            text: "hub_endpoints: tcp://h:1\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret", code: .syntax),
        BadConfig(
            testDescription: "an empty hub_endpoint",
            text: "hub_endpoint: \"\"\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret", code: .invalidValue),
    ]

    private static let keys = "hub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret"

    /// A hub cluster's nodes (`hub_endpoints`), in the file's order, in either YAML list form.
    @Test func readsAListOfHubNodes() throws {
        let flow = try Self.load("hub_endpoints: [tcp://a:5570, tcp://b:5570]\n\(Self.keys)")
        #expect(flow.hubEndpoints == ["tcp://a:5570", "tcp://b:5570"])
        #expect(flow.hubEndpoint == "tcp://a:5570")
        let block = try Self.load("hub_endpoints:\n  - tcp://b:5570\n  - tcp://a:5570\n  - tcp://c:5570\n\(Self.keys)")
        #expect(block.hubEndpoints == ["tcp://b:5570", "tcp://a:5570", "tcp://c:5570"])
        let one = try Self.load("hub_endpoint: tcp://a:5570\n\(Self.keys)")
        #expect(one.hubEndpoints == ["tcp://a:5570"])
        let both = #expect(throws: ConfigError.self) { try Self.load("hub_endpoint: tcp://h:1\nhub_endpoints: [tcp://h:2]\n\(Self.keys)") }
        #expect(both?.reason.contains("both hub_endpoint and hub_endpoints") == true, "\(String(describing: both))")
        let neither = #expect(throws: ConfigError.self) { try Self.load(Self.keys) }
        #expect(neither?.reason.contains("needs hub_endpoint (one hub) or hub_endpoints") == true, "\(String(describing: neither))")
    }

    @Test(arguments: badConfigs)
    func refuses(_ bad: BadConfig) {
        let error = #expect(throws: ConfigError.self) { try Self.load(bad.text) }
        #expect(error?.code == bad.code)
    }

    /// A misspelt key is refused with its place and the key meant; the `adapter:` section
    /// is the adapter's own reader's to check.
    @Test func anUnknownKeyIsRefusedWithItsPlace() throws {
        let error = #expect(throws: ConfigError.self) {
            try Self.load("hub_endpoint: tcp://h:1\nhub_public_key_flie: ../keys/hub.key\nkey_file: ../keys/me.key_secret\n")
        }
        #expect(error?.code == .syntax)
        #expect(
            error?.reason.contains("hub_public_key_flie (line 2, column 1): unknown key; did you mean 'hub_public_key_file'?") == true,
            "\(String(describing: error))")
        let adapter = try Self.load(
            "hub_endpoint: tcp://h:1\nhub_public_key_file: ../keys/hub.key\nkey_file: ../keys/me.key_secret\nadapter: {folder: x}\n")
        #expect(adapter.hubEndpoint == "tcp://h:1")
    }

    @Test func anUnreadableFileIsNamed() {
        let path = "/nonexistent/\(UUID().uuidString)/client.yaml"
        #expect(throws: ConfigError(.unreadable, "cannot read client config \(path)")) { try ClientConfigFile.load(path: path) }
    }

    @Test func pathsResolveAgainstTheFilesDirectory() {
        #expect(ConfigPath.directory(of: "/etc/swhub/client.yaml") == "/etc/swhub")
        #expect(ConfigPath.resolve("keys/a.key", against: "/etc/swhub") == "/etc/swhub/keys/a.key")
        #expect(ConfigPath.resolve("../keys/a.key", against: "/etc/swhub") == "/etc/keys/a.key")
        #expect(ConfigPath.resolve("/srv/a.key", against: "/etc/swhub") == "/srv/a.key")
    }
}
