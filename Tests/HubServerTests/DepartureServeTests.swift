import FlowSamples
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Testing

/// Departure (离境) gating the summary and the declaration's parcel history, through the
/// real `swhub serve` and the `swhub status` / `swhub trace` commands.
@Suite("Departures and parcel history through swhub serve", .serialized)
struct DepartureServeTests {
    @Test func onlyDepartedExportsAreSummarizedAndTheHistoryOutlivesTheRelease() async throws {
        let world = try await FlowWorld(flows: ["summary_schedule: none"])
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        // Two exports (31, 32) and an import (33), each released (the import also closed).
        for n in [31, 32, 33] {
            var docs = SampleFilings.declaration(n)
            if n != 33 { docs.inventory.ieFlag = "E" }
            try await world.submit("platform", "ceb.Order", docs.order, id: "order-\(n)")
            try await world.submit("bank-boc", "ceb.Payment", docs.payment, id: "payment-\(n)")
            try await world.submit("post", "ceb.Waybill", docs.waybill, id: "waybill-\(n)")
            try await world.submit("platform", "ceb.Inventory", docs.inventory, id: "inventory-\(n)")
        }
        let forwards = try await world.wait("customs", "ceb.Inventory", count: 3) { $0.header.sender == "hub" }
        for forward in forwards { try await world.receipt(for: forward, status: 800) }
        try await world.wait("tax", "flow.ReleaseNotice", count: 3)
        let imported = try #require(forwards.first { $0.header.id.contains("inventory-33") })
        try await world.receipt(for: imported, status: 899)
        _ = try await world.waitFeedback("platform", subject: "inventory-33") { $0.final }

        // Only 31 left the country; a parcel nobody declared is reported to the post.
        let waybill31 = SampleFilings.declaration(31).waybill
        let departure = SampleFilings.departure(
            copNo: "DEP-31", logisticsCode: waybill31.logisticsCode, logisticsNos: [waybill31.logisticsNo, "LP-UNKNOWN-1"])
        try await world.submit("post", "ceb.Departure", departure, id: "departure-31")
        let told = try await world.waitFeedback("post", subject: "departure-31") { $0.final }
        #expect(told.state == .accepted && told.reasons.first?.contains("LP-UNKNOWN-1") == true, "\(told.reasons)")
        let departed = try await world.waitFeedback("platform", subject: "inventory-31") { !$0.history.isEmpty }
        #expect(departed.history.map(\.kind) == ["departed"] && departed.history.first?.filer == "post")
        // Customs has the departure too (the standard's documents go to customs).
        try await world.wait("customs", "ceb.Departure")

        var request = BizSummaryRequest()
        request.ebcCode = "3301960001"
        try await world.submit("customs", "flow.SummaryRequest", request, id: "s-1")
        let summaryDelivery = try #require(try await world.wait("customs", "ceb.SummaryDeclaration").first)
        let summary = try BizSummaryDeclaration(serializedBytes: summaryDelivery.body)
        #expect(summary.invtNo == ["29912026I" + String(SampleFilings.declaration(31).order.orderNo.suffix(9))], "\(summary.invtNo)")

        // The import's parcel is delivered after its final feedback: nothing more to its
        // filers, but its history shows it.
        let status = SampleFilings.waybillStatus(
            logisticsCode: SampleFilings.declaration(33).waybill.logisticsCode,
            logisticsNo: SampleFilings.declaration(33).waybill.logisticsNo, status: "S")
        try await world.submit("post", "ceb.WaybillStatus", status, id: "status-33")
        try await world.wait("customs", "ceb.WaybillStatus")
        try await world.barrier("platform")
        #expect(world.feedbacks("platform", subject: "inventory-33").allSatisfy { $0.history.isEmpty })

        let config = world.hub.configPath
        let shown = try await TraceTests.run(world.hub, ["status", "inventory-33", "--config", config], log: "status-33.txt")
        #expect(shown.status == 0 && shown.output.contains("parcel history:"), "\(shown.output)")
        #expect(shown.output.contains("waybill_status") && shown.output.contains("status-33 by post"), "\(shown.output)")
        let json = try await TraceTests.run(world.hub, ["status", "inventory-33", "--json", "--config", config], log: "status-33.json")
        #expect(json.output.contains("\"history\"") && json.output.contains("status-33"), "\(json.output)")
        let trace = try await TraceTests.run(world.hub, ["trace", "inventory-31", "--config", config], log: "trace-31.txt")
        #expect(trace.status == 0 && trace.output.contains("ceb.Departure departure-31"), "\(trace.output)")
        let waiting = try await TraceTests.run(
            world.hub, ["status", "--awaiting-departure", "--config", config], log: "awaiting.txt")
        #expect(waiting.status == 0 && waiting.output.contains("waiting for their departure (离境, CEB509): 1"), "\(waiting.output)")
        #expect(waiting.output.contains("inventory-32 by platform") && !waiting.output.contains("inventory-31"), "\(waiting.output)")
    }
}
