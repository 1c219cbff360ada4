import FlowSamples
import Foundation
import HubThreads
import Testing

/// The real `swhub report` on a journal holding a generated month of filings: the PDF opened
/// as a person would (pdftoppm pages, non-blank; pdftotext's text holding the sections and
/// figures the test adds up itself from the filings), the CSV and JSON holding the same
/// totals, one enterprise's report, no personal data, and a missing program named with its
/// Debian package.
@Suite("swhub report", .serialized, .timeLimit(.minutes(6)))
struct ReportCommandTests {
    static let novemberUs = TradeStatsCommandTests.novemberUs
    static let month = SampleTradeMonth(count: 300, startUs: novemberUs, seed: 1211)
    static let sectionTitles = [
        "Outcomes", "Values by declared currency", "Over time", "By trade mode", "By country or region", "Top HS chapters",
        "Refusal reasons", "Discrepancies", "Risk hits",
    ]

    static func tool(_ name: String) throws -> URL {
        let url = URL(fileURLWithPath: "/usr/bin/\(name)")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestHubError("\(url.path) is missing: install Debian's poppler-utils (Scripts/test.sh does)")
        }
        return url
    }

    /// A hub config with CNY rates and a journal holding the month.
    static func hubWithMonth() throws -> TestHub? {
        let hub = try TestHub(parties: [.init(id: "ebc1")])
        guard (try? SuitePostgres.storeLines()) == nil else { return nil }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: hub.configPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("statistics: {cny_rates: {\"502\": 7.1, \"300\": 7.7}}\n".utf8))
        try handle.close()
        try TradeStatsCommandTests.write(month.records[...], to: hub.journalPath)
        return hub
    }

    /// What the report must say, added up from the filings.
    struct Expected {
        var counts = ["declared": 0, "released": 0, "refused": 0]
        var declaredCNY: Decimal = 0
        var reasons: [String: Int] = [:]

        init(enterprise: String? = nil) {
            let rates: [String: Decimal] = ["142": 1, "502": Decimal(string: "7.1")!, "300": Decimal(string: "7.7")!]
            for filing in ReportCommandTests.month.filings where enterprise == nil || filing.inventory.ebcCode == enterprise {
                if TradeStatsCommandTests.inNovember(filing.filedAtUs) {
                    counts["declared", default: 0] += 1
                    for item in filing.inventory.inventoryList {
                        let currency = item.currency.isEmpty ? filing.inventory.currency : item.currency
                        if let rate = rates[currency] {
                            declaredCNY += Decimal(string: item.totalPrice, locale: Locale(identifier: "en_US_POSIX"))! * rate
                        }
                    }
                }
                guard TradeStatsCommandTests.inNovember(filing.endedAtUs) else { continue }
                if filing.fate == .released { counts["released", default: 0] += 1 }
                if filing.fate == .refused {
                    counts["refused", default: 0] += 1
                    for code in filing.refusalCodes { reasons[code, default: 0] += 1 }
                }
            }
        }

        var declaredCNYText: String {
            var value = declaredCNY
            var rounded = Decimal()
            NSDecimalRound(&rounded, &value, 2, .plain)
            let formatter = NumberFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.minimumFractionDigits = 2
            formatter.maximumFractionDigits = 2
            formatter.usesGroupingSeparator = false
            return formatter.string(from: rounded as NSDecimalNumber)!
        }
    }

    /// A section of the JSON report: rows by their first column.
    static func rows(_ object: [String: Any], _ id: String) -> [String: [String: Any]] {
        let sections = object["sections"] as? [[String: Any]] ?? []
        guard let section = sections.first(where: { $0["id"] as? String == id }),
            let key = (section["columns"] as? [[String: Any]])?.first?["id"] as? String
        else { return [:] }
        var rows: [String: [String: Any]] = [:]
        for row in section["rows"] as? [[String: Any]] ?? [] { rows[row[key] as? String ?? "?"] = row }
        return rows
    }

    /// Pixels of a binary PPM (pdftoppm's default output) darker than near-white.
    static func inkedPixels(_ file: URL) throws -> (width: Int, height: Int, inked: Int) {
        let data = try Data(contentsOf: file)
        var fields: [String] = []
        var index = 0
        while fields.count < 4, index < data.count {
            while index < data.count, data[index] == 0x20 || data[index] == 0x0A { index += 1 }
            let start = index
            while index < data.count, data[index] != 0x20, data[index] != 0x0A { index += 1 }
            fields.append(String(decoding: data[start..<index], as: UTF8.self))
        }
        index += 1
        guard fields.count == 4, fields[0] == "P6", let width = Int(fields[1]), let height = Int(fields[2]) else {
            throw TestHubError("\(file.lastPathComponent) is not a binary PPM: \(fields)")
        }
        var inked = 0
        var offset = index
        while offset + 2 < data.count {
            if Int(data[offset]) + Int(data[offset + 1]) + Int(data[offset + 2]) < 600 { inked += 1 }
            offset += 3
        }
        return (width, height, inked)
    }

    @Test func theMonthAsPDFCSVAndJSON() throws {
        guard let hub = try Self.hubWithMonth() else { return }
        let folder = hub.directory
        let expected = Expected()
        #expect(expected.reasons.count == 6, "\(expected.reasons)")
        let report = ["report", "--config", hub.configPath, "--period", "2026-11"]

        // JSON.
        let json = try programOutput(TestHub.executable, report + ["--format", "json"])
        #expect(json.status == 0, "\(json.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "swhub-statistics-report/1" && object["period"] as? String == "2026-11")
        let summary = Self.rows(object, "summary")
        for (outcome, count) in expected.counts { #expect(summary[outcome]?["declarations"] as? Int == count, "\(outcome)") }
        #expect(summary["declared"]?["cny"] as? String == expected.declaredCNYText)
        let days = Self.rows(object, "by_day")
        #expect(days.count == 30 && days.values.reduce(0) { $0 + ($1["declared"] as? Int ?? 0) } == expected.counts["declared"])
        #expect(Self.rows(object, "refusal_reasons").mapValues { $0["refusals"] as? Int ?? -1 } == expected.reasons)
        #expect(Self.rows(object, "currencies")["116"]?["declared_cny"] is NSNull, "JPY has no rate: no CNY value")

        // CSV, to a file: one line per cell, the same totals.
        let csvPath = folder.appendingPathComponent("november.csv").path
        let csv = try programOutput(TestHub.executable, report + ["--format", "csv", "--output", csvPath])
        #expect(csv.status == 0 && csv.output.contains(csvPath), "\(csv.errors)")
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).components(separatedBy: "\r\n")
        #expect(lines.first == "section,key,column,value")
        for (outcome, count) in expected.counts { #expect(lines.contains("summary,\(outcome),declarations,\(count)"), "\(outcome)") }
        #expect(lines.contains("summary,declared,cny,\(expected.declaredCNYText)"))
        let declaredByDay = lines.filter { $0.hasPrefix("by_day,") && $0.contains(",declared,") }
        #expect(declaredByDay.count == 30)
        #expect(declaredByDay.reduce(0) { $0 + (Int($1.split(separator: ",").last ?? "") ?? 0) } == expected.counts["declared"])
        for (code, count) in expected.reasons { #expect(lines.contains("refusal_reasons,\(code),refusals,\(count)"), "\(code)") }

        // PDF: pages that are not blank, and its text.
        let pdf = folder.appendingPathComponent("november.pdf")
        let printed = try programOutput(TestHub.executable, report + ["--format", "pdf", "--output", pdf.path])
        #expect(printed.status == 0, "\(printed.errors)")
        #expect(printed.output.contains(pdf.path))
        let pages = folder.appendingPathComponent("page")
        let rendered = try programOutput(try Self.tool("pdftoppm"), ["-r", "40", pdf.path, pages.path])
        #expect(rendered.status == 0, "\(rendered.errors)")
        let images = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix("page") && $0.hasSuffix(".ppm")
        }
        #expect(images.count >= 2, "pages: \(images)")
        for image in images {
            let pixels = try Self.inkedPixels(folder.appendingPathComponent(image))
            #expect(pixels.width > 200 && pixels.height > 200 && pixels.inked > pixels.width * pixels.height / 200, "\(image) is blank")
        }
        let text = try programOutput(try Self.tool("pdftotext"), ["-layout", pdf.path, "-"])
        #expect(text.status == 0)
        let lowered = text.output.lowercased()
        for title in Self.sectionTitles { #expect(lowered.contains(title.lowercased()), "\(title) missing from the PDF") }
        #expect(text.output.contains(expected.declaredCNYText), "the declared value in CNY")
        #expect(text.output.contains("2026-11-30") && text.output.contains("PAYMENT_AMOUNT") && text.output.contains("CUSTOMS_700"))
        for personal in ["张三", "李四", "13800000000"] { #expect(!text.output.contains(personal)) }
    }

    @Test func oneEnterpriseAndBadInput() throws {
        guard let hub = try Self.hubWithMonth() else { return }
        let enterprise = "1101E00003"
        let expected = Expected(enterprise: enterprise)
        let json = try programOutput(
            TestHub.executable,
            ["report", "--config", hub.configPath, "--period", "2026-11", "--enterprise", enterprise, "--format", "json"])
        #expect(json.status == 0, "\(json.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["enterprise"] as? String == enterprise)
        let summary = Self.rows(object, "summary")
        for (outcome, count) in expected.counts { #expect(summary[outcome]?["declarations"] as? Int == count, "\(outcome)") }
        #expect(Self.rows(object, "refusal_reasons").mapValues { $0["refusals"] as? Int ?? -1 } == expected.reasons)

        // A quarter holds the month's days and December's first.
        let quarter = try programOutput(
            TestHub.executable, ["report", "--config", hub.configPath, "--period", "2026-Q4", "--format", "json"])
        let quarterObject = try JSONSerialization.jsonObject(with: Data(quarter.output.utf8)) as? [String: Any] ?? [:]
        #expect(quarter.status == 0 && Self.rows(quarterObject, "by_day").count == 92)

        for period in ["2026-13", "November", "2026-Q5"] {
            let bad = try programOutput(TestHub.executable, ["report", "--config", hub.configPath, "--period", period, "--format", "json"])
            #expect(bad.status == 64 && bad.errors.contains("--period"), "\(period): \(bad.errors)")
        }
    }

    @Test func aMissingProgramIsNamedWithItsPackage() throws {
        guard let hub = try Self.hubWithMonth() else { return }
        let report = ["report", "--config", hub.configPath, "--period", "2026-11"]
        // No gnuplot, no chromium on PATH.
        let empty = hub.directory.appendingPathComponent("empty-bin")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try programOutput(
            TestHub.executable, report + ["--output", hub.directory.appendingPathComponent("x.pdf").path], environment: ["PATH": empty.path]
        )
        #expect(none.status == 78, "\(none.errors)")
        #expect(none.errors.contains("REPORT_TOOL_MISSING") && none.errors.contains("gnuplot-nox"), "\(none.errors)")
        #expect(!FileManager.default.fileExists(atPath: hub.directory.appendingPathComponent("x.pdf").path))
        // gnuplot there, chromium not.
        try FileManager.default.createSymbolicLink(
            atPath: empty.appendingPathComponent("gnuplot").path, withDestinationPath: "/usr/bin/gnuplot")
        let noBrowser = try programOutput(
            TestHub.executable, report + ["--format", "pdf", "--output", "-"], environment: ["PATH": empty.path])
        #expect(noBrowser.status == 78 && noBrowser.errors.contains("apt-get install chromium"), "\(noBrowser.errors)")
        // CSV and JSON need neither.
        let csv = try programOutput(TestHub.executable, report + ["--format", "csv"], environment: ["PATH": empty.path])
        #expect(csv.status == 0 && csv.output.hasPrefix("section,key,column,value"), "\(csv.errors)")
    }
}
