import HubConfigKit
import HubCore
import HubProtocol
import Testing

/// `audit:`, `tap:` and `monitor:` in the config, and what `ObserverPolicy` makes of them:
/// who may replay or tap whose stream, and which fields of the bodies they see.
@Suite("Observers: audit, tap and monitor config, ObserverPolicy")
struct ObserverPolicyTests {
    static let parties = """
        - id: enterprise
          public_key: "\(TestKeys.a)"
        - id: bank
          public_key: "\(TestKeys.b)"
          subscribes: [ceb.Order]
          hide: {ceb.Order: [buyer_id_number]}
        - id: auditor
          public_key: "\(TestKeys.c)"
          audit: {parties: [bank]}
          hide: {ceb.Order: [buyer_telephone]}
        - id: watcher
          public_key: "\(TestKeys.d)"
          audit: {parties: ["*"], bodies: false}
        """

    static func config(extra: String = "", parties: String = parties) throws -> HubConfig {
        try HubConfigTests.parse(
            HubConfigTests.yaml(types: "[demo.Note, {name: ceb.Order, message: swhub.v1.Order}]", parties: parties) + extra)
    }

    static func policy() throws -> ObserverPolicy {
        let config = try config()
        return ObserverPolicy(config: config, redaction: try RedactionPolicy(config: config, schema: HubConfig.schema()))
    }

    @Test func auditEntriesParse() throws {
        let config = try Self.config()
        #expect(config.party("auditor")?.audits == ["bank"])
        #expect(config.party("auditor")?.auditBodies == true, "bodies default to true")
        #expect(config.party("watcher")?.audits == ["*"])
        #expect(config.party("watcher")?.auditBodies == false)
        #expect(config.party("enterprise")?.audits == [])
        #expect(config.tap == nil && config.monitor == nil, "no tap and no monitor unless configured")
    }

