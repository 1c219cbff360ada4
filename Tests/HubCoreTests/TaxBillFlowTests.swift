import FlowSamples
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// Customs' tax bills (CEB816) and their status changes (CEB818) reach the released
/// declaration's filers who answer for its taxes, through the flows, once each.
@Suite("Flows: tax bills to the declaration's filers")
struct TaxBillFlowTests {
    typealias World = DeclarationFilingsTests.World

    static func bill(_ invtNo: String) -> BizTaxBill {
        var bill = BizTaxBill()
        bill.invtNo = invtNo
        bill.taxNo = "TAX-\(invtNo)"
        bill.valueAddedTax = "68.25"
        bill.status = "1"
        return bill
    }

    @Test func aTaxBillOfAReleasedInventoryGoesToItsFilers() throws {
        let world = try World()
        let (_, invtNo, _) = try CancellationReturnTests.released(world, 1)
        let out = try world.send("customs", .taxBill, "ceb816-1", Self.bill(invtNo))
        #expect(out.count == 1)
        let share = try #require(out.first)
        #expect(share.id == "taxbill:customs:ceb816-1" && share.type == MessageType.taxBill.rawValue)
        // The platform filed the order and the inventory; the bank and the post (payment,
        // waybill) do not answer for the taxes.
        #expect(share.recipients == ["platform"])
        #expect(share.correlationId == "inv-1", "traced with the declaration")
        #expect(share.body == (try Self.bill(invtNo).serializedBytes()), "passed on as filed")
        #expect(HubMessageId(share.id) == .taxBillShare(customs: "customs", billId: "ceb816-1"))

        // Its status change goes the same way.
        var status = BizTaxStatus()
        status.invtNo = invtNo
        status.taxNo = "TAX-\(invtNo)"
        status.status = "2"
        let changed = try world.send("customs", .taxStatus, "ceb818-1", status)
        #expect(changed.map(\.id) == ["taxbill:customs:ceb818-1"] && changed.first?.type == MessageType.taxStatus.rawValue)
        #expect(changed.first?.recipients == ["platform"])
    }

    @Test func filersTheBillReachedAlreadyUnknownInventoriesAndOtherSendersGetNothing() throws {
        let world = try World()
        let (_, invtNo, _) = try CancellationReturnTests.released(world, 2)
        // Routed to the platform already (a subscriber or an explicit recipient): no copy.
        world.seq += 1
        let routed = world.engine.journaled(
            FlowInput(
                seq: world.seq, sender: "customs", id: "ceb816-2", type: MessageType.taxBill.rawValue, recipients: ["tax", "platform"],
                correlationId: "", journaledAtUs: world.time + 1000, body: try Self.bill(invtNo).serializedBytes()))
        #expect(routed.isEmpty)
        #expect(try world.send("customs", .taxBill, "ceb816-x", Self.bill("INVT-UNKNOWN")).isEmpty, "no such inventory")
        #expect(try world.send("tax", .taxBill, "ceb816-t", Self.bill(invtNo)).isEmpty, "only customs' bills")
        // Not released: accepted by customs only.
        let (_, pending, _) = try CancellationReturnTests.released(world, 3, release: false)
        #expect(try world.send("customs", .taxBill, "ceb816-3", Self.bill(pending)).isEmpty)
    }
}
