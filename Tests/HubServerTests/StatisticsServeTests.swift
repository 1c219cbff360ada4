import FlowSamples
import Foundation
import HubClient
import HubProtocol
import Testing

/// `swhub stats --trade`, `swhub stats --reconcile` and `swhub report` over the journal a
/// real `swhub serve` wrote through its flows — in SQLite, and in PostgreSQL in
/// Scripts/test.sh's third pass (the other statistics suites write SQLite journals
/// directly): declarations released, refused by customs and refused by the hub's
/// 三单对碰 are counted as they ended, the released ones reconcile with their payments, and
/// the month's report says the same.
@Suite("Statistics and reports on a hub's own journal", .serialized, .timeLimit(.minutes(3)))
struct StatisticsServeTests {
    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try programOutput(TestHub.executable, arguments)
        #expect(result.status == 0, "\(arguments): \(result.output.prefix(300))")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return try #require(object, "\(result.output.prefix(300))")
    }

    /// The month (UTC) of the journal's times, as `--period` takes it.
    static func month(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }

    @Test func filingsThroughTheFlowsAreCountedReconciledAndReported() async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        let period = Self.month(Date())
        for n in 1...3 { try await world.file(n) }
        try await world.file(4, mismatch: .consignee)
        let refusedByRules = try await world.waitFeedback("platform", subject: "inventory-4") { $0.final }
        #expect(refusedByRules.state == .refused)

        let forwards = try await world.wait("customs", "ceb.Inventory", count: 3) { $0.header.sender == "hub" }
        for forward in forwards.prefix(2) {
            for status: Int32 in [120, 800] { try await world.receipt(for: forward, status: status) }
        }
        try await world.receipt(for: forwards[2], status: 100, info: "CUSTOMS_100 test refusal")
        _ = try await world.wait("tax", "flow.ReleaseNotice", count: 2)
        let refusedByCustoms = try await world.waitFeedback("platform", subject: forwards[2].header.correlationID) { $0.final }
        #expect(refusedByCustoms.state == .refused)

        // The trade statistics: four declared, two released, two refused, all 9610.
        let trade = try Self.json(["stats", "--config", world.hub.configPath, "--json", "--trade", "--by", "mode"])
        let rows = trade["rows"] as? [[String: Any]] ?? []
        #expect(rows.count == 1 && rows.first?["key"] as? String == "9610", "\(rows)")
        let outcomes = (rows.first?["outcomes"] as? [String: [String: Any]] ?? [:]).mapValues { $0["count"] as? Int ?? -1 }
        #expect(outcomes["declared"] == 4 && outcomes["released"] == 2 && outcomes["refused"] == 2, "\(outcomes)")
        #expect(outcomes["cancelled"] == 0 && outcomes["returned"] == 0, "\(outcomes)")

        // The reconciliation: the released trade was paid as declared; the refused ones'
        // payments are within the grace days.
        let reconcile = try Self.json(["stats", "--config", world.hub.configPath, "--json", "--reconcile"])
        let discrepancies = reconcile["discrepancies"] as? [[String: Any]] ?? []
        #expect(discrepancies.isEmpty, "\(discrepancies.prefix(3))")
        let enterprises = reconcile["enterprises"] as? [[String: Any]] ?? []
        let released = enterprises.compactMap { ($0["released"] as? [String: Any])?["count"] as? Int }.reduce(0, +)
        #expect(released == 2, "\(enterprises)")

        // The month's report, as JSON and as CSV, says the same.
        let report = try Self.json(["report", "--config", world.hub.configPath, "--period", period, "--format", "json"])
        let summary = ReportCommandTests.rows(report, "summary").mapValues { $0["declarations"] as? Int ?? -1 }
        #expect(summary["declared"] == 4 && summary["released"] == 2 && summary["refused"] == 2, "\(summary)")
        let csvPath = world.hub.directory.appendingPathComponent("month.csv").path
        let csv = try programOutput(
            TestHub.executable, ["report", "--config", world.hub.configPath, "--period", period, "--format", "csv", "--output", csvPath])
        #expect(csv.status == 0, "\(csv.output)")
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).components(separatedBy: "\r\n")
        #expect(lines.contains("summary,declared,declarations,4") && lines.contains("summary,released,declarations,2"))
        for personal in [SampleFilings.declaration(1).order.buyerIDNumber, SampleFilings.declaration(1).order.consignee] {
            #expect(!lines.contains { $0.contains(personal) }, "no personal data in the report")
        }
    }
}