    @Test func auditOfAnUnknownPartyStopsStartUp() {
        #expect(throws: ConfigError(.unknownReference, "party 'auditor' audits unknown party 'nobody'")) {
            try Self.config(parties: Self.parties.replacingOccurrences(of: "parties: [bank]", with: "parties: [nobody]"))
        }
    }

    @Test func tapAndMonitorParse() throws {
        let config = try Self.config(
            extra:
                "tap:\n  endpoint: tcp://127.0.0.1:5571\n  key_file: keys/tap.key_secret\n  queue: 500\nmonitor:\n  listen: 0.0.0.0:8480\n  token_file: keys/monitor.token\n"
        )
        #expect(config.tap == HubConfig.Tap(endpoint: "tcp://127.0.0.1:5571", keyFile: "/etc/swhub/keys/tap.key_secret", queue: 500))
        #expect(config.monitor == HubConfig.Monitor(host: "0.0.0.0", port: 8480, tokenFile: "/etc/swhub/keys/monitor.token"))
        // Without a token only on loopback addresses.
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "[::1]"] {
            #expect(try Self.config(extra: "monitor:\n  listen: \"\(host):8480\"\n").monitor?.tokenFile == nil)
        }
        let defaults = try Self.config(extra: "tap:\n  endpoint: tcp://*:5571\n  key_file: /k/tap.key_secret\n")
        #expect(defaults.tap?.queue == 10_000)
    }

    @Test(arguments: [
        ("tap:\n  endpoint: 127.0.0.1:5571\n  key_file: t\n", "tap.endpoint '127.0.0.1:5571' is not a ZeroMQ endpoint (tcp://host:port)"),
        ("tap:\n  endpoint: tcp://*:1\n  key_file: t\n  queue: 0\n", "tap.queue = 0 is outside 1...10000000"),
        ("monitor:\n  listen: 8480\n", "monitor.listen '8480' is not HOST:PORT"),
        ("monitor:\n  listen: localhost:99999\n", "monitor.listen 'localhost:99999' is not HOST:PORT"),
        ("monitor:\n  listen: :8480\n", "monitor.listen ':8480' is not HOST:PORT"),
        (
            "monitor:\n  listen: 0.0.0.0:8480\n",
            "monitor.listen '0.0.0.0:8480' is reachable from other machines: set monitor.token_file (a file holding the bearer token)"
        ),
        (
            "monitor:\n  listen: 127.example.com:8480\n",
            "monitor.listen '127.example.com:8480' is reachable from other machines: set monitor.token_file (a file holding the bearer token)"
        ),
        (
            "monitor:\n  listen: \"[::]:8480\"\n",
            "monitor.listen '[::]:8480' is reachable from other machines: set monitor.token_file (a file holding the bearer token)"
        ),
    ])
    func badTapOrMonitorStopsStartUp(extra: String, reason: String) {
        #expect(throws: ConfigError(.invalidValue, reason)) { try Self.config(extra: extra) }
    }

    @Test func whoMayReplayWhom() throws {
        let policy = try Self.policy()
        #expect(policy.mayReplay("enterprise", stream: "enterprise"), "everyone replays its own stream")
        #expect(!policy.mayReplay("enterprise", stream: "bank"))
        #expect(policy.mayReplay("auditor", stream: "bank"))
        #expect(!policy.mayReplay("auditor", stream: "enterprise"), "an auditor only of the parties it names")
        #expect(policy.mayReplay("watcher", stream: "enterprise") && policy.mayReplay("watcher", stream: "auditor"), "* is everyone")
        #expect(policy.isAuditor("watcher") && !policy.isAuditor("bank"))
        #expect(!policy.audits("auditor", "auditor"), "its own stream is not auditing")
    }

    @Test func whoSeesWhichTapCopy() throws {
        let policy = try Self.policy()
        #expect(policy.seesOnTap("bank", sender: "enterprise", recipient: "bank"))
        #expect(!policy.seesOnTap("enterprise", sender: "enterprise", recipient: "bank"), "a sender does not learn its recipients")
        #expect(policy.seesOnTap("auditor", sender: "enterprise", recipient: "bank"), "audits the recipient")
        #expect(policy.seesOnTap("auditor", sender: "bank", recipient: "enterprise"), "audits the sender")
        #expect(!policy.seesOnTap("auditor", sender: "enterprise", recipient: "watcher"))
    }

    @Test func bodiesLoseTheStreamsAndTheObserversHiddenFields() throws {
        let policy = try Self.policy()
        var order = BizOrder()
        order.orderNo = "o-1"
        order.buyerIDNumber = "110101199001011234"
        order.buyerTelephone = "13800000000"
        let bytes: [UInt8] = try order.serializedBytes()
        func seen(_ view: ObserverPolicy.BodyView) throws -> [UInt8] { try bytes.withUnsafeBytes { try view.apply(to: $0) } }

        #expect(try seen(policy.view(observer: "enterprise", stream: "enterprise", type: "ceb.Order")) == bytes)
        let bankOwn = try BizOrder(serializedBytes: try seen(policy.view(observer: "bank", stream: "bank", type: "ceb.Order")))
        #expect(bankOwn.buyerIDNumber.isEmpty && bankOwn.buyerTelephone == "13800000000", "the bank's own hide")
        let audited = try BizOrder(serializedBytes: try seen(policy.view(observer: "auditor", stream: "bank", type: "ceb.Order")))
        #expect(audited.orderNo == "o-1")
        #expect(audited.buyerIDNumber.isEmpty, "hidden from the audited bank")
        #expect(audited.buyerTelephone.isEmpty, "hidden from the auditor itself")
        #expect(try seen(policy.view(observer: "watcher", stream: "bank", type: "ceb.Order")).isEmpty, "bodies: false")
        #expect(try seen(policy.view(observer: "watcher", stream: "watcher", type: "demo.Note")) == bytes, "its own stream whole")
    }
}
