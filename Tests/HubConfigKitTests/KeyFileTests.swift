import HubConfigKit
import Testing

@Suite("KeyFile")
struct KeyFileTests {
    @Test func roundTripWithSecret() throws {
        let key = KeyFile(publicKey: TestKeys.clientPublic, secretKey: TestKeys.clientSecret)
        let text = key.render(name: "customs", includingSecret: true)
        #expect(text.contains("SECRET"))
        #expect(text.contains("customs"))
        let parsed = try KeyFile.parse(text, source: "customs.key_secret")
        #expect(parsed == key)
        #expect(parsed.secretKey == TestKeys.clientSecret)
    }

    @Test func roundTripWithoutSecret() throws {
        let key = KeyFile(publicKey: TestKeys.serverPublic, secretKey: nil)
        let parsed = try KeyFile.parse(key.render(name: "hub", includingSecret: false), source: "hub.key")
        #expect(parsed == key)
        #expect(parsed.secretKey == nil)
    }

    /// Rendering a public file from a full key pair keeps only the public key.
    @Test func publicRenderOfAPairNeverContainsTheSecret() throws {
        let pair = KeyFile(publicKey: TestKeys.a, secretKey: TestKeys.b)
        let text = pair.render(name: "tax", includingSecret: false)
        #expect(!text.contains(TestKeys.b))
        #expect(!text.contains("secret_key"))
        let parsed = try KeyFile.parse(text, source: "tax.key")
        #expect(parsed == KeyFile(publicKey: TestKeys.a, secretKey: nil))
    }

    @Test func secretRenderWithoutASecretIsAPublicFile() throws {
        let key = KeyFile(publicKey: TestKeys.a, secretKey: nil)
        let text = key.render(name: "x", includingSecret: true)
        #expect(!text.contains("secret_key"))
        #expect(try KeyFile.parse(text, source: "x") == key)
    }

    /// Every character of the Z85 alphabet, including YAML's special ones (`#`, `&`, `[`,
    /// `{`, `:`, `*`, `!`, `%`, `@`), survives the render → parse round trip.
    @Test func everyZ85CharacterSurvivesRendering() throws {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
        #expect(alphabet.count == 85)
        for start in stride(from: 0, to: 85, by: 17) {
            let publicKey = String((0..<40).map { alphabet[(start + $0) % 85] })
            let secretKey = String((0..<40).map { alphabet[(start + 40 + $0) % 85] })
            let key = KeyFile(publicKey: publicKey, secretKey: secretKey)
            #expect(try KeyFile.parse(key.render(name: "k", includingSecret: true), source: "k") == key)
        }
    }

    @Test func parsesHandWrittenFile() throws {
        let text = """
            # written by hand
            public_key: "\(TestKeys.clientPublic)"
            secret_key: '\(TestKeys.clientSecret)'
            """
        let key = try KeyFile.parse(text, source: "hand.key")
        #expect(key.publicKey == TestKeys.clientPublic)
        #expect(key.secretKey == TestKeys.clientSecret)
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let text: String
    }

    static let badFiles: [BadFile] = [
        BadFile(testDescription: "not YAML", text: "public_key: [unclosed\n  : : {"),
        BadFile(testDescription: "empty", text: ""),
        BadFile(testDescription: "a scalar", text: "just some text"),
        BadFile(testDescription: "a list", text: "- \"\(TestKeys.a)\""),
        BadFile(testDescription: "no public_key", text: "secret_key: \"\(TestKeys.a)\""),
        BadFile(testDescription: "public key too short", text: "public_key: \"\(TestKeys.a.dropLast())\""),
        BadFile(testDescription: "public key too long", text: "public_key: \"\(TestKeys.a)x\""),
        BadFile(testDescription: "public key outside Z85", text: "public_key: \"\(TestKeys.a.dropLast())~\""),
        BadFile(testDescription: "public key with a space", text: "public_key: \"\(TestKeys.a.dropLast()) \""),
        BadFile(
            testDescription: "public key of 40 non-ASCII chars",
            text: "public_key: \"\(String(repeating: "é", count: 40))\""),
        BadFile(
            testDescription: "bad secret key",
            text: "public_key: \"\(TestKeys.a)\"\nsecret_key: \"\(TestKeys.b.prefix(39))_\""),
        BadFile(
            testDescription: "short secret key",
            text: "public_key: \"\(TestKeys.a)\"\nsecret_key: \"abc\""),
    ]

    @Test(arguments: badFiles)
    func rejects(_ file: BadFile) {
        let error = #expect(throws: ConfigError.self) { try KeyFile.parse(file.text, source: "/keys/x.key") }
        #expect(error?.code == .badKey)
        #expect(error?.reason.contains("/keys/x.key") == true, "the error names the file")
    }

    /// A bad secret key is reported without echoing it.
    @Test func errorDoesNotEchoTheSecret() {
        let secret = String(TestKeys.b.prefix(39)) + "_"
        let text = "public_key: \"\(TestKeys.a)\"\nsecret_key: \"\(secret)\""
        let error = #expect(throws: ConfigError.self) { try KeyFile.parse(text, source: "x.key_secret") }
        #expect(error?.description.contains(secret) == false)
    }

    @Test func isZ85Key() {
        #expect(KeyFile.isZ85Key(TestKeys.clientPublic))
        #expect(KeyFile.isZ85Key(TestKeys.e))
        #expect(!KeyFile.isZ85Key(""))
        #expect(!KeyFile.isZ85Key(String(TestKeys.e.dropLast())))
        #expect(!KeyFile.isZ85Key(TestKeys.e + "0"))
        for bad in ["_", "~", ",", ";", "|", "'", "\"", "\\", "`", " ", "\n"] {
            #expect(!KeyFile.isZ85Key(String(TestKeys.e.dropLast()) + bad), "'\(bad)' is not Z85")
        }
    }
}
