import HubConfigKit
import HubCore
import HubProtocol
import Testing

@Suite("Field-level visibility in the config")
struct RedactionPolicyTests {
    static func config(types: String, bankHide: String) throws -> HubConfig {
        try HubConfigTests.parse(
            HubConfigTests.yaml(
                types: types,
                parties: """
                    - id: enterprise
                      public_key: "\(TestKeys.a)"
                    - id: bank
                      public_key: "\(TestKeys.b)"
                      subscribes: [ceb.Order]
                      hide: \(bankHide)
                    """))
    }

    static let typed = "[demo.Note, {name: ceb.Order, message: swhub.v1.Order}]"

    @Test func typedTypesAndHiddenFieldsParse() throws {
        let config = try Self.config(types: Self.typed, bankHide: "{ceb.Order: [buyer_id_number, order_list.gmodel]}")
        #expect(config.types == ["demo.Note", "ceb.Order"])
        #expect(config.typeMessages == ["ceb.Order": "swhub.v1.Order"])
        #expect(config.party("bank")?.hidden == ["ceb.Order": ["buyer_id_number", "order_list.gmodel"]])
        #expect(config.party("enterprise")?.hidden == [:])
    }

    @Test func unknownMessageStopsStartUp() {
        #expect(throws: ConfigError(.unknownReference, "type 'ceb.Order': message 'swhub.v1.Nope' is not in Schemas/*.proto")) {
            try Self.config(types: "[{name: ceb.Order, message: swhub.v1.Nope}]", bankHide: "{}")
        }
    }

    @Test(arguments: [
        ("{ceb.Order: [buyer_id_numbr]}", ConfigError.Code.unknownReference, "no field 'buyer_id_numbr'"),
        ("{ceb.Order: [order_no.x]}", .invalidValue, "is not a message"),
        ("{ceb.Waybill: [consignee]}", .unknownReference, "undeclared type 'ceb.Waybill'"),
        ("{demo.Note: [anything]}", .invalidValue, "opaque"),
    ])
    func badHiddenFieldsStopStartUp(hide: String, code: ConfigError.Code, words: String) {
        do {
            _ = try Self.config(types: Self.typed, bankHide: hide)
            Issue.record("\(hide) must be refused")
        } catch let error as ConfigError {
            #expect(error.code == code)
            #expect(error.reason.contains(words), "\(error.reason)")
            #expect(error.reason.contains("bank"), "the reason names the party: \(error.reason)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func policyRedactsPerPartyAndValidatesTypedBodies() throws {
        let config = try Self.config(types: Self.typed, bankHide: "{ceb.Order: [buyer_id_number]}")
        let policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        #expect(policy.redactor(for: "enterprise", type: "ceb.Order") == nil)
        #expect(policy.redactor(for: "bank", type: "demo.Note") == nil)
        let redactor = try #require(policy.redactor(for: "bank", type: "ceb.Order"))
        var order = BizOrder()
        order.orderNo = "o-1"
        order.buyerIDNumber = "110101199001011234"
        let redacted = try BizOrder(serializedBytes: try redactor.redact(try order.serializedBytes()))
        #expect(redacted.orderNo == "o-1" && redacted.buyerIDNumber.isEmpty)

        let garbage: [UInt8] = [0x0A, 0x7F, 0x01]
        let failure = garbage.withUnsafeBytes { policy.validate(type: "ceb.Order", body: $0) }
        #expect(failure?.code == .malformedBody)
        #expect(garbage.withUnsafeBytes { policy.validate(type: "demo.Note", body: $0) } == nil)
        let good: [UInt8] = try order.serializedBytes()
        #expect(good.withUnsafeBytes { policy.validate(type: "ceb.Order", body: $0) } == nil)

        // Field 536870911 is the journal's, for sealed personal fields: refused in a typed body.
        let reserved = good + [0xFA, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x41]
        let refusal = reserved.withUnsafeBytes { policy.validate(type: "ceb.Order", body: $0) }
        #expect(refusal?.code == .malformedBody)
        #expect(refusal?.reason.contains("field 536870911 at byte \(good.count)") == true)
        #expect(reserved.withUnsafeBytes { policy.validate(type: "demo.Note", body: $0) } == nil)
    }

    /// A typed body is checked all the way down, as a standard protobuf parser reads it: a
    /// nested message that is not one, a string that is not UTF-8, a known field with the
    /// wrong wire type are refused 412 naming the field and byte; unknown fields pass.
    @Test func typedBodiesAreCheckedAllTheWayDown() throws {
        let config = try Self.config(types: Self.typed, bankHide: "{ceb.Order: [order_list.gmodel]}")
        let schema = try HubConfig.schema()
        let policy = try RedactionPolicy(config: config, schema: schema)
        let fields = try #require(schema.fields(of: "swhub.v1.Order"))
        let listNumber = try #require(fields["order_list"]?.number)
        let number = try #require(fields["order_no"]?.number)
        /// A field's key as a varint.
        func key(_ field: Int32, _ wireType: UInt64) -> [UInt8] {
            var bytes: [UInt8] = []
            Varint.append(UInt64(field) << 3 | wireType, to: &bytes)
            return bytes
        }
        var order = BizOrder()
        order.orderNo = "o-1"
        var item = BizOrderItem()
        item.gmodel = "型号 A"
        order.orderList = [item]
        let good: [UInt8] = try order.serializedBytes()
        #expect(good.withUnsafeBytes { policy.validate(type: "ceb.Order", body: $0) } == nil)
        // Field 1000 (unknown to the schema), a varint: a newer schema's field passes.
        let newer = good + [0xC0, 0x3E, 0x05]
        #expect(newer.withUnsafeBytes { policy.validate(type: "ceb.Order", body: $0) } == nil)

        let cases: [(body: [UInt8], words: String)] = [
            // An order_list item whose bytes are not a message (a varint cut short inside it).
            (good + key(listNumber, 2) + [0x03, 0x08, 0xFF, 0xFF], "truncated varint"),
            // order_no holding bytes that are not UTF-8.
            (
                good + key(number, 2) + [0x02, 0xC3, 0x28],
                "field order_no (\(number)) of swhub.v1.Order at byte \(good.count) is not valid UTF-8"
            ),
            // order_no as a varint.
            (good + key(number, 0) + [0x01], "has wire type 0"),
            // An item's gmodel that is not UTF-8, one level down.
            (good + key(listNumber, 2) + [0x04, 0x22, 0x02, 0xED, 0xA0], "of swhub.v1.OrderItem"),
        ]
        for (body, words) in cases {
            let failure = body.withUnsafeBytes { policy.validate(type: "ceb.Order", body: $0) }
            #expect(failure?.code == .malformedBody, "\(body)")
            #expect(failure?.reason.contains(words) == true, "\(failure?.reason ?? "accepted"), expected '\(words)'")
            #expect(body.withUnsafeBytes { policy.validate(type: "demo.Note", body: $0) } == nil, "opaque types are not read")
        }
    }
}

