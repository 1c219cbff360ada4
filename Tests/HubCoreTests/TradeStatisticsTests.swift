import FlowSamples
import Foundation
import HubConfigKit
import HubCore
import HubProtocol
import Testing

/// 统计监测: a generated month of filings folded into ``TradeStatistics``, compared with
/// totals the test adds up itself from the filings (cancellations before and after the
/// release and returns among them); folding in parts (through the cache's
/// JSON) equals one fold; CNY at the configured rates, unconverted values named; the
/// `statistics:` config section and its refusals.
@Suite("Trade statistics")
struct TradeStatisticsTests {
    static let novemberUs: Int64 = 1_793_491_200_000_000  // 2026-11-01T00:00:00Z
    static let month = SampleTradeMonth(count: 600, startUs: novemberUs, seed: 17, afterRelease: true)
    static let rates: [String: Decimal] = ["502": Decimal(string: "7.1")!, "300": Decimal(string: "7.7")!]

    static func rate(_ currency: String) -> Decimal? {
        currency == "142" ? 1 : rates[currency]
    }

    static func records(_ month: SampleTradeMonth) -> [TradeStatistics.Record] {
        month.records.enumerated().map { index, record in
            TradeStatistics.Record(
                seq: UInt64(index + 1), type: record.type, sender: record.sender, id: record.id,
                journaledAtUs: record.journaledAtUs, body: record.body)
        }
    }

    static func folded() -> TradeStatistics {
        var statistics = TradeStatistics()
        statistics.fold(records(month))
        return statistics
    }

    static func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

    /// Expected figures: count and value by currency, per key and outcome, added up from the
    /// filings alone.
    static func expected(
        period: TradeReport.Period, key: (BizInventory, BizInventoryItem?) -> String, lines: Bool
    ) -> [String: [TradeStatistics.Outcome: (count: Int, values: [String: Decimal])]] {
        var result: [String: [TradeStatistics.Outcome: (count: Int, values: [String: Decimal])]] = [:]
        for filing in month.filings {
            let all = filing.inventory.inventoryList
            // Each outcome with its time, the lines it counts and the lines its value sums.
            var events: [(TradeStatistics.Outcome, Int64, lines: [BizInventoryItem], valued: [BizInventoryItem])] = [
                (.declared, filing.filedAtUs, all, all)
            ]
            if filing.fate == .released { events.append((.released, filing.endedAtUs, all, all)) }
            if filing.fate == .refused { events.append((.refused, filing.endedAtUs, all, all)) }
            switch filing.later {
            case .withdrawnUnreleased: events.append((.cancelled, filing.laterAtUs, all, all))
            // A withdrawal names no lines: its value only.
            case .withdrawn: events.append((.cancelled, filing.laterAtUs, [], all))
            case .returnedFirstLine: events.append((.returned, filing.laterAtUs, [all[0]], [all[0]]))
            case nil: break
            }
            for (outcome, at, counted, valued) in events where period.contains(day: TradeStatistics.day(at)) {
                let inventory = filing.inventory
                if lines {
                    for item in counted {
                        let currency = item.currency.isEmpty ? inventory.currency : item.currency
                        var figures = result[key(inventory, item), default: [:]][outcome] ?? (0, [:])
                        figures.count += 1
                        figures.values[currency, default: 0] += decimal(item.totalPrice)
                        result[key(inventory, item), default: [:]][outcome] = figures
                    }
                } else {
                    var figures = result[key(inventory, nil), default: [:]][outcome] ?? (0, [:])
                    figures.count += 1
                    for item in valued {
                        let currency = item.currency.isEmpty ? inventory.currency : item.currency
                        figures.values[currency, default: 0] += decimal(item.totalPrice)
                    }
                    result[key(inventory, nil), default: [:]][outcome] = figures
                }
            }
        }
        return result
    }

