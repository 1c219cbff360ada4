import FlowSamples
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// The standard's documents beyond the declaration's (cancellations, returns, arrivals, ...)
/// on a hub with flows: declared with their messages, delivered to customs without a
/// subscription, filed only by registered parties that are not blacklisted, their buyer
/// fields personal data.
@Suite("Customs documents: routing and admission")
struct CustomsDocumentsRoutingTests {
    static func header(_ type: MessageType, recipients: [String] = []) -> WireHeader {
        var header = WireHeader()
        header.id = "m-1"
        header.type = type.rawValue
        header.recipients = recipients
        return header
    }

    @Test func flowsDeclareThemAndRouteThemToCustoms() throws {
        let (config, _) = try FlowEngineTests.setup()
        for type in MessageType.otherCustomsDocuments {
            #expect(config.types.contains(type.rawValue))
            #expect(config.typeMessages[type.rawValue] == type.bodyMessage?.protoMessageName)
        }
        let table = RoutingTable(config: config)
        for type in MessageType.otherCustomsDocuments {
            #expect(try table.route(from: "platform", header: Self.header(type), bodyBytes: 10).get() == ["customs"], "\(type)")
        }
        #expect(
            try table.route(from: "post", header: Self.header(.arrival, recipients: ["tax"]), bodyBytes: 10).get() == ["tax", "customs"])
        #expect(
            try table.route(from: "customs", header: Self.header(.departure), bodyBytes: 10).get() == [], "never back to customs itself")
        #expect(
            try table.route(from: "platform", header: Self.header(.receipt), bodyBytes: 10).get() == [], "receipts: no subscription added")
        #expect(config.personalData.fields["ceb.Cancellation"] == ["buyer_id_number", "buyer_name", "buyer_telephone"])
        #expect(config.personalData.fields["ceb.ReturnRequest"] == ["buyer_id_number", "buyer_name", "buyer_telephone"])
    }

    @Test func aCustomsPartySubscribedAlreadyGetsItOnce() throws {
        let yaml = """
            hub: {endpoint: "tcp://127.0.0.1:1", key_file: hub.key, journal: j.sqlite}
            types: []
            flows: {}
            parties:
              - {id: platform, public_key: "\(TestKeys.a)", roles: [platform]}
              - {id: customs, public_key: "\(TestKeys.b)", roles: [customs], subscribes: [ceb.Cancellation]}
              - {id: customs-2, public_key: "\(TestKeys.c)", roles: [customs]}
            """
        let table = RoutingTable(config: try HubConfig.parse(yaml: yaml, baseDirectory: "/") { _ in "" })
        #expect(try table.route(from: "platform", header: Self.header(.cancellation), bodyBytes: 10).get() == ["customs", "customs-2"])
    }

    @Test func onlyRegisteredPartiesThatAreNotBlacklistedFileThem() throws {
        var engine = try FlowEngineTests.engine()
        var cancellation = BizCancellation()
        cancellation.invtNo = "51412026E000000123"
        cancellation.ebcCode = "3301960002"
        let cancel: [UInt8] = try cancellation.serializedBytes()
        var departure = BizDeparture()
        departure.copNo = "DEP-1"
        let departed: [UInt8] = try departure.serializedBytes()
        #expect(engine.admit(type: "ceb.Cancellation", from: "platform", recipients: [], body: cancel)?.code == .notRegistered)
        #expect(engine.admit(type: "ceb.Departure", from: "post", recipients: [], body: departed)?.code == .notRegistered)
        let journal = try FlowEngineTests.journal()
        for input in journal.prefix(6) { _ = engine.journaled(input) }
        #expect(engine.admit(type: "ceb.Cancellation", from: "platform", recipients: [], body: cancel) == nil)
        #expect(engine.admit(type: "ceb.Departure", from: "post", recipients: [], body: departed) == nil)
        #expect(engine.admit(type: "ceb.ReturnRequest", from: "platform", recipients: [], body: [0x0A, 0x05])?.code == .malformedBody)
        // Tax bills and their status come from customs only.
        #expect(engine.admit(type: "ceb.TaxBill", from: "platform", recipients: [], body: [])?.code == .notEntitled)
        #expect(engine.admit(type: "ceb.TaxStatus", from: "tax", recipients: [], body: [])?.code == .notEntitled)
        #expect(engine.admit(type: "ceb.TaxBill", from: "customs", recipients: [], body: []) == nil)

        // Journaled, a cancellation of an inventory the flows do not hold gets its filer's
        // feedback REFUSED (CancellationReturnTests has its flows).
        let filed = FlowInput(
            seq: 100, sender: "platform", id: "cancel-1", type: "ceb.Cancellation", recipients: ["customs"], correlationId: "",
            journaledAtUs: journal[5].journaledAtUs + 1000, body: cancel)
        let answer = engine.journaled(filed).compactMap { try? BizFeedback(serializedBytes: $0.body) }
        #expect(answer.count == 1 && answer.first?.state == .refused && answer.first?.subjectType == "ceb.Cancellation")

        var notice = BizCreditNotice()
        notice.socialCreditCode = "91110000100000002C"  // the post's
        notice.blacklisted = true
        _ = engine.journaled(
            FlowInput(
                seq: 101, sender: "tax", id: "credit-post", type: "credit.Notice", recipients: [], correlationId: "",
                journaledAtUs: journal[5].journaledAtUs + 2000, body: try notice.serializedBytes()))
        #expect(engine.admit(type: "ceb.Departure", from: "post", recipients: [], body: departed)?.code == .blacklisted)
        #expect(engine.admit(type: "ceb.Cancellation", from: "platform", recipients: [], body: cancel) == nil)
    }
}
