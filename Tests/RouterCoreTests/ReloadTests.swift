import HubCore
import HubProtocol
import HubTestSupport
import Testing

/// A reload between two turns: sessions of a removed party or a revoked key get
/// `430 KEY_REVOKED` and are closed, later frame sets on their connections too; the other
/// sessions go on, their next delivery under the new policy.
@Suite("RouterCore: reloading the configuration")
struct ReloadTests {
    /// TestConfig's parties with customs holding `customsKeys` and bank left out when `withoutBank`.
    static func config(customsKeys: [String], withoutBank: Bool = false, postAuditsBank: Bool = false) throws -> HubConfig {
        let keys = TestConfig.keys
        let customs = customsKeys.map { "\"\($0)\"" }.joined(separator: ", ")
        let yaml = """
            hub:
              endpoint: tcp://127.0.0.1:5570
              key_file: hub.key
              journal: j.sqlite
              max_body_bytes: 1024
              heartbeat_ms: 500
            types: [demo.Note, demo.Query]
            parties:
              - id: enterprise
                public_key: "\(keys[0])"
            \(withoutBank ? "" : "  - id: bank\n    public_key: \"\(keys[1])\"\n    subscribes: [demo.Note]")
              - id: customs
                public_key: [\(customs)]
                subscribes: [demo.Note]
              - id: post
                public_key: "\(keys[3])"
            \(postAuditsBank ? "    audit: {parties: [bank]}" : "")
            """
        return try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
    }

    static let nextCustomsKey = "L]&Eg+{$6W?OOPOdZ@P7o8qUkeH)6d0&j!cK]39q"

    @Test func aRevokedKeysSessionIsClosedAndTheOtherKeysIsNot() throws {
        let start = try Self.config(customsKeys: [TestConfig.keys[2], Self.nextCustomsKey])
        let hub = try RouterHarness(config: start)
        hub.acceptKeys(of: start)
        let old = hub.connect("customs")
        old.key = TestConfig.keys[2]
        let new = hub.connect("customs")
        new.key = Self.nextCustomsKey
        let bank = hub.connect("bank")
        bank.key = TestConfig.keys[1]
        hub.hello(old)
        hub.hello(bank)
        let sender = hub.connect("enterprise")
        sender.key = TestConfig.keys[0]
        hub.submit(sender, id: "n-1")
        #expect(old.deliveries.map(\.header.id) == ["n-1"])

        let effect = try hub.reload(try Self.config(customsKeys: [Self.nextCustomsKey]))
        #expect(effect.closedForKey == 1 && effect.closedForAudit == 0 && effect.kept == 1)
        #expect(old.errors.map(\.code) == [HubErrorCode.keyRevoked.rawValue])
        #expect(old.errors.first?.id == "")
        // Whatever the old key's connection sends now is refused, a SUBMIT's with its id.
        hub.submit(old, id: "from-old")
        #expect(old.errors.last?.code == HubErrorCode.keyRevoked.rawValue)
        #expect(old.errors.last?.id == "from-old")
        // The new key's connection and bank are served as before, without a new HELLO.
        // The new key's receiving session resumes after customs' acknowledged position (n-1
        // was never acknowledged, so it comes again).
        hub.hello(new)
        hub.submit(sender, id: "n-2")
        #expect(new.deliveries.map(\.header.id) == ["n-1", "n-2"])
        #expect(bank.deliveries.map(\.header.id) == ["n-1", "n-2"])
        #expect(bank.errors.isEmpty && new.errors.isEmpty)
    }

    @Test func aRemovedPartysSessionIsClosedEvenWithoutAKnownKey() throws {
        let start = try Self.config(customsKeys: [TestConfig.keys[2]])
        let hub = try RouterHarness(config: start)
        hub.acceptKeys(of: start)
        let bank = hub.connect("bank")
        hub.hello(bank)
        let customs = hub.connect("customs")
        hub.hello(customs)
        let effect = try hub.reload(try Self.config(customsKeys: [TestConfig.keys[2]], withoutBank: true))
        #expect(effect.closedForKey == 1 && effect.kept == 1)
        #expect(bank.errors.map(\.code) == [HubErrorCode.keyRevoked.rawValue])
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "after")
        #expect(sender.accepted.first?.recipients == 1)
        #expect(bank.deliveries.isEmpty)
    }

    @Test func aReplayWhoseAuditRightWasRemovedEnds() throws {
        let hub = try RouterHarness(config: try Self.config(customsKeys: [TestConfig.keys[2]], postAuditsBank: true))
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "a-1", to: ["bank"])
        let auditor = hub.connect("post")
        var request = WireReplay()
        request.party = "bank"
        request.follow = true
        hub.replay(auditor, request)
        #expect(auditor.deliveries.map(\.header.id) == ["a-1"])
        let effect = try hub.reload(try Self.config(customsKeys: [TestConfig.keys[2]]))
        #expect(effect.closedForAudit == 1 && effect.closedForKey == 0)
        #expect(auditor.errors.map(\.code) == [HubErrorCode.notEntitled.rawValue])
        hub.submit(sender, id: "a-2", to: ["bank"])
        #expect(auditor.deliveries.map(\.header.id) == ["a-1"], "the ended replay gets nothing more")
    }
}
