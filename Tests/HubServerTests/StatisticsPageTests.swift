import FlowSamples
import Foundation
import HubTestSupport
import Testing

/// The monitor's statistics view as a person sees it: a real `swhub serve` with a monitor
/// token over a journal holding a generated month, `/statistics` behind the same access
/// control as the other routes, and the page opened in headless Chromium: its DOM holds
/// every section with its charts and the month's figures, and its screenshot is not blank.
@Suite("Monitor statistics view in headless Chromium", .serialized, .timeLimit(.minutes(5)))
struct StatisticsPageTests {
    static let token = "statistics-page-token-0123456789"

    static func chromium(_ arguments: [String]) throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        guard FileManager.default.isExecutableFile(atPath: MonitorPageTests.chromium) else {
            throw TestHubError("\(MonitorPageTests.chromium) is missing: install Debian's chromium (Scripts/test.sh does)")
        }
        return try programOutput(
            URL(fileURLWithPath: MonitorPageTests.chromium),
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile.path)"]
                + arguments
        ).output
    }

    @Test func theStatisticsPageShowsTheMonthsSectionsAndCharts() async throws {
        let hub = try TestHub(parties: [.init(id: "a")])
        guard (try? SuitePostgres.storeLines()) == nil else { return }
        let month = ReportCommandTests.month
        try TradeStatsCommandTests.write(month.records[...], to: hub.journalPath)
        try "\(Self.token)\n".write(to: hub.directory.appendingPathComponent("monitor.token"), atomically: true, encoding: .utf8)
        let port = try TestHub.freePort()
        let config = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        try
            (config + "monitor:\n  listen: \"127.0.0.1:\(port)\"\n  token_file: monitor.token\n"
            + "statistics: {cny_rates: {\"502\": 7.1, \"300\": 7.7}}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        let bearer = ["Authorization": "Bearer \(Self.token)"]
        try await waitUntil(.seconds(30), "the monitor did not answer") {
            (try? HTTPGet.get(port: port, "/metrics", headers: bearer))?.status == 200
        }

        // Behind the monitor's access control, like every route.
        let refused = try HTTPGet.get(port: port, "/statistics?period=2026-11")
        #expect(refused.status == 401 && refused.body.contains("needs its token"))
        let bad = try HTTPGet.get(port: port, "/statistics?period=2026-13", headers: bearer)
        #expect(bad.status == 400 && bad.body.contains("is not a month"))
        let page = try HTTPGet.get(port: port, "/statistics?period=2026-11", headers: bearer)
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)

        // In the browser: the token once in the address, then the cookie.
        let address = "http://127.0.0.1:\(port)/statistics?period=2026-11&token=\(Self.token)"
        let dom = try await onThread { try Self.chromium(["--virtual-time-budget=5000", "--dump-dom", address]) }
        let expected = ReportCommandTests.Expected()
        for id in ["summary", "currencies", "by_day", "by_mode", "by_country", "top_hs_chapters", "refusal_reasons", "discrepancies"] {
            #expect(dom.contains(#"<section id="\#(id)" class="report-section">"#), "section \(id) missing: \(dom.prefix(2000))")
        }
        let charts = dom.components(separatedBy: "<figure class=\"chart\"").count - 1
        // The discrepancies' chart too: the month's releases have no orders or payments behind them.
        #expect(charts == 8, "charts drawn: \(charts)")
        #expect(dom.contains("<svg") && dom.contains(#"<b id="period">2026-11</b>"#))
        #expect(dom.contains(expected.declaredCNYText) && dom.contains(">\(expected.counts["declared"]!)<"))
        #expect(dom.contains("PAYMENT_AMOUNT") && !dom.contains("张三"))

        // A screenshot of it: a PNG that is not blank.
        let shot = hub.directory.appendingPathComponent("statistics.png")
        _ = try await onThread {
            try Self.chromium(["--window-size=1200,2600", "--hide-scrollbars", "--screenshot=\(shot.path)", address])
        }
        let png = try Data(contentsOf: shot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
        #expect(png.count > 40_000, "the screenshot is \(png.count) bytes: blank?")
        if let keep = ProcessInfo.processInfo.environment["SWHUB_KEEP_SCREENSHOT"] {
            try? png.write(to: URL(fileURLWithPath: keep))
        }
    }
}
