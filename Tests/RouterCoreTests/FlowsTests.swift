import FlowSamples
import HubCore
import HubProtocol
import HubTestSupport
import Testing

/// The flows driven by the core as the hub drives them (`HubServerTests/FlowTests` end to
/// end): registration once, shared with each entitled department under the hub's name,
/// unified feedback, filings admitted only once customs registered the enterprise, and the
/// flows rebuilt from the journal after a restart without emitting anything twice.
@Suite("RouterCore: the flows in-process")
struct FlowsTests {
    static let platformCode = "91330100MA27XXXX1A"
    static let departments = ["customs", "tax", "forex", "post", "bank-boc"]
    static let parties: [(id: String, extra: String)] = [
        ("customs", "roles: [customs]"), ("tax", "roles: [tax]"), ("forex", "roles: [forex]"),
        ("post", "roles: [post, logistics_company]"),
        ("bank-boc", "roles: [bank, payment_company]\n    bank_codes: [BKCHCNBJ]\n    hide: {reg.Registration: [contact.telephone]}"),
        ("bank-icbc", "roles: [bank]\n    bank_codes: [ICBKCNBJ]"), ("platform", "roles: [platform, ecommerce_enterprise]"),
    ]

    static func config() throws -> HubConfig {
        var yaml =
            "hub:\n  endpoint: tcp://127.0.0.1:5570\n  key_file: hub.key\n  journal: j.sqlite\nflows: {}\ntypes: [demo.Note]\nparties:\n"
        for (index, party) in parties.enumerated() {
            // Distinct 40-character keys of the Z85 alphabet (the parser checks alphabet and length).
            let key = String(repeating: "0", count: 39) + String("abcdefghij".map { $0 }[index])
            yaml += "  - id: \(party.id)\n    public_key: \"\(key)\"\n    \(party.extra)\n"
        }
        return try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
    }

    static func feedbacks(_ peer: HarnessPeer) throws -> [BizFeedback] {
        try peer.deliveries.filter { $0.header.type == "flow.Feedback" }.map { try BizFeedback(serializedBytes: $0.body) }
    }

    @Test func registrationIsSharedOnceAndFilingsWaitForCustoms() throws {
        let store = InMemoryJournalStore()
        let hub = try RouterHarness(config: Self.config(), store: store)
        var peers: [String: HarnessPeer] = [:]
        for party in Self.parties.map(\.id) {
            peers[party] = hub.connect(party)
            hub.hello(peers[party]!)
        }
        let platform = try #require(peers["platform"])
        let order: [UInt8] = try SampleFilings.declaration(1).order.serializedBytes()
        hub.submit(platform, id: "early", type: "ceb.Order", body: order)
        #expect(platform.errors.last?.code == HubErrorCode.notRegistered.rawValue)

        let registration = SampleFilings.registration(
            copNo: "R-1", socialCreditCode: Self.platformCode, customsCode: "", name: "杭州平台", roles: [.platform, .ecommerceEnterprise],
            bankCode: "BKCHCNBJ")
        hub.submit(platform, id: "reg-1", type: "reg.Registration", body: try registration.serializedBytes() as [UInt8])
        for department in Self.departments {
            let shares = try #require(peers[department]).deliveries.filter { $0.header.type == "reg.Registration" }
            #expect(shares.count == 1, "\(department)")
            #expect(shares.first?.header.sender == "hub")
            #expect(shares.first?.header.id == "share:platform:reg-1")
            #expect(shares.first?.header.correlationID == "reg-1")
        }
        #expect(try #require(peers["bank-icbc"]).deliveries.isEmpty, "only the bank of the registration's account")
        let toBank = try BizRegistration(serializedBytes: try #require(peers["bank-boc"]?.deliveries.first).body)
        #expect(toBank.contact.telephone.isEmpty, "the bank does not see the contact's telephone")
        #expect(try Self.feedbacks(platform).first?.state == .pending)

        for department in Self.departments {
            let share = try #require(peers[department]?.deliveries.first)
            var result = BizRegistrationResult()
            result.copNo = registration.copNo
            result.socialCreditCode = registration.socialCreditCode
            result.department = department
            result.decision = department == "forex" ? .refused : .accepted
            result.code = department == "forex" ? "" : "\(department.uppercased())-1"
            result.reason = department == "forex" ? "no foreign-exchange licence" : ""
            var header = WireHeader()
            header.id = "result-\(department)"
            header.type = "reg.Result"
            header.correlationID = share.header.id
            var submit = WireSubmit()
            submit.header = header
            hub.send(try #require(peers[department]), [WireProtocol.frame(.submit(submit)), try result.serializedBytes() as [UInt8]])
        }
        let final = try #require(try Self.feedbacks(platform).last)
        #expect(final.state == .partiallyAccepted)
        #expect(final.reasons == ["forex: no foreign-exchange licence"])
        #expect(try Self.feedbacks(platform).count == 1 + Self.departments.count, "one feedback per change")

        hub.submit(platform, id: "order-1", type: "ceb.Order", body: order)
        #expect(platform.accepted.last?.id == "order-1")

        // A restart on the same journal: the flows are rebuilt, owe nothing, and remember
        // that customs registered the platform.
        let head = try store.headSeq()
        let restarted = try RouterHarness(config: Self.config(), store: store)
        #expect(try store.headSeq() == head, "nothing emitted twice")
        let again = restarted.connect("platform")
        restarted.submit(again, id: "order-2", type: "ceb.Order", body: try SampleFilings.declaration(2).order.serializedBytes() as [UInt8])
        #expect(again.accepted.map(\.id) == ["order-2"])
    }
}
