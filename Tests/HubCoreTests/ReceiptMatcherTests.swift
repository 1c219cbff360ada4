import HubCore
import HubProtocol
import Testing

/// The one rule by which a customs receipt joins its declaration (used by the flows and by
/// `swhub trace`): the inventory's forward, else its (ebp_code, order_no), else its cop_no.
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

    @Test func aReceiptForAnotherDocumentOrASummaryJoinsNoDeclaration() {
        let matcher = Self.matcher()
        let orderForward = HubMessageId.forward(filer: "platform", inventoryId: "inv-a", document: .order).description
        #expect(matcher.match(Self.receipt(ebp: "E1", order: "O1"), correlationId: orderForward) == nil)
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