@Suite("Party roles in the config")
struct PartyRoleConfigTests {
    static func config(roles: String) throws -> HubConfig {
        try HubConfigTests.parse(
            HubConfigTests.yaml(
                parties: """
                    - id: customs
                      public_key: "\(TestKeys.a)"
                      roles: [customs]
                    - id: alipay
                      public_key: "\(TestKeys.b)"
                      roles: \(roles)
                    """))
    }

    @Test func rolesParseAndFindTheirParties() throws {
        let config = try Self.config(roles: "[payment_company, bank, bank]")
        #expect(config.party("alipay")?.roles == [.paymentCompany, .bank])
        #expect(config.parties(withRole: .customs).map(\.id) == ["customs"])
        #expect(config.parties(withRole: .bank).map(\.id) == ["alipay"])
        #expect(config.parties(withRole: .tax).isEmpty)
        #expect(PartyRole.customs.isDepartment && !PartyRole.platform.isDepartment)
    }

    @Test func anUnknownRoleStopsStartUp() {
        do {
            _ = try Self.config(roles: "[payment]")
            Issue.record("an unknown role must be refused")
        } catch let error as ConfigError {
            #expect(error.code == .invalidValue)
            #expect(error.reason.contains("alipay") && error.reason.contains("'payment'") && error.reason.contains("payment_company"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
