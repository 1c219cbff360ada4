import Foundation
import HubConfigKit
import HubCore
import Testing

/// The hub's config is read strictly: a key the hub does not read is refused with its path,
/// line and column and the nearest known key; wrong types and YAML syntax errors say what
/// and where, in plain words.
@Suite("Strict configuration")
struct StrictConfigTests {
    static let valid = """
        hub:
          endpoint: tcp://*:5570
          key_file: hub.key
          journal: j.sqlite
        types: [demo.Note, {name: reg.Registration, message: swhub.v1.Registration}]
        parties:
          - id: enterprise
            public_key: "\(TestKeys.a)"
          - id: customs
            public_key: "\(TestKeys.b)"
            subscribes: [demo.Note]
            hide: {reg.Registration: [contact.telephone]}
            roles: [customs]
        flows:
          query_timeout_ms: 1000
        """

    static func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try HubConfig.parse(yaml: yaml, baseDirectory: "/etc/swhub", file: "/etc/swhub/hub.yaml") { _ in "" }
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("not a ConfigError: \(error)")
            return nil
        }
    }

    /// `valid` with `old` replaced by `new` (which must occur).
    static func edited(_ old: String, _ new: String) -> String {
        precondition(valid.contains(old), old)
        return valid.replacingOccurrences(of: old, with: new)
    }

    @Test func theValidConfigIsAccepted() throws {
        let config = try HubConfig.parse(yaml: Self.valid, baseDirectory: "/etc/swhub") { _ in "" }
        #expect(config.party("customs")?.subscribes == ["demo.Note"])
    }

    /// A misspelt `hide` would share what it meant to hide: refused, naming the key and place.
    @Test func misspeltHideIsRefusedWithItsPlaceAndTheKeyMeant() throws {
        let error = try #require(Self.error(Self.edited("    hide:", "    hidden:")))
        #expect(error.code == .syntax)
        #expect(error.reason.contains("/etc/swhub/hub.yaml"), "\(error)")
        #expect(error.reason.contains("parties[1].hidden (line 12, column 5): unknown key; did you mean 'hide'?"), "\(error)")
    }

    struct Misspelt: CustomTestStringConvertible, Sendable {
        var old: String
        var new: String
        var reported: String
        var testDescription: String { reported }
    }

    @Test(arguments: [
        Misspelt(
            old: "  query_timeout_ms:", new: "  query_timout_ms:",
            reported: "flows.query_timout_ms (line 15, column 3): unknown key; did you mean 'query_timeout_ms'?"),
        Misspelt(
            old: "    subscribes:", new: "    subscribe:",
            reported: "parties[1].subscribe (line 11, column 5): unknown key; did you mean 'subscribes'?"),
        Misspelt(
            old: "  journal: j.sqlite", new: "  journal: j.sqlite\n  max_body_byte: 10",
            reported: "hub.max_body_byte (line 5, column 3): unknown key; did you mean 'max_body_bytes'?"),
        Misspelt(old: "flows:", new: "audits: {}\nflows:", reported: "audits (line 14, column 1): unknown key"),
        Misspelt(
            old: "    public_key: \"\(TestKeys.a)\"", new: "    public_key: \"\(TestKeys.a)\"\n    audits: {parties: [customs]}",
            reported: "parties[0].audits (line 9, column 5): unknown key; did you mean 'audit'?"),
    ])
    func everySectionRefusesUnknownKeys(_ misspelt: Misspelt) throws {
        let error = try #require(Self.error(Self.edited(misspelt.old, misspelt.new)))
        #expect(error.code == .syntax)
        #expect(error.reason.contains(misspelt.reported), "\(error)")
    }

    @Test func tapAndMonitorKeysAreCheckedToo() throws {
        let tap = try #require(Self.error(Self.valid + "\ntap:\n  endpoint: tcp://*:5571\n  key_file: tap.key\n  queu: 10\n"))
        #expect(tap.reason.contains("tap.queu (line 19, column 3): unknown key; did you mean 'queue'?"), "\(tap)")
        let monitor = try #require(Self.error(Self.valid + "\nmonitor:\n  listen: 127.0.0.1:9000\n  tokenfile: t\n"))
        #expect(monitor.reason.contains("monitor.tokenfile (line 18, column 3): unknown key; did you mean 'token_file'?"), "\(monitor)")
    }

    @Test func everyUnknownKeyIsListedInFileOrder() throws {
        let yaml = Self.edited("    subscribes:", "    subscribe:").replacingOccurrences(
            of: "  journal: j.sqlite", with: "  journal: j.sqlite\n  colour: blue")
        let error = try #require(Self.error(yaml))
        let hub = try #require(error.reason.range(of: "hub.colour"))
        let party = try #require(error.reason.range(of: "parties[1].subscribe"))
        #expect(hub.lowerBound < party.lowerBound, "\(error)")
        #expect(!error.reason.contains("did you mean 'colour'"))
    }

    @Test func aWrongTypeSaysWhatWasExpectedAndWhere() throws {
        let error = try #require(Self.error(Self.edited("  journal: j.sqlite", "  journal: j.sqlite\n  max_body_bytes: lots")))
        #expect(error.code == .syntax)
        #expect(error.reason.contains("hub.max_body_bytes: expected an integer, found 'lots' (line 5, column 19)"), "\(error)")
        #expect(!error.reason.contains("Scalar") && !error.reason.contains("DecodingError"), "\(error)")
        let list = try #require(Self.error(Self.edited("subscribes: [demo.Note]", "subscribes: demo.Note")))
        #expect(list.reason.contains("parties[1].subscribes: expected a list, found 'demo.Note' (line 11, column 17)"), "\(list)")
        let range = try #require(Self.error(Self.edited("  query_timeout_ms: 1000", "  query_timeout_ms: 99999999999999999999")))
        #expect(range.reason.contains("flows.query_timeout_ms: expected an integer"), "\(range)")
    }

    @Test func aMissingKeySaysWhichAndWhere() throws {
        let error = try #require(Self.error(Self.edited("  journal: j.sqlite\n", "")))
        #expect(error.reason.contains("hub.journal: missing: this key is required unless store.kind is postgres"), "\(error)")
        let endpoint = try #require(Self.error(Self.edited("  endpoint: tcp://*:5570\n", "")))
        #expect(endpoint.reason.contains("hub.endpoint: missing: this key is required (line 2, column 3)"), "\(endpoint)")
    }

    @Test func aYAMLSyntaxErrorHasItsLineAndColumn() throws {
        let error = try #require(Self.error(Self.edited("subscribes: [demo.Note]", "subscribes: [demo.Note")))
        #expect(error.code == .syntax)
        #expect(error.reason.contains("YAML syntax error at line"), "\(error)")
        #expect(error.reason.contains("column"), "\(error)")
        let duplicate = try #require(Self.error(Self.edited("  key_file: hub.key", "  key_file: hub.key\n  key_file: other.key")))
        #expect(duplicate.reason.contains("'key_file' appear twice"), "\(duplicate)")
    }

    @Test func nearestKeyOnlyForLikelyTypos() {
        #expect(KeyNames.nearest("hidden", in: ["hide", "id", "roles"]) == "hide")
        #expect(KeyNames.nearest("tokenfile", in: ["listen", "token_file"]) == "token_file")
        #expect(KeyNames.nearest("colour", in: ["endpoint", "journal", "key_file"]) == nil)
    }
}
