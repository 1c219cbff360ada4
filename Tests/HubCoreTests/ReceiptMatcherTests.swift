import HubCore
import HubProtocol
import Testing

/// The one rule by which a customs receipt joins its declaration (used by the flows and by
/// `swhub trace`): a forward of the declaration, else the keys of the document its message
/// type names (the inventory's: its (ebp_code, order_no), else its cop_no).
@Suite("Receipt matcher")
struct ReceiptMatcherTests {
    static func inventory(ebp: String, order: String, cop: String = "") -> BizInventory {
        var inventory = BizInventory()
        inventory.ebpCode = ebp
        inventory.orderNo = order
        inventory.copNo = cop
        return inventory
    }

    static func receipt(ebp: String = "", order: String = "", cop: String = "", messageType: String = "CEB622Message") -> BizReceipt {
        var receipt = BizReceipt()
        receipt.messageType = messageType
        receipt.ebpCode = ebp
        receipt.orderNo = order
        receipt.copNo = cop
        return receipt
    }

    static let forwardA = HubMessageId.forward(filer: "platform", inventoryId: "inv-a", document: .inventory).description

    static func matcher() -> ReceiptMatcher<String> {
        var matcher = ReceiptMatcher<String>()
        matcher.register("A", inventory: inventory(ebp: "E1", order: "O1", cop: "C1"))
        matcher.register("A", forwardId: forwardA)
        matcher.register("B", inventory: inventory(ebp: "E2", order: "O2", cop: "C2"))
        return matcher
    }

    @Test func theForwardItAnswersComesFirst() {
        #expect(Self.matcher().match(Self.receipt(ebp: "E2", order: "O2"), correlationId: Self.forwardA) == "A")
    }

    @Test func withoutCorrelationByOrderThenByCopNo() {
        let matcher = Self.matcher()
        #expect(matcher.match(Self.receipt(ebp: "E2", order: "O2"), correlationId: "") == "B")
        #expect(matcher.match(Self.receipt(cop: "C1"), correlationId: "") == "A")
        #expect(matcher.match(Self.receipt(ebp: "E2", order: "O2", cop: "C1"), correlationId: "") == "B", "the order's keys before cop_no")
        #expect(matcher.match(Self.receipt(ebp: "E9", order: "O9"), correlationId: "") == nil)
        #expect(
            matcher.match(Self.receipt(ebp: "E1", order: "O1"), correlationId: "some-other-id") == "A",
            "an unknown correlation falls back to the keys")
    }

    @Test func aReceiptForAnotherDocumentJoinsByThatDocumentAndASummaryJoinsNone() {
        var matcher = Self.matcher()
        let orderForward = HubMessageId.forward(filer: "platform", inventoryId: "inv-a", document: .order).description
        let untyped = Self.receipt(ebp: "E2", order: "O2", messageType: "")
        #expect(matcher.matchDocument(untyped, correlationId: orderForward).map { "\($0.subject) \($0.document)" } == "A order")
        let orderReceipt = Self.receipt(ebp: "E2", order: "O2", messageType: "CEB312Message")
        #expect(matcher.matchDocument(orderReceipt, correlationId: "").map { "\($0.subject) \($0.document)" } == "B order")
        #expect(
            matcher.matchDocument(Self.receipt(cop: "C1", messageType: "CEB312Message"), correlationId: "") == nil,
            "an order's receipt does not join by the inventory's cop_no")
        var payment = Self.receipt(messageType: "CEB412Message")
        payment.payCode = "PAY"
        payment.payTransactionID = "T1"
        #expect(matcher.match(payment, correlationId: "") == nil)
        var order = BizOrder()
        order.ebpCode = "E3"
        order.orderNo = "O3"
        var paid = BizPayment()
        paid.payCode = "PAY"
        paid.payTransactionID = "T1"
        var waybill = BizWaybill()
        waybill.logisticsCode = "LC"
        waybill.logisticsNo = "L1"
        let declaration = DeclarationLinker.Declaration(
            order: .init(id: "o", sender: "p", document: order), payment: .init(id: "p", sender: "b", document: paid),
            waybill: .init(id: "w", sender: "l", document: waybill),
            inventory: .init(id: "i", sender: "p", document: Self.inventory(ebp: "E3", order: "O3")))
        matcher.register("C", declaration: declaration)
        #expect(matcher.matchDocument(payment, correlationId: "").map { "\($0.subject) \($0.document)" } == "C payment")
        var carried = Self.receipt(messageType: "CEB512Message")
        carried.logisticsCode = "LC"
        carried.logisticsNo = "L1"
        #expect(matcher.matchDocument(carried, correlationId: "").map { "\($0.subject) \($0.document)" } == "C waybill")
        #expect(
            matcher.match(Self.receipt(ebp: "E1", order: "O1", messageType: "CEB626Message"), correlationId: "") == nil,
            "another message type answers none of the four documents")
        let summary = Self.receipt(ebp: "E1", order: "O1", cop: HubMessageId.summary(number: 1).description, messageType: "CEB702Message")
        #expect(ReceiptMatcher<String>.isSummaryReceipt(summary))
        #expect(matcher.match(summary, correlationId: "") == nil)
    }

    @Test func aLaterDeclarationWithTheSameKeysTakesThemOver() {
        var matcher = Self.matcher()
        matcher.register("A2", inventory: Self.inventory(ebp: "E1", order: "O1"))
        #expect(matcher.match(Self.receipt(ebp: "E1", order: "O1"), correlationId: "") == "A2")
        #expect(matcher.match(Self.receipt(cop: "C1"), correlationId: "") == "A", "an empty cop_no registers nothing")
        #expect(matcher.match(Self.receipt(), correlationId: Self.forwardA) == "A")
    }
}
