import Foundation
import HubCore
import HubProtocol
import HubStore

extension Bench {
    /// The risk rules of the `--risk` hub: all six, each `action: notify` (the flows go on),
    /// with parameters that make them evaluate every declaration of the bench's filings and
    /// hit some (FlowSamples' declaration `n`: buyer id ending in `n`, 760.50 CNY goods and
    /// freight, one HS code on both lines, one phone and address for every buyer; the latency
    /// cases file `n` = 1, 2, … again):
    ///
    /// - `consumer_quota`: a yearly limit of 1,500 CNY, so a buyer's second purchase (the
    ///   latency cases') hits;
    /// - `split_orders`: 2 declarations of the same goods by one buyer within 24 h (the same);
    /// - `identity_spread`: at most 10,000 buyer ids per phone or address (the rule counts
    ///   them all; no hit below 10,000 filings);
    /// - `value_gap`: defaults (the paid amount is the declared one, the lines' unit prices
    ///   within a factor of 1.5 of their HS code's mean: evaluated, no hit);
    /// - `volume_change`: defaults (each declaration counted for its enterprise and day; no
    ///   hit: the rule wants `window_days` of history first, and the bench runs within a day);
    /// - `blacklist_links`: every registration of the bench shares its address and phone, so
    ///   each declaration's enterprise is checked against every registered merchant; none is
    ///   blacklisted (no hit).
    static let benchRiskRules = """
        risk:
          rules:
            consumer_quota: {action: notify, per_year_cny: 1500}
            split_orders: {action: notify, min_orders: 2, window: 24h}
            identity_spread: {action: notify, max_identities: 10000}
            value_gap: {action: notify}
            volume_change: {action: notify}
            blacklist_links: {action: notify}

        """

    /// `--risk`: the flow cases on a hub running ``benchRiskRules`` (`…_risk`), then on a
    /// plain hub again (`…_plain_again`), after the plain flow cases (`plain`). Each risk
    /// figure is printed beside the mean of the two plain runs that bracket it, so that a
    /// machine getting busier or quieter during the run does not show as a cost or a gain;
    /// every line carries the hub process's CPU per flow. Then `risk_notices`: the notices the
    /// rules journaled (by rule in JSON); and the statistics, which the hub does not keep in
    /// its path but `swhub stats` folds from the journal: the trade statistics
    /// (`stats_trade_fold`) and the reconciliation (`stats_reconcile_fold`) folded over the
    /// risk run's whole journal, in ms per 1,000 journal records.
    func riskFlows(_ report: BenchReport, directory: URL, filings: Int, plain: [FlowBench.Result]) async throws {
        func run(_ name: String, risk: String?) async throws -> [FlowBench.Result] {
            try await FlowBench.run(
                directory: directory.appendingPathComponent("flows-\(name)"), registrations: filings, declarations: filings,
                window: max(1, flowWindow), risk: risk)
        }
        let withRisk = try await run("risk", risk: Self.benchRiskRules)
        let again = try await run("plain_again", risk: nil)

        func rates(_ results: [FlowBench.Result]) -> [String: Double] {
            Dictionary(results.map { ($0.name, $0.rate) }, uniquingKeysWith: { first, _ in first })
        }
        let mean = rates(plain).merging(rates(again)) { ($0 + $1) / 2 }
        let cases: [(suffix: String, results: [FlowBench.Result], baseline: [String: Double], name: String)] = [
            ("risk", withRisk, mean, "plain (mean)"),
            ("plain_again", again, rates(plain), "plain"),
        ]
        Self.flowLines(report, cases)

        let configPath = directory.appendingPathComponent("flows-risk/hub.yaml").path
        let config = try HubConfig.load(path: configPath)
        let inspector = try JournalAccess.inspector(config.store, archiveDirectory: config.archive?.directory)
        try riskNotices(report, inspector)
        let records = Int(try inspector.headSeq())
        let cachePath = TradeStats.cachePath(config, configPath: configPath)
        let tradeStart = ContinuousClock.now
        let trade = try TradeStatisticsCache(path: cachePath).update(from: inspector, rebuild: true)
        report.fold(case: "stats_trade_fold", records: records, folded: trade.folded, duration: ContinuousClock.now - tradeStart)
        let reconcileStart = ContinuousClock.now
        let reconcile = try ReconciliationCache(path: cachePath).update(from: inspector, rebuild: true)
        report.fold(
            case: "stats_reconcile_fold", records: records, folded: reconcile.folded, duration: ContinuousClock.now - reconcileStart)
    }

    /// `risk_notices`: the risk notices in the risk run's journal, by rule (the last part of
    /// a notice's id, `risk:FILER:INVENTORY:RULE`).
    private func riskNotices(_ report: BenchReport, _ inspector: JournalInspector) throws {
        var byRule = Dictionary(uniqueKeysWithValues: RiskRuleName.allCases.map { ($0.rawValue, 0) })
        var after: UInt64 = 0
        while true {
            let page = try inspector.records(type: MessageType.riskNotice.rawValue, after: after, limit: 1000)
            for record in page {
                let rule = String(record.id.split(separator: ":").last ?? "")
                byRule[rule, default: 0] += 1
            }
            guard let last = page.last else { break }
            after = last.seq
        }
        let total = byRule.values.reduce(0, +)
        let rules = byRule.sorted { $0.key < $1.key }
        if report.json {
            let fields = rules.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
            Output.line("{\"case\": \"risk_notices\", \"count\": \(total), \"by_rule\": {\(fields)}}")
        } else {
            let list = rules.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            Output.line("risk_notices".padding(toLength: 26, withPad: " ", startingAt: 0) + " \(total) journaled: \(list)")
        }
    }
}

extension BenchReport {
    /// A fold of the journal (`swhub stats`): `records` journal records read, `folded` of
    /// them taken into the figures, in `duration`; in JSON `count` (the journal's records),
    /// `folded`, `ms` and `ms_per_1000_records`.
    func fold(case name: String, records: Int, folded: Int, duration: Duration) {
        let ms = duration.seconds * 1000
        let per1000 = records > 0 ? ms / Double(records) * 1000 : 0
        if json {
            Output.line(
                "{\"case\": \"\(name)\", \"count\": \(records), \"folded\": \(folded), \"ms\": \(String(format: "%.1f", ms)), "
                    + "\"ms_per_1000_records\": \(String(format: "%.3f", per1000))}")
        } else {
            Output.line(
                name.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + String(format: " %.1f ms per 1000 journal records  (%d records, %d folded, %.1f ms)", per1000, records, folded, ms))
        }
    }
}
