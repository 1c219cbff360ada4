import Foundation
import HubCore
import HubReports
import Testing

/// The report's outputs from a hand-made report: JSON's fields and kinds, CSV's quoting
/// (CSV.swift's writer), HTML's escaping, and gnuplot's charts inlined as SVG.
@Suite("Report outputs")
struct ReportOutputTests {
    /// A report whose sections hold awkward text: a comma, a quote, markup.
    static func report() -> StatisticsReport {
        var report = StatisticsReport(TradeStatistics(), period: .month("2026-11"), enterprise: "1101E00001", rates: { _ in nil })
        report.sections = [
            ReportSection(
                id: "awkward", title: "Awkward <keys>", note: "a \"quoted\" note",
                columns: [.init("key", "key", .text), .init("n", "n", .count), .init("cny", "CNY", .money)],
                rows: [
                    [.text("a,b"), .count(3), .money(Decimal(string: "1.005")!)],
                    [.text("say \"hi\""), .count(0), .blank],
                    [.text("<script>alert(1)</script>"), .count(12), .money(7)],
                ],
                charts: [.init(.bars, "n by key", series: ["n"]), .init(.horizontalBars, "CNY by key", series: ["cny"])])
        ]
        return report
    }

    @Test func jsonHasStableFieldsAndKinds() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: ReportJSON.data(Self.report())) as? [String: Any])
        #expect(object["format"] as? String == "swhub-statistics-report/1")
        #expect(object["period"] as? String == "2026-11" && object["enterprise"] as? String == "1101E00001")
        let section = try #require((object["sections"] as? [[String: Any]])?.first)
        #expect(section["id"] as? String == "awkward")
        let columns = section["columns"] as? [[String: String]]
        #expect(columns?.map { $0["kind"] ?? "" } == ["text", "count", "money"])
        let rows = try #require(section["rows"] as? [[String: Any]])
        #expect(rows[0]["key"] as? String == "a,b" && rows[0]["n"] as? Int == 3 && rows[0]["cny"] as? String == "1.01")
        #expect(rows[1]["cny"] is NSNull)
    }

    @Test func csvIsOneLinePerCellQuotedWhereNeeded() throws {
        let text = String(decoding: try ReportCSV.data(Self.report()), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(
            lines == [
                "section,key,column,value",
                "awkward,\"a,b\",n,3", "awkward,\"a,b\",cny,1.01",
                "awkward,\"say \"\"hi\"\"\",n,0", "awkward,\"say \"\"hi\"\"\",cny,",
                "awkward,<script>alert(1)</script>,n,12", "awkward,<script>alert(1)</script>,cny,7.00",
                "",
            ], "\(lines)")
    }

    @Test func htmlEscapesTextAndInlinesCharts() throws {
        let html = try ReportOutput.scratch { folder in try ReportOutput.html(Self.report(), in: folder) }
        #expect(!html.contains("<script>alert(1)</script>") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Awkward &lt;keys&gt;"))
        #expect(html.contains(#"<section id="awkward" class="report-section">"#))
        let charts = html.components(separatedBy: #"<figure class="chart""#).count - 1
        #expect(charts == 2 && html.contains("<svg") && !html.contains("<?xml"))
        #expect(html.contains("enterprise <b>1101E00001</b>"))
    }

    @Test func anEmptySectionSaysSoAndDrawsNothing() throws {
        var report = Self.report()
        report.sections[0].rows = []
        let html = try ReportOutput.scratch { folder in try ReportOutput.html(report, in: folder) }
        #expect(html.contains("No data in this period.") && !html.contains("<svg"))
    }
}
