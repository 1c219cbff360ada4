import Foundation
import HubConfigKit
import HubCore
import Testing

@Suite("HubConfig.parse")
struct HubConfigTests {
    static let base = "/etc/swhub"

    /// A complete, valid config: every hub key set, parties with key_file and with public_key.
    static let fullYAML = """
        hub:
          endpoint: tcp://127.0.0.1:5570
          key_file: keys/hub.key_secret
          journal: var/journal.sqlite
          max_body_bytes: 2048
          default_credit: 10
          heartbeat_ms: 500
          max_pending: 7
          commit_batch_max: 3
          recent_delivery_bytes: 65536
        types:
          - demo.Note
          - demo.Query
        parties:
          - id: enterprise
            key_file: keys/enterprise.key
            subscribes: []
          - id: customs
            public_key: "\(TestKeys.b)"
            subscribes: [demo.Note]
          - id: bank
            key_file: /srv/keys/bank.key
            subscribes: [demo.Query, demo.Note]
          - id: post
            public_key: "\(TestKeys.d)"
        """

    /// Key files known to the fake file system.
    static let files: [String: String] = [
        "/etc/swhub/keys/enterprise.key": KeyFile(publicKey: TestKeys.a, secretKey: nil)
            .render(name: "enterprise", includingSecret: false),
        "/srv/keys/bank.key": KeyFile(publicKey: TestKeys.c, secretKey: TestKeys.e)
            .render(name: "bank", includingSecret: true),
    ]

    struct MissingFile: Error {}

    static func parse(_ yaml: String, base: String = base, files: [String: String] = files) throws -> HubConfig {
        try HubConfig.parse(yaml: yaml, baseDirectory: base) { path in
            guard let text = files[path] else { throw MissingFile() }
            return text
        }
    }

    /// A minimal valid config with the given hub lines, types and parties blocks.
    static func yaml(
        hub: String = "endpoint: tcp://*:5570\nkey_file: hub.key\njournal: j.sqlite",
        types: String = "[demo.Note]",
        parties: String = "- id: enterprise\n  public_key: \"\(TestKeys.a)\""
    ) -> String {
        let indent = { (text: String) in text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") }
        return "hub:\n\(indent(hub))\ntypes: \(types)\nparties:\n\(indent(parties))\n"
    }

    // MARK: - valid configs

    @Test func fullConfig() throws {
        let config = try Self.parse(Self.fullYAML)
        #expect(config.settings.endpoint == "tcp://127.0.0.1:5570")
        #expect(config.settings.keyFile == "/etc/swhub/keys/hub.key_secret")
        #expect(config.settings.journal == "/etc/swhub/var/journal.sqlite")
        #expect(config.settings.maxBodyBytes == 2048)
        #expect(config.settings.defaultCredit == 10)
        #expect(config.settings.heartbeatMs == 500)
        #expect(config.settings.maxPending == 7)
        #expect(config.settings.commitBatchMax == 3)
        #expect(config.settings.recentDeliveryBytes == 65536)
        #expect(config.types == ["demo.Note", "demo.Query"])
        #expect(config.parties.map(\.id) == ["enterprise", "customs", "bank", "post"], "file order")
        #expect(config.parties.map(\.publicKey) == [TestKeys.a, TestKeys.b, TestKeys.c, TestKeys.d])
        #expect(config.parties.map(\.subscribes) == [[], ["demo.Note"], ["demo.Query", "demo.Note"], []])
        #expect(config.party("bank")?.publicKey == TestKeys.c, "public key from a key pair file")
        #expect(config.party("post")?.subscribes == [], "subscribes defaults to none")
        #expect(config.party("nobody") == nil)
    }

    @Test func keyFilesAreReadAtTheirResolvedPaths() throws {
        var requested: [String] = []
        _ = try HubConfig.parse(yaml: Self.fullYAML, baseDirectory: Self.base) { path in
            requested.append(path)
            guard let text = Self.files[path] else { throw MissingFile() }
            return text
        }
        #expect(
            requested == ["/etc/swhub/keys/enterprise.key", "/srv/keys/bank.key"],
            "only parties' key files are read, the hub's own is not")
    }

    @Test func defaultsWhenOptionalHubKeysAreMissing() throws {
        let config = try Self.parse(Self.yaml())
        #expect(config.settings.maxBodyBytes == 1_048_576)
        #expect(config.settings.defaultCredit == 1000)
        #expect(config.settings.heartbeatMs == 2000)
        #expect(config.settings.maxPending == 50_000)
        #expect(config.settings.commitBatchMax == 1000)
        #expect(config.settings.recentDeliveryBytes == 32 << 20)
    }

