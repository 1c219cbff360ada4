import Foundation
import HubClient
import HubProtocol
import Testing

/// Field-level visibility: each party receives typed bodies without the fields the policy
/// hides from it, checked on the bytes it receives, live and from the journal.
@Suite("Field-level redaction on delivery")
struct RedactionTests {
    static let buyerId = "110101199001011234"

    static func startHub() async throws -> TestHub {
        let hub = try TestHub(
            parties: [
                .init(id: "platform"),
                .init(id: "customs", subscribes: ["ceb.Order"]),
                .init(id: "bank", subscribes: ["ceb.Order"], hide: "{ceb.Order: [buyer_id_number, buyer_id_type]}"),
                .init(id: "forex", subscribes: ["ceb.Order"], hide: "{ceb.Order: [buyer_id_number, order_list.gmodel]}"),
            ],
            types: ["demo.Note", "{name: ceb.Order, message: swhub.v1.Order}"])
        try await hub.start()
        return hub
    }

    static func order(_ number: String) throws -> [UInt8] {
        var item = BizOrderItem()
        item.gnum = 1
        item.itemName = "green tea"
        item.gmodel = "250 g tin"
        item.qty = "2"
        var order = BizOrder()
        order.orderNo = number
        order.ebpCode = "3301960001"
        order.buyerIDType = "1"
        order.buyerIDNumber = buyerId
        order.buyerName = "Zhang San"
        order.orderList = [item]
        return try order.serializedBytes()
    }

    @Test func eachPartySeesOnlyItsFieldsLiveAndFromTheJournal() async throws {
        let hub = try await Self.startHub()
        let customs = try hub.client("customs", receive: true)
        let bank = try hub.client("bank", receive: true)
        let platform = try hub.client("platform")
        defer {
            customs.close()
            bank.close()
            platform.close()
        }
        let customsInbox = DeliveryInbox(customs)
        let bankInbox = DeliveryInbox(bank)
        try await customs.connect()
        try await bank.connect()

        let body = try Self.order("order2018050711340001")
        let receipt = try await platform.submit(type: "ceb.Order", body: body, id: "o-1")
        #expect(receipt.recipients == 3)

        // customs: the body byte for byte
        let toCustoms = try await customsInbox.wait(for: 1, within: .seconds(10))
        #expect(toCustoms.first?.body == body)
        // bank: no buyer id, checked on the raw bytes; everything else intact
        let toBank = try #require(try await bankInbox.wait(for: 1, within: .seconds(10)).first)
        #expect(!toBank.body.contains(Array(Self.buyerId.utf8)))
        let bankOrder = try BizOrder(serializedBytes: toBank.body)
        #expect(bankOrder.orderNo == "order2018050711340001")
        #expect(bankOrder.buyerIDNumber.isEmpty && bankOrder.buyerIDType.isEmpty)
        #expect(bankOrder.buyerName == "Zhang San")
        #expect(bankOrder.orderList.first?.gmodel == "250 g tin")

        // forex was offline: it is served from the journal, redacted by its own profile.
        let forex = try hub.client("forex", receive: true)
        defer { forex.close() }
        let forexInbox = DeliveryInbox(forex)
        try await forex.connect()
        let toForex = try #require(try await forexInbox.wait(for: 1, within: .seconds(10)).first)
        #expect(toForex.seq == receipt.seq)
        #expect(!toForex.body.contains(Array(Self.buyerId.utf8)))
        let forexOrder = try BizOrder(serializedBytes: toForex.body)
        #expect(forexOrder.buyerIDType == "1")  // hidden from the bank, not from forex
        #expect(forexOrder.orderList.first?.gmodel.isEmpty == true)
        #expect(forexOrder.orderList.first?.itemName == "green tea")
    }

    @Test func aMalformedTypedBodyIsRefusedAndNothingIsJournaled() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        defer { platform.close() }
        do {
            _ = try await platform.submit(type: "ceb.Order", body: [0x0A, 0x7F, 0x01], id: "bad-1")
            Issue.record("a malformed order must be refused")
        } catch let error as HubClientError {
            #expect(error.hubCode == .malformedBody)
        }
        // Opaque types stay opaque: the same bytes are fine as a demo.Note.
        let receipt = try await platform.submit(type: "demo.Note", body: [0x0A, 0x7F, 0x01], id: "opaque-1")
        #expect(receipt.seq == 1)
    }
}

extension Array where Element == UInt8 {
    fileprivate func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
