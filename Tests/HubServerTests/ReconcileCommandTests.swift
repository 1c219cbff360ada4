import FlowSamples
import Foundation
import HubStore
import Logging
import Testing

/// The real `swhub stats --reconcile` on a journal holding a generated month of documents
/// with discrepancies planted: every one listed with its documents and nothing else, the
/// cache brought up to the head with only what the journal gained, `--rebuild` and
/// `--enterprise` agreeing with the whole, the released figures those of `--trade`, and bad
/// command lines refused.
@Suite("swhub stats --reconcile", .serialized, .timeLimit(.minutes(3)))
struct ReconcileCommandTests {
    static let novemberUs: Int64 = 1_793_491_200_000_000  // 2026-11-01T00:00:00Z
    static let types: Set<String> = ["ceb.Order", "ceb.Payment", "ceb.Waybill", "flow.ReleaseNotice", "ceb.SummaryResult"]

    static func json(_ hub: TestHub, _ arguments: [String]) throws -> [String: Any] {
        let result = try programOutput(TestHub.executable, ["stats", "--config", hub.configPath, "--json"] + arguments)
        #expect(result.status == 0, "\(arguments)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return try #require(object, "\(result.output.prefix(300))")
    }

    /// `KIND sender:id` of each discrepancy, by its first document.
    static func found(_ answer: [String: Any]) -> [String] {
        (answer["discrepancies"] as? [[String: Any]] ?? []).map { discrepancy in
            let first = (discrepancy["documents"] as? [[String: Any]])?.first
            return "\(discrepancy["kind"] as? String ?? "?") \(first?["sender"] as? String ?? ""):\(first?["id"] as? String ?? "")"
        }
    }

    /// The planted discrepancies, and the unreleased filings' payments and parcels past the grace.
    static func expected(_ month: SampleReconcileMonth, graceDays: Int) -> [String] {
        let graceUs = Int64(graceDays) * 86_400_000_000
        var expected = month.planted.map { "\($0.kind.rawValue) \($0.sender):\($0.id)" }
        for trade in month.trades where trade.filing.fate != .released {
            if let payment = trade.payment, payment.atUs + graceUs <= month.clockUs {
                expected.append("PAYMENT_UNRELEASED \(payment.sender):\(payment.id)")
            }
            if trade.waybill.atUs + graceUs <= month.clockUs {
                expected.append("WAYBILL_UNRELEASED \(trade.waybill.sender):\(trade.waybill.id)")
            }
        }
        return expected
    }

    @Test func aMonthIsReconciledIncrementallyAndRebuiltTheSame() throws {
        let hub = try TestHub(parties: [.init(id: "ebc1")])
        guard FileManager.default.fileExists(atPath: hub.configPath), (try? SuitePostgres.storeLines()) == nil else { return }
        let settings = """
            statistics: {cny_rates: {"502": 7.1, "300": 7.7, "116": 0.05}, reconcile: {tolerance: {absolute: 1, relative: 0.001}, grace_days: 7}}

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: hub.configPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
        try handle.close()

        let month = SampleReconcileMonth(count: 300, startUs: Self.novemberUs, seed: 1117, plants: 2, graceDays: 7)
        let half = month.records.count / 2
        try TradeStatsCommandTests.write(month.records[..<half], to: hub.journalPath)
        let first = try Self.json(hub, ["--reconcile"])
        #expect(first["rebuilt"] as? Bool == true)
        #expect(first["folded"] as? Int == month.records[..<half].filter { Self.types.contains($0.type) }.count)

        try TradeStatsCommandTests.write(month.records[half...], to: hub.journalPath)
        let second = try Self.json(hub, ["--reconcile"])
        #expect(second["rebuilt"] as? Bool == false)
        #expect(second["folded"] as? Int == month.records[half...].filter { Self.types.contains($0.type) }.count)
        #expect(second["grace_days"] as? Int == 7 && (second["tolerance"] as? [String: String])?["absolute_cny"] == "1")

        let found = Self.found(second)
        let expected = Self.expected(month, graceDays: 7)
        #expect(found.sorted() == expected.sorted(), "\(Set(found).symmetricDifference(expected).sorted().prefix(10))")
        let counts = second["discrepancy_counts"] as? [String: Int] ?? [:]
        for kind in SampleReconcileMonth.Plant.allCases { #expect((counts[kind.rawValue] ?? 0) >= 2, "\(kind)") }
        #expect(counts["VALUE_NOT_COMPARABLE"] == 0)

        let rebuilt = try Self.json(hub, ["--reconcile", "--rebuild"])
        #expect(rebuilt["rebuilt"] as? Bool == true)
        let same = NSDictionary(dictionary: ["e": rebuilt["enterprises"] ?? [], "d": rebuilt["discrepancies"] ?? []])
            .isEqual(to: ["e": second["enterprises"] ?? [], "d": second["discrepancies"] ?? []])
        #expect(same)

        // One enterprise in November: its row and its discrepancies.
        let one = try Self.json(hub, ["--reconcile", "--period", "2026-11", "--enterprise", "1101E00003"])
        let rows = one["enterprises"] as? [[String: Any]] ?? []
        #expect(rows.count == 1 && rows.first?["enterprise"] as? String == "1101E00003")
        let listed = one["discrepancies"] as? [[String: Any]] ?? []
        #expect(
            !listed.isEmpty
                && listed.allSatisfy {
                    $0["enterprise"] as? String == "1101E00003" && ($0["day"] as? String)?.hasPrefix("2026-11-") == true
                })
        #expect(rows.first?["discrepancies"] as? Int == listed.count)

        // The released figures are those of `--trade` for the same period and enterprise.
        let trade = try Self.json(hub, ["--trade", "--period", "2026-11", "--by", "enterprise"])
        let tradeRow = (trade["rows"] as? [[String: Any]])?.first { $0["key"] as? String == "1101E00003" }
        let released = (tradeRow?["outcomes"] as? [String: [String: Any]])?["released"]
        let mine = rows.first?["released"] as? [String: Any]
        #expect(released?["count"] as? Int != nil && released?["count"] as? Int == mine?["count"] as? Int)
        #expect(released?["cny"] as? String == mine?["cny"] as? String)

        // The tables.
        let table = try programOutput(TestHub.executable, ["stats", "--config", hub.configPath, "--reconcile", "--period", "2026-11"])
        #expect(table.status == 0 && table.output.contains("enterprise 1101E00001") && table.output.contains("RELEASED_UNPAID"))
        #expect(table.output.contains("flow.ReleaseNotice  hub  rel:"))

        // `swhub config check` shows the settings.
        let check = try programOutput(TestHub.executable, ["config", "check", hub.configPath, "--json"])
        let resolved = try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any]
        let reconcile = (resolved?["statistics"] as? [String: Any])?["reconcile"] as? [String: String]
        #expect(reconcile == ["tolerance_absolute_cny": "1", "tolerance_relative": "0.001", "grace_days": "7"])
    }

    @Test(arguments: [
        ["--reconcile", "--trade"], ["--enterprise", "1101E00001"], ["--reconcile", "--by", "mode"], ["--period", "2026-11"],
        ["--reconcile", "--period", "2026-13"],
    ])
    func badCommandLinesAreRefused(arguments: [String]) throws {
        let hub = try TestHub(parties: [.init(id: "ebc1")])
        guard FileManager.default.fileExists(atPath: hub.configPath) else { return }
        let result = try programOutput(TestHub.executable, ["stats", "--config", hub.configPath] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.output.prefix(200))")
    }
}
