import FlowSamples
import Foundation
import HubClient
import HubProtocol
import Testing

/// A real `swhub serve`: customs' tax bill of a released import reaches the platform that
/// filed the declaration, from the hub, correlated with the inventory.
@Suite("Single-window flows: tax bills to the filer", .serialized, .timeLimit(.minutes(2)))
struct TaxBillServeTests {
    @Test func theFilerGetsCustomsTaxBillOfItsReleasedInventory() async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(1)
        let forward = try #require(try await world.wait("customs", "ceb.Inventory") { $0.header.sender == "hub" }.first)
        for status: Int32 in [120, 800] { try await world.receipt(for: forward, status: status) }
        _ = try await world.wait("tax", "flow.ReleaseNotice")

        let inventory = try BizInventory(serializedBytes: forward.body)
        var bill = BizTaxBill()
        bill.invtNo = "29912026I" + String(inventory.orderNo.suffix(9))  // as FlowWorld.receipt numbers it
        bill.taxNo = "TAX-1"
        bill.valueAddedTax = "68.25"
        bill.status = "1"
        _ = try await world.submit("customs", "ceb.TaxBill", bill, id: "ceb816-1", to: ["tax"])
        let got = try #require(try await world.wait("platform", "ceb.TaxBill").first)
        #expect(got.header.sender == "hub" && got.header.id == "taxbill:customs:ceb816-1")
        #expect(got.header.correlationID == "inventory-1")
        #expect(try BizTaxBill(serializedBytes: got.body) == bill)
        #expect(world.received("bank-boc", "ceb.TaxBill").isEmpty && world.received("post", "ceb.TaxBill").isEmpty)

        // The trace of the declaration shows it, as a share.
        let trace = try world.hub.inspector().trace("inventory-1")
        #expect(trace.messages.contains { $0.id == "taxbill:customs:ceb816-1" && $0.role == .share }, "\(trace.messages.map(\.id))")
    }
}