    static func matches(
        _ report: TradeReport, _ expected: [String: [TradeStatistics.Outcome: (count: Int, values: [String: Decimal])]]
    ) -> Bool {
        guard Set(report.rows.map(\.key)) == Set(expected.keys) else { return false }
        for row in report.rows {
            for outcome in TradeStatistics.Outcome.allCases {
                let want = expected[row.key]?[outcome]
                let got = row.outcomes[outcome]
                guard (got?.count ?? 0) == (want?.count ?? 0), (got?.values ?? [:]) == (want?.values ?? [:]) else { return false }
                // CNY: the converted values, rounded to the fen; the others named.
                var cny: Decimal = 0
                var unconverted: [String: Decimal] = [:]
                for (currency, value) in want?.values ?? [:] {
                    if let rate = rate(currency) { cny += value * rate } else { unconverted[currency] = value }
                }
                var rounded = Decimal()
                NSDecimalRound(&rounded, &cny, 2, .plain)
                guard (got?.cny ?? 0) == rounded, (got?.unconverted ?? [:]) == unconverted else { return false }
            }
        }
        return true
    }

    @Test(arguments: [
        ("2026-11", "mode"), ("2026-11", "country"), ("2026-11", "hs"), ("2026-11", "enterprise"), ("2026-11", "platform"),
        ("2026-11", "direction"), ("2026-11-05", "outcome"), ("2026-Q4", "mode"), ("2026-12", "country"), ("2026-Q3", "outcome"),
    ])
    func aMonthOfFilingsAddsUpByEveryDimension(period text: String, by name: String) throws {
        let period = try #require(TradeReport.Period(text))
        let dimension = try #require(TradeReport.Dimension(rawValue: name))
        let report = TradeReport(Self.folded(), period: period, by: dimension, rates: Self.rate)
        let key: (BizInventory, BizInventoryItem?) -> String =
            switch dimension {
            case .mode: { inventory, _ in inventory.tradeMode }
            case .country: { inventory, _ in inventory.country }
            case .hs: { _, item in String(item?.gcode.prefix(2) ?? "") }
            case .enterprise: { inventory, _ in inventory.ebcCode }
            case .platform: { inventory, _ in inventory.ebpCode }
            case .direction: { inventory, _ in inventory.ieFlag == "I" ? "import" : "export" }
            default: { _, _ in "total" }
            }
        let expected = Self.expected(period: period, key: key, lines: dimension == .hs)
        let same = Self.matches(report, expected)
        #expect(same, "\(text) by \(name): \(report.rows.count) rows, \(expected.count) expected")
    }

    @Test func everyOutcomeAndFateIsThereAndTheCountsAreTheFilings() {
        let statistics = Self.folded()
        let report = TradeReport(statistics, period: .all, by: .outcome, rates: Self.rate)
        let total = report.rows.first?.outcomes
        let fates = Dictionary(grouping: Self.month.filings, by: \.fate).mapValues(\.count)
        #expect(total?[.declared]?.count == Self.month.filings.count)
        #expect(total?[.released]?.count == fates[.released] && (fates[.released] ?? 0) > 100)
        #expect(total?[.refused]?.count == fates[.refused] && (fates[.refused] ?? 0) > 50)
        // Cancellations before and after the release, and returns.
        let later = Dictionary(grouping: Self.month.filings.compactMap(\.later), by: { "\($0)" }).mapValues(\.count)
        let cancelled = (later["withdrawnUnreleased"] ?? 0) + (later["withdrawn"] ?? 0)
        #expect(total?[.cancelled]?.count == cancelled && (later["withdrawnUnreleased"] ?? 0) > 10 && (later["withdrawn"] ?? 0) > 20)
        #expect(total?[.returned]?.count == later["returnedFirstLine"] && (later["returnedFirstLine"] ?? 0) > 20)
        // The hub's forwards are inventory records too (as `swhub stats` counts the type).
        #expect(statistics.inventoryRecords == Self.month.records.filter { $0.type == "ceb.Inventory" }.count)
        // JPY has no rate: named, not converted.
        #expect(total?[.declared]?.unconverted["116"] != nil && total?[.declared]?.unconverted["502"] == nil)
        #expect(TradeReport.Period("2026-11")?.contains(day: "2026-11-30") == true)
        #expect(TradeReport.Period("2026-Q4")?.contains(day: "2026-09-30") == false)
        #expect(["2026-13", "2026-Q5", "26-11", "2026-11-5", "2026-11-05-1", "x"].allSatisfy { TradeReport.Period($0) == nil })
    }

