import FlowSamples
import Foundation
import Testing

/// The real `swhub report` on a journal holding a month of every party's documents with
/// discrepancies of every kind planted (``SampleReconcileMonth``): its discrepancy summary in
/// JSON, CSV and the PDF's text (pdftotext), counted per kind as the test works them out
/// from the plants, with the documents' ids only as examples.
@Suite("swhub report discrepancies", .serialized, .timeLimit(.minutes(6)))
struct ReportDiscrepancyCommandTests {
    static let month = SampleReconcileMonth(
        count: 300, startUs: TradeStatsCommandTests.novemberUs, seed: 1213, plants: 2, graceDays: 7)

    /// What must be found per kind: the plants, and the payments and parcels of filings never
    /// released that waited out the grace.
    static func expected() -> [String: [String]] {
        let graceUs = Int64(7) * 86_400_000_000
        var expected: [String: [String]] = [:]
        for planted in month.planted { expected[planted.kind.rawValue, default: []].append("\(planted.sender):\(planted.id)") }
        for trade in month.trades where trade.filing.fate != .released {
            if let payment = trade.payment, payment.atUs + graceUs <= month.clockUs {
                expected["PAYMENT_UNRELEASED", default: []].append("\(payment.sender):\(payment.id)")
            }
            if trade.waybill.atUs + graceUs <= month.clockUs {
                expected["WAYBILL_UNRELEASED", default: []].append("\(trade.waybill.sender):\(trade.waybill.id)")
            }
        }
        return expected
    }

    @Test func theSummaryCountsEveryKindInEveryFormat() throws {
        let hub = try TestHub(parties: [.init(id: "ebc1")])
        guard (try? SuitePostgres.storeLines()) == nil else { return }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: hub.configPath))
        try handle.seekToEnd()
        try handle.write(
            contentsOf: Data(
                """
                statistics: {cny_rates: {"502": 7.1, "300": 7.7, "116": 0.05}, reconcile: {tolerance: {absolute: 1.00, relative: 0.001}, grace_days: 7}}

                """.utf8))
        try handle.close()
        try TradeStatsCommandTests.write(Self.month.records[...], to: hub.journalPath)
        let expected = Self.expected()
        #expect(expected.count == 7, "\(expected.keys.sorted())")
        let report = ["report", "--config", hub.configPath, "--period", "2026-Q4"]

        let json = try programOutput(TestHub.executable, report + ["--format", "json"])
        #expect(json.status == 0, "\(json.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let rows = ReportCommandTests.rows(object, "discrepancies")
        #expect(rows.count == 8)
        for (kind, row) in rows {
            let documents = expected[kind] ?? []
            #expect(row["discrepancies"] as? Int == documents.count, "\(kind)")
            let examples = (row["examples"] as? String ?? "").split(separator: " ").map(String.init)
            #expect(examples.count == min(documents.count, 3) && examples.allSatisfy(documents.contains), "\(kind): \(examples)")
        }

        let csv = try programOutput(TestHub.executable, report + ["--format", "csv"])
        #expect(csv.status == 0, "\(csv.errors)")
        let lines = csv.output.components(separatedBy: "\r\n")
        for (kind, documents) in expected { #expect(lines.contains("discrepancies,\(kind),discrepancies,\(documents.count)"), "\(kind)") }

        let pdf = hub.directory.appendingPathComponent("q4.pdf")
        let printed = try programOutput(TestHub.executable, report + ["--format", "pdf", "--output", pdf.path])
        #expect(printed.status == 0, "\(printed.errors)")
        let text = try programOutput(try ReportCommandTests.tool("pdftotext"), ["-layout", pdf.path, "-"])
        #expect(text.status == 0 && text.output.contains("Discrepancies"))
        // Each kind's line: its code and its count.
        let textLines = text.output.components(separatedBy: "\n")
        for (kind, documents) in expected {
            let found = textLines.contains { line in
                line.contains(kind) && line.split(separator: " ").contains(Substring(String(documents.count)))
            }
            #expect(found, "\(kind) with \(documents.count) not in the PDF")
        }
    }
}
