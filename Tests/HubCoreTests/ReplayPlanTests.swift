import HubCore
import HubProtocol
import Testing

@Suite("ReplayPlan.make")
struct ReplayPlanTests {
    /// customs audits bank; viewer audits everyone without bodies.
    static let config: HubConfig = {
        let yaml = """
            hub:
              endpoint: tcp://127.0.0.1:5570
              key_file: hub.key
              journal: j.sqlite
              default_credit: 500
            types: [demo.Note, demo.Query]
            parties:
              - id: enterprise
                public_key: "\(TestKeys.a)"
              - id: customs
                public_key: "\(TestKeys.b)"
                audit: {parties: [bank]}
              - id: bank
                public_key: "\(TestKeys.c)"
              - id: viewer
                public_key: "\(TestKeys.d)"
                audit: {parties: ["*"], bodies: false}
            """
        return try! HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" }
    }()

    static func make(_ observer: String, _ build: (inout WireReplay) -> Void) -> Result<ReplayPlan, HubFailure> {
        var request = WireReplay()
        build(&request)
        let policy = try! RedactionPolicy(config: config, schema: HubConfig.schema())
        return ReplayPlan.make(
            request, observer: observer, routing: RoutingTable(config: config),
            observers: ObserverPolicy(config: config, redaction: policy),
            defaultCredit: config.settings.defaultCredit)
    }

    static func code(_ result: Result<ReplayPlan, HubFailure>) -> HubErrorCode? {
        if case .failure(let failure) = result { return failure.code }
        return nil
    }

    @Test func ownStreamByDefault() throws {
        let plan = try Self.make("enterprise") {
            $0.fromSeq = 7
            $0.types = ["demo.Note"]
            $0.follow = true
        }.get()
        #expect(plan.party == "enterprise")
        #expect(plan.observer == "enterprise")
        #expect(plan.start == .seq(7))
        #expect(plan.follow)
        #expect(plan.credit == 500)
        #expect(plan.wants(type: "demo.Note") && !plan.wants(type: "demo.Query"))
        let everything = try Self.make("enterprise") { _ in }.get()
        #expect(everything.start == .seq(1))
        #expect(everything.wants(type: "demo.Query"))
    }

    @Test func timeStartAndCredit() throws {
        let plan = try Self.make("bank") {
            $0.sinceUs = 1_700_000_000_000_000
            $0.credit = 20
        }.get()
        #expect(plan.start == .time(1_700_000_000_000_000))
        #expect(plan.credit == 20)
        #expect(try Self.make("bank") { $0.credit = 10_000 }.get().credit == 500)
    }

    @Test func auditorsOnlyForWhomTheyAudit() throws {
        #expect(try Self.make("customs") { $0.party = "bank" }.get().party == "bank")
        #expect(try Self.make("viewer") { $0.party = "enterprise" }.get().party == "enterprise")
        #expect(Self.code(Self.make("customs") { $0.party = "enterprise" }) == .notEntitled)
        #expect(Self.code(Self.make("bank") { $0.party = "customs" }) == .notEntitled)
    }

    @Test func refusals() {
        #expect(Self.code(Self.make("bank") { $0.party = "nobody" }) == .unknownRecipient)
        #expect(Self.code(Self.make("bank") { $0.types = ["demo.Note", "nope"] }) == .unknownType)
        #expect(
            Self.code(
                Self.make("bank") {
                    $0.fromSeq = 1
                    $0.sinceUs = 1
                }) == .badReplay)
        #expect(Self.code(Self.make("bank") { $0.sinceUs = -1 }) == .badReplay)
        #expect(Self.code(Self.make("bank") { $0.fromSeq = UInt64.max }) == .badReplay)
    }
}