    @Test func foldingInPartsThroughTheCacheEqualsOneFold() throws {
        let records = Self.records(Self.month)
        var statistics = TradeStatistics()
        var start = 0
        for end in [1, 97, 400, 401, 1000, records.count] where end <= records.count && end > start {
            statistics.fold(records[start..<end])
            let data = try JSONEncoder().encode(statistics)
            statistics = try JSONDecoder().decode(TradeStatistics.self, from: data)
            start = end
        }
        // Records already folded are skipped.
        statistics.fold(records[0..<10])
        #expect(statistics == Self.folded())
        #expect(statistics.lastSeq == UInt64(records.count))
    }

    @Test func replacementsAndDeletionsAreNoCancellationsAndAWithdrawnReleaseIsKeptNoLonger() throws {
        // A release withdrawn after it is no longer kept for later notices; one returned whole neither.
        let statistics = Self.folded()
        let withdrawn = try #require(Self.month.filings.first { $0.later == .withdrawn })
        let returned = try #require(Self.month.filings.first { $0.later == .returnedFirstLine && $0.inventory.inventoryList.count == 1 })
        let kept = Self.month.filings.first { $0.fate == .released && $0.later == nil }
        func releaseId(_ filing: SampleTradeMonth.Filing?) -> String {
            HubMessageId.releaseNotice(filer: filing?.filer ?? "", inventoryId: filing?.id ?? "").description
        }
        #expect(!statistics.keepsRelease(releaseId(withdrawn)) && !statistics.keepsRelease(releaseId(returned)))
        #expect(statistics.keepsRelease(releaseId(kept)))
        // A declaration whose inventory a changed one (app_type 2) replaced: WITHDRAWN, not cancelled.
        var inventory = BizInventory()
        inventory.ieFlag = "I"
        inventory.ebcCode = "1101E00009"
        var replaced = BizFeedback()
        replaced.subjectType = "ceb.Inventory"
        replaced.subjectID = "inv-a"
        replaced.state = .withdrawn
        replaced.final = true
        replaced.reasons = ["WITHDRAWN: replaced by inv-b of ebc9 (app_type 2)"]
        var cancelled = replaced
        cancelled.subjectID = "inv-b"
        cancelled.reasons = ["WITHDRAWN: by the cancellation cnl-1 of ebc9 before the release"]
        var small = TradeStatistics()
        let at = Self.novemberUs
        small.fold([
            .init(seq: 1, type: "ceb.Inventory", sender: "ebc9", id: "inv-a", journaledAtUs: at, body: try inventory.serializedBytes()),
            .init(seq: 2, type: "ceb.Inventory", sender: "ebc9", id: "inv-b", journaledAtUs: at, body: try inventory.serializedBytes()),
            .init(
                seq: 3, type: "flow.Feedback", sender: "hub",
                id: HubMessageId.feedback(subjectId: "inv-a", subjectSender: "ebc9", number: 1).description,
                journaledAtUs: at, body: try replaced.serializedBytes()),
            .init(
                seq: 4, type: "flow.Feedback", sender: "hub",
                id: HubMessageId.feedback(subjectId: "inv-b", subjectSender: "ebc9", number: 1).description,
                journaledAtUs: at, body: try cancelled.serializedBytes()),
        ])
        // A deletion (app_type 3) is no declaration; its own WITHDRAWN confirmation cancels nothing.
        var deletion = inventory
        deletion.appType = .delete
        var confirmed = cancelled
        confirmed.subjectID = "inv-d"
        small.fold([
            .init(seq: 5, type: "ceb.Inventory", sender: "ebc9", id: "inv-d", journaledAtUs: at, body: try deletion.serializedBytes()),
            .init(
                seq: 6, type: "flow.Feedback", sender: "hub",
                id: HubMessageId.feedback(subjectId: "inv-d", subjectSender: "ebc9", number: 1).description,
                journaledAtUs: at, body: try confirmed.serializedBytes()),
        ])
        let total = TradeReport(small, period: .all, by: .outcome, rates: Self.rate).rows.first?.outcomes
        #expect(total?[.declared]?.count == 2 && total?[.cancelled]?.count == 1 && small.awaiting == 0)
    }

