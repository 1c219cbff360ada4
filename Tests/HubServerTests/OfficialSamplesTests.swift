import FlowSamples
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Testing

/// The customs standard's official export samples (Specs/customs-ceb/samples-2018-export),
/// exactly as published, filed by an enterprise with `swhub submit --ceb`: order (303),
/// proceeds (403), waybill (505) and inventory (603) match, the simulated customs answers
/// with receipts up to release, and the summary declaration ends with its entryId shared.
@Suite("Official CEB samples through the flows", .serialized)
struct OfficialSamplesTests {
    static let code = "1105910159"

    @Test func theOfficialExportSamplesMatchGetReleasedAndSummarizedWithTheirEntryId() async throws {
        let hub = try TestHub(
            parties: [
                .init(id: "customs", roles: ["customs"]), .init(id: "tax", roles: ["tax"]),
                .init(id: "enterprise", roles: ["platform", "ecommerce_enterprise", "payment_company", "logistics_company"]),
            ],
            types: ["demo.Note"], flows: ["summary_schedule: none"])
        try await hub.start()
        let customs = try hub.startSwhub(
            [
                "adapter", "customs", "--simulate", "--config", try hub.writeClientConfig("customs"), "--refusal-rate", "0",
                "--inspection-rate", "0",
            ],
            logName: "customs.log")
        defer { customs.terminate() }
        let enterprise = try hub.client("enterprise", receive: true)
        let tax = try hub.client("tax", receive: true)
        defer {
            enterprise.close()
            tax.close()
        }
        let feedback = DeliveryInbox(enterprise)
        let taxInbox = DeliveryInbox(tax)
        try await enterprise.connect()
        try await tax.connect()

        let registration = SampleFilings.registration(
            copNo: "R-1", socialCreditCode: "91110000SAMPLES01X", customsCode: Self.code, name: "样例企业",
            roles: [.platform, .ecommerceEnterprise], bankCode: "")
        _ = try await enterprise.submit(type: "reg.Registration", body: try registration.serializedBytes(), id: "reg-1")
        try await waitUntil(.seconds(20), "customs did not accept the registration") {
            feedback.all.compactMap { try? BizFeedback(serializedBytes: $0.body) }
                .contains { $0.departments.contains { $0.department == "customs" && $0.decision == .accepted } }
        }

        let config = try hub.writeClientConfig("enterprise")
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Specs/customs-ceb/samples-2018-export")
        for name in ["CEB303Message.xml", "CEB403Message.xml", "CEB505Message.xml", "CEB603Message.xml"] {
            let submit = try hub.startSwhub(
                ["submit", "--config", config, "--ceb", samples.appendingPathComponent(name).path], logName: "\(name).log")
            #expect(try await InteropTests.wait(for: submit, within: .seconds(30)))
            let output = hub.log(named: "\(name).log")
            #expect(submit.terminationStatus == 0, "\(output)")
            #expect(output.components(separatedBy: "accepted ").count - 1 == 10, "each sample holds 10 business nodes: \(output)")
        }
        // Each sample repeats one document ten times with the same keys and appType 1: the
        // first order, payment and waybill are filed, their nine copies refused as duplicates.
        // (The repeated inventories are refused while the first one's declaration is in
        // progress; once customs closed it, the next copy starts a declaration of its own.)
        let refusals = {
            feedback.all.compactMap { try? BizFeedback(serializedBytes: $0.body) }
                .filter { $0.subjectType != "ceb.Inventory" && $0.reasons.first?.hasPrefix("DUPLICATE_DOCUMENT") == true }
        }
        try await waitUntil(.seconds(20), "the repeated documents were not all refused: \(refusals().count)") {
            refusals().count == 3 * 9
        }
        // Matched and released: the simulated customs sends 120, 800 and 899.
        let released = try await Self.waitFeedback(feedback) { $0.subjectType == "ceb.Inventory" && $0.final && !$0.documents.isEmpty }
        #expect(released.state == .accepted && released.reasons.isEmpty, "\(released.state) \(released.reasons)")
        #expect(released.subjectKey == "order2018050711340001")

        // The parcel (the CEB505 sample's waybill) leaves the country: a summary candidate.
        let departure = SampleFilings.departure(copNo: "DEP-1", logisticsCode: Self.code, logisticsNos: ["L2018050700001"])
        _ = try await enterprise.submit(type: "ceb.Departure", body: try departure.serializedBytes(), id: "dep-1")
        let departed = try await Self.waitFeedback(feedback) { $0.subjectType == "ceb.Departure" && $0.final }
        #expect(departed.state == .accepted && departed.reasons.isEmpty, "\(departed.state) \(departed.reasons)")

        // Summarised on request; customs' result carries the entryId, shared with tax.
        var request = BizSummaryRequest()
        request.ebcCode = Self.code
        _ = try await enterprise.submit(type: "flow.SummaryRequest", body: try request.serializedBytes(), id: "sum-1")
        try await waitUntil(.seconds(20), "tax got no summary result") { taxInbox.all.contains { $0.header.type == "ceb.SummaryResult" } }
        let result = try BizSummaryResult(serializedBytes: try #require(taxInbox.all.first { $0.header.type == "ceb.SummaryResult" }).body)
        #expect(result.entryID.count == 18, "\(result)")
        #expect(result.summaryResultList.map(\.invtNo) == [released.departments.first?.code ?? "?"])
        #expect(result.ebcCode == Self.code)
    }

    static func waitFeedback(_ inbox: DeliveryInbox, _ condition: @escaping @Sendable (BizFeedback) -> Bool) async throws -> BizFeedback {
        try await waitUntil(
            .seconds(30),
            "no such feedback: \(inbox.all.compactMap { try? BizFeedback(serializedBytes: $0.body) }.map { "\($0.subjectType) \($0.state) \($0.reasons)" })"
        ) {
            inbox.all.compactMap { try? BizFeedback(serializedBytes: $0.body) }.contains(where: condition)
        }
        return inbox.all.compactMap { try? BizFeedback(serializedBytes: $0.body) }.last(where: condition)!
    }
}