    @Test func relativePathsResolveAgainstBaseDirectory() throws {
        let config = try Self.parse(
            Self.yaml(hub: "endpoint: ipc:///tmp/hub\nkey_file: ../keys/./hub.key\njournal: /var/lib/swhub/j.sqlite"),
            base: "/etc/swhub/conf")
        #expect(config.settings.keyFile == "/etc/swhub/keys/hub.key")
        #expect(config.settings.journal == "/var/lib/swhub/j.sqlite", "absolute paths are kept")
        #expect(config.settings.endpoint == "ipc:///tmp/hub")
    }

    @Test func emptyTypesAndPartiesAreValid() throws {
        let config = try Self.parse(Self.yaml(types: "[]", parties: "[]"))
        #expect(config.types.isEmpty)
        #expect(config.parties.isEmpty)
    }

    @Test func namesAtTheirLengthLimitsAreValid() throws {
        let type = String(repeating: "t", count: 128)
        let party = String(repeating: "p", count: 64)
        let config = try Self.parse(
            Self.yaml(
                types: "[\(type), A-z_0.9]",
                parties: "- id: \(party)\n  public_key: \"\(TestKeys.a)\"\n  subscribes: [\(type)]"))
        #expect(config.types == [type, "A-z_0.9"])
        #expect(config.parties.first?.id == party)
    }

    /// Deploy/hub.yaml parses, with every key file it names answered by a fake file system.
    @Test func parsesTheExampleDeployConfig() throws {
        let text = try String(contentsOfFile: Self.repositoryRoot + "/Deploy/hub.yaml", encoding: .utf8)
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
        var served = 0
        let config = try HubConfig.parse(yaml: text, baseDirectory: "/opt/hub") { path in
            #expect(path.hasPrefix("/opt/hub/"))
            served += 1
            let key = String((0..<40).map { alphabet[($0 * 7 + served) % 85] })
            return KeyFile(publicKey: key, secretKey: nil).render(name: path, includingSecret: false)
        }
        #expect(!config.parties.isEmpty)
        #expect(config.settings.keyFile.hasPrefix("/opt/hub/"))
        #expect(config.settings.journal.hasPrefix("/opt/hub/"))
    }

    static var repositoryRoot: String {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }

    // MARK: - errors

    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let yaml: String
        let code: ConfigError.Code
        /// Words the reason must contain.
        let mentions: [String]
    }

    static let errorCases: [Case] = [
        // syntax
        Case(testDescription: "YAML syntax error", yaml: "hub: [unclosed\ntypes: {", code: .syntax, mentions: []),
        Case(testDescription: "empty document", yaml: "", code: .syntax, mentions: []),
        Case(testDescription: "not a mapping", yaml: "- a\n- b", code: .syntax, mentions: []),
        Case(testDescription: "missing hub", yaml: "types: []\nparties: []", code: .syntax, mentions: ["hub"]),
        Case(
            testDescription: "missing types", yaml: yaml().replacingOccurrences(of: "types: [demo.Note]\n", with: ""),
            code: .syntax, mentions: ["types"]),
        Case(
            testDescription: "missing parties", yaml: "hub:\n  endpoint: tcp://*:1\n  key_file: k\n  journal: j\ntypes: []",
            code: .syntax, mentions: ["parties"]),
        Case(
            testDescription: "missing hub.endpoint", yaml: yaml(hub: "key_file: k\njournal: j"),
            code: .syntax, mentions: ["endpoint"]),
        Case(
            testDescription: "missing hub.key_file", yaml: yaml(hub: "endpoint: tcp://*:1\njournal: j"),
            code: .syntax, mentions: ["key_file"]),
        Case(
            testDescription: "missing hub.journal", yaml: yaml(hub: "endpoint: tcp://*:1\nkey_file: k"),
            code: .syntax, mentions: ["journal"]),
        Case(
            testDescription: "missing party id", yaml: yaml(parties: "- public_key: \"\(TestKeys.a)\""),
            code: .syntax, mentions: ["id"]),
        Case(
            testDescription: "number that is not a number",
            yaml: yaml(hub: "endpoint: tcp://*:1\nkey_file: k\njournal: j\ndefault_credit: many"),
            code: .syntax, mentions: []),
        // types
        Case(
            testDescription: "duplicate type", yaml: yaml(types: "[demo.Note, demo.Query, demo.Note]"),
            code: .duplicate, mentions: ["demo.Note"]),
        Case(testDescription: "type with a space", yaml: yaml(types: "[\"demo Note\"]"), code: .invalidValue, mentions: ["demo Note"]),
        Case(testDescription: "type with a slash", yaml: yaml(types: "[demo/Note]"), code: .invalidValue, mentions: ["demo/Note"]),
        Case(testDescription: "empty type", yaml: yaml(types: "[\"\"]"), code: .invalidValue, mentions: []),
        Case(testDescription: "non-ASCII type", yaml: yaml(types: "[démo]"), code: .invalidValue, mentions: []),
        Case(
            testDescription: "type of 129 chars", yaml: yaml(types: "[\(String(repeating: "t", count: 129))]"),
            code: .invalidValue, mentions: []),
        // parties
        Case(
            testDescription: "duplicate party",
            yaml: yaml(parties: "- id: tax\n  public_key: \"\(TestKeys.a)\"\n- id: tax\n  public_key: \"\(TestKeys.b)\""),
            code: .duplicate, mentions: ["tax"]),
        Case(
            testDescription: "empty party id", yaml: yaml(parties: "- id: \"\"\n  public_key: \"\(TestKeys.a)\""),
            code: .invalidValue, mentions: []),
        Case(
            testDescription: "party id with a space", yaml: yaml(parties: "- id: \"a b\"\n  public_key: \"\(TestKeys.a)\""),
            code: .invalidValue, mentions: ["a b"]),
        Case(
            testDescription: "party id with a colon", yaml: yaml(parties: "- id: \"a:b\"\n  public_key: \"\(TestKeys.a)\""),
            code: .invalidValue, mentions: ["a:b"]),
        Case(
            testDescription: "party id of 65 chars",
            yaml: yaml(parties: "- id: \(String(repeating: "p", count: 65))\n  public_key: \"\(TestKeys.a)\""),
            code: .invalidValue, mentions: []),
        Case(
            testDescription: "both public_key and key_file",
            yaml: yaml(parties: "- id: tax\n  public_key: \"\(TestKeys.a)\"\n  key_file: keys/enterprise.key"),
            code: .badKey, mentions: ["tax"]),
        Case(
            testDescription: "neither public_key nor key_file", yaml: yaml(parties: "- id: tax\n  subscribes: []"),
            code: .badKey, mentions: ["tax"]),
        Case(
            testDescription: "inline key too short", yaml: yaml(parties: "- id: tax\n  public_key: \"\(TestKeys.a.dropLast())\""),
            code: .badKey, mentions: ["tax"]),
        Case(
            testDescription: "inline key too long", yaml: yaml(parties: "- id: tax\n  public_key: \"\(TestKeys.a)A\""),
            code: .badKey, mentions: ["tax"]),
        Case(
            testDescription: "inline key outside Z85", yaml: yaml(parties: "- id: tax\n  public_key: \"\(TestKeys.a.dropLast())~\""),
            code: .badKey, mentions: ["tax"]),
        Case(
            testDescription: "key file that is not a key file",
            yaml: yaml(parties: "- id: tax\n  key_file: keys/garbage.key"), code: .badKey, mentions: ["/etc/swhub/keys/garbage.key"]),
        Case(
            testDescription: "key file with a bad key",
            yaml: yaml(parties: "- id: tax\n  key_file: keys/short.key"), code: .badKey, mentions: ["/etc/swhub/keys/short.key"]),
        Case(
            testDescription: "two parties share one key",
            yaml: yaml(parties: "- id: tax\n  public_key: \"\(TestKeys.a)\"\n- id: bank\n  public_key: \"\(TestKeys.a)\""),
            code: .duplicate, mentions: ["tax", "bank"]),
        Case(
            testDescription: "inline key equal to a key file's key",
            yaml: yaml(parties: "- id: enterprise\n  key_file: keys/enterprise.key\n- id: bank\n  public_key: \"\(TestKeys.a)\""),
            code: .duplicate, mentions: ["enterprise", "bank"]),
        Case(
            testDescription: "subscription to an undeclared type",
            yaml: yaml(parties: "- id: tax\n  public_key: \"\(TestKeys.a)\"\n  subscribes: [demo.Note, demo.Nope]"),
            code: .unknownReference, mentions: ["tax", "demo.Nope"]),
        // settings
        Case(
            testDescription: "endpoint without ://", yaml: yaml(hub: "endpoint: 127.0.0.1:5570\nkey_file: k\njournal: j"),
            code: .invalidValue, mentions: ["hub.endpoint"]),
        Case(
            testDescription: "empty endpoint", yaml: yaml(hub: "endpoint: \"\"\nkey_file: k\njournal: j"),
            code: .invalidValue, mentions: ["hub.endpoint"]),
    ]

    static let extraFiles: [String: String] = files.merging([
        "/etc/swhub/keys/garbage.key": "this: [is not",
        "/etc/swhub/keys/short.key": "public_key: \"abc\"",
    ]) { $1 }

    @Test(arguments: errorCases)
    func refuses(_ test: Case) {
        let error = #expect(throws: ConfigError.self) { try Self.parse(test.yaml, files: Self.extraFiles) }
        #expect(error?.code == test.code)
        for word in test.mentions {
            #expect(error?.reason.contains(word) == true, "reason '\(error?.reason ?? "")' mentions \(word)")
        }
    }

    struct Bounds: Sendable, CustomTestStringConvertible {
        let key: String
        let low: Int
        let high: Int
        var testDescription: String { key }
    }

    static let ranges: [Bounds] = [
        Bounds(key: "max_body_bytes", low: 1, high: 256 << 20),
        Bounds(key: "default_credit", low: 1, high: 100_000),
        Bounds(key: "heartbeat_ms", low: 100, high: 600_000),
        Bounds(key: "max_pending", low: 1, high: 10_000_000),
        Bounds(key: "commit_batch_max", low: 1, high: 100_000),
        Bounds(key: "recent_delivery_bytes", low: 0, high: 4 << 30),
    ]

    @Test(arguments: ranges)
    func numericSettingBounds(_ range: Bounds) throws {
        func config(_ value: Int) throws -> HubConfig {
            try Self.parse(Self.yaml(hub: "endpoint: tcp://*:1\nkey_file: k\njournal: j\n\(range.key): \(value)"))
        }
        for value in [range.low, range.high] {
            #expect(throws: Never.self, "\(range.key) = \(value) is accepted") { try config(value) }
        }
        for value in [range.low - 1, range.high + 1, -1, 0].filter({ $0 < range.low || $0 > range.high }) {
            let error = #expect(throws: ConfigError.self, "\(range.key) = \(value) is refused") { try config(value) }
            #expect(error?.code == .invalidValue)
            #expect(error?.reason.contains("hub.\(range.key)") == true)
        }
    }

    @Test func defaultCreditZeroIsRefused() {
        let error = #expect(throws: ConfigError.self) {
            try Self.parse(Self.yaml(hub: "endpoint: tcp://*:1\nkey_file: k\njournal: j\ndefault_credit: 0"))
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.description.hasPrefix("CONFIG_INVALID_VALUE: ") == true)
    }

    @Test func readFileErrorsPropagate() {
        let thrown = ConfigError(.badKey, "cannot read key file /etc/swhub/keys/enterprise.key")
        let error = #expect(throws: ConfigError.self) {
            try HubConfig.parse(yaml: Self.fullYAML, baseDirectory: Self.base) { _ in throw thrown }
        }
        #expect(error == thrown)
    }

    @Test func errorCodesAreDistinctAndStable() {
        let codes: [ConfigError.Code] = [.unreadable, .syntax, .invalidValue, .duplicate, .unknownReference, .badKey]
        #expect(Set(codes).count == codes.count)
        #expect(
            codes.map(\.name) == [
                "CONFIG_UNREADABLE", "CONFIG_SYNTAX", "CONFIG_INVALID_VALUE", "CONFIG_DUPLICATE",
                "CONFIG_UNKNOWN_REFERENCE", "CONFIG_BAD_KEY",
            ])
        #expect(ConfigError(.duplicate, "x").description == "CONFIG_DUPLICATE: x")
    }

    @Test func isValidName() {
        #expect(HubConfig.isValidName("a", max: 1))
        #expect(!HubConfig.isValidName("ab", max: 1))
        #expect(!HubConfig.isValidName("", max: 10))
        #expect(HubConfig.isValidName("Az09._-", max: 10))
        for bad in [" ", "/", ":", "@", "é", "\n", "*"] {
            #expect(!HubConfig.isValidName("a\(bad)b", max: 10), "'\(bad)'")
        }
    }
}