    @Test func ratesChangeTheCNYValuesWithoutARebuild() {
        let statistics = Self.folded()
        let before = TradeReport(statistics, period: .all, by: .outcome, rates: Self.rate)
        let after = TradeReport(statistics, period: .all, by: .outcome, rates: { $0 == "116" ? Decimal(string: "0.05") : Self.rate($0) })
        let declared = before.rows.first?.outcomes[.declared]
        let yen = declared?.unconverted["116"] ?? 0
        var expected = (declared?.cny ?? 0) + yen * Decimal(string: "0.05")!
        var rounded = Decimal()
        NSDecimalRound(&rounded, &expected, 2, .plain)
        #expect(yen > 0 && after.rows.first?.outcomes[.declared]?.cny == rounded)
        #expect(after.rows.first?.outcomes[.declared]?.unconverted.isEmpty == true)
    }

    @Test func theStatisticsSectionIsParsed() throws {
        let config = try ArchiveConfigTests.parse("statistics: {cny_rates: {USD: 7.1, \"502\": 7.1, EUR: 7.72}, cache: var/stats.sqlite}\n")
        #expect(config.statistics.rate("USD") == Decimal(string: "7.1"))
        #expect(config.statistics.rate("502") == Decimal(string: "7.1"))
        #expect(config.statistics.rate("EUR") == Decimal(string: "7.72"))
        #expect(config.statistics.rate("142") == 1 && config.statistics.rate("CNY") == 1 && config.statistics.rate("JPY") == nil)
        #expect(config.statistics.cache == "/etc/swhub/var/stats.sqlite")
        #expect(try ArchiveConfigTests.parse("").statistics == HubConfig.Statistics())
    }

    @Test(arguments: [
        ("statistics: {cny_rates: {USD: 0}}\n", "statistics.cny_rates.USD = 0.0 must be a number above 0"),
        ("statistics: {cny_rates: {USD: -7.1}}\n", "must be a number above 0"),
        ("statistics: {cny_rates: {usd: 7.1}}\n", "'usd' is not a currency code"),
        ("statistics: {cny_rates: {DOLLAR: 7.1}}\n", "'DOLLAR' is not a currency code"),
        ("statistics: {cny_rates: {\"50\": 7.1}}\n", "'50' is not a currency code"),
        ("statistics: {cny_rates: {CNY: 2}}\n", "CNY is CNY, its rate is 1"),
        ("statistics: {cny_rates: {USD: seven}}\n", "USD"),
        ("statistics: {cache: \"\"}\n", "statistics.cache is empty"),
        ("statistics: {cache: j.sqlite}\n", "statistics.cache /etc/swhub/j.sqlite is the journal's file"),
        ("statistics: {cache: j.sqlite-wal}\n", "is the journal's file"),
        ("statistics: {rates: {USD: 7.1}}\n", "rates"),
    ])
    func badStatisticsSectionsAreRefused(yaml: String, reason: String) throws {
        let error = #expect(throws: ConfigError.self) { try ArchiveConfigTests.parse(yaml) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }
}
