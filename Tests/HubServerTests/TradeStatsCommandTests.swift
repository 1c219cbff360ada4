import FlowSamples
import Foundation
import HubStore
import Logging
import Testing

/// The real `swhub stats --trade` on a journal holding a generated month of filings: the
/// figures the test adds up from the filings, the cache brought up to the head with only what
/// the journal gained, `--rebuild` giving the same, and the inventories counted as
/// `swhub stats` counts the type.
@Suite("swhub stats --trade", .serialized, .timeLimit(.minutes(3)))
struct TradeStatsCommandTests {
    static let novemberUs: Int64 = 1_793_491_200_000_000  // 2026-11-01T00:00:00Z
    static let statisticsTypes: Set<String> = [
        "ceb.Inventory", "flow.ReleaseNotice", "flow.Feedback", "flow.WithdrawalNotice", "flow.ReturnNotice",
    ]

    static func write(_ records: ArraySlice<SampleTradeMonth.Record>, to path: String) throws {
        var store: SQLiteJournalStore? = try SQLiteJournalStore(
            path: path, logger: Logger(label: "TradeStatsCommandTests", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try store?.appendStamped(
            records.map { record in
                (
                    JournalAppend(
                        sender: record.sender, id: record.id, type: record.type, recipients: record.recipients, correlationId: "",
                        createdAtUs: record.journaledAtUs, body: record.body),
                    record.journaledAtUs
                )
            })
        // A record of another type between them: read past, never counted.
        _ = try store?.appendStamped([
            (
                JournalAppend(
                    sender: "ebc1", id: "note-\(records.startIndex)", type: "demo.Note", recipients: ["hub"], correlationId: "",
                    createdAtUs: novemberUs, body: [1, 2, 3]),
                novemberUs
            )
        ])
        store = nil
    }

    /// Whether a time falls in November 2026 (UTC).
    static func inNovember(_ us: Int64) -> Bool {
        us >= novemberUs && us < novemberUs + 30 * 86_400_000_000
    }

    static func json(_ hub: TestHub, _ arguments: [String]) throws -> [String: Any] {
        let result = try programOutput(TestHub.executable, ["stats", "--config", hub.configPath, "--json"] + arguments)
        #expect(result.status == 0, "\(arguments)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return try #require(object, "\(result.output.prefix(300))")
    }

    /// `{mode: {outcome: count}}` of a `--by mode` answer.
    static func counts(_ answer: [String: Any]) -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        for row in answer["rows"] as? [[String: Any]] ?? [] {
            let outcomes = row["outcomes"] as? [String: [String: Any]] ?? [:]
            counts[row["key"] as? String ?? "?"] = outcomes.mapValues { $0["count"] as? Int ?? -1 }
        }
        return counts
    }

    @Test func aMonthIsCountedIncrementallyAndRebuiltTheSame() throws {
        let hub = try TestHub(parties: [.init(id: "ebc1")])
        guard FileManager.default.fileExists(atPath: hub.configPath), (try? SuitePostgres.storeLines()) == nil else { return }
        let rates = "statistics: {cny_rates: {\"502\": 7.1, \"300\": 7.7}}\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: hub.configPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(rates.utf8))
        try handle.close()

        let month = SampleTradeMonth(count: 400, startUs: Self.novemberUs, seed: 1117, afterRelease: true)
        let half = month.records.count / 2
        try Self.write(month.records[..<half], to: hub.journalPath)
        let first = try Self.json(hub, ["--trade", "--period", "2026-11", "--by", "mode"])
        #expect(first["rebuilt"] as? Bool == true)
        #expect(first["folded"] as? Int == month.records[..<half].filter { Self.statisticsTypes.contains($0.type) }.count)

        try Self.write(month.records[half...], to: hub.journalPath)
        let second = try Self.json(hub, ["--trade", "--period", "2026-11", "--by", "mode"])
        #expect(second["rebuilt"] as? Bool == false)
        #expect(second["folded"] as? Int == month.records[half...].filter { Self.statisticsTypes.contains($0.type) }.count)

        // The figures, added up from the filings.
        var expected: [String: [String: Int]] = [:]
        for filing in month.filings {
            let mode = filing.inventory.tradeMode
            let filed = Self.inNovember(filing.filedAtUs)
            let ended = Self.inNovember(filing.endedAtUs)
            expected[mode, default: ["declared": 0, "released": 0, "refused": 0, "cancelled": 0, "returned": 0]]["declared", default: 0] +=
                filed ? 1 : 0
            if filing.fate == .released, ended { expected[mode, default: [:]]["released", default: 0] += 1 }
            if filing.fate == .refused, ended { expected[mode, default: [:]]["refused", default: 0] += 1 }
            // Cancellations (before or after the release) and returns, on their own day.
            if let later = filing.later, Self.inNovember(filing.laterAtUs) {
                expected[mode, default: [:]][later == .returnedFirstLine ? "returned" : "cancelled", default: 0] += 1
            }
        }
        let counted = Self.counts(second)
        #expect(counted == expected, "\(counted) vs \(expected)")

        let rebuilt = try Self.json(hub, ["--trade", "--period", "2026-11", "--by", "mode", "--rebuild"])
        #expect(rebuilt["rebuilt"] as? Bool == true)
        let sameRows = NSDictionary(dictionary: ["rows": rebuilt["rows"] ?? []]).isEqual(to: ["rows": second["rows"] ?? []])
        #expect(sameRows)

        // As many inventory records as `swhub stats` counts for the type.
        let stats = try Self.json(hub, [])
        let byType = stats["by_type"] as? [String: Int]
        #expect(byType?["ceb.Inventory"] != nil && byType?["ceb.Inventory"] == second["inventory_records"] as? Int)

        // The tables, and a clear refusal of a bad period.
        let table = try programOutput(TestHub.executable, ["stats", "--config", hub.configPath, "--trade", "--by", "hs"])
        #expect(table.status == 0 && table.output.contains("released (lines, CNY, unconverted)") && table.output.contains("JPY") == false)
        let bad = try programOutput(TestHub.executable, ["stats", "--config", hub.configPath, "--trade", "--period", "2026-13"])
        #expect(bad.status != 0)

        // `swhub config check` shows the rates and the cache.
        let check = try programOutput(TestHub.executable, ["config", "check", hub.configPath, "--json"])
        let resolved = try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any]
        let statistics = resolved?["statistics"] as? [String: Any]
        #expect((statistics?["cny_rates"] as? [String: String])?["502"] == "7.1")
        #expect(statistics?["cache"] as? String == hub.journalPath + ".trade-stats.sqlite")
        #expect(FileManager.default.fileExists(atPath: hub.journalPath + ".trade-stats.sqlite"))

        // A journal behind the cache (replaced, restored) is folded again from its start.
        for suffix in ["", "-wal", "-shm", "-head"] { try? FileManager.default.removeItem(atPath: hub.journalPath + suffix) }
        let few = month.records.prefix(30)
        try Self.write(few, to: hub.journalPath)
        let replaced = try Self.json(hub, ["--trade"])
        let declared = (replaced["rows"] as? [[String: Any]])?.first.flatMap { ($0["outcomes"] as? [String: [String: Any]])?["declared"] }
        #expect(replaced["rebuilt"] as? Bool == true)
        #expect(declared?["count"] as? Int == few.filter { $0.type == "ceb.Inventory" && $0.sender != "hub" }.count)
        #expect((declared?["cny"] as? String)?.contains(".") == true)
    }
}
