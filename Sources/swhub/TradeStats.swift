import ArgumentParser
import Foundation
import HubCore
import HubStore

/// `swhub stats --trade`: trade statistics (统计监测) from the declarations, kept in a cache
/// beside the journal and brought up to the journal's head on each call.
enum TradeStats {
    /// Where the cache is: `statistics.cache`, else beside a SQLite journal, else in the
    /// config's folder.
    static func cachePath(_ config: HubConfig, configPath: String) -> String {
        if let cache = config.statistics.cache { return cache }
        switch config.store {
        case .sqlite(let path): return path + ".trade-stats.sqlite"
        case .postgres:
            let folder = URL(fileURLWithPath: configPath).deletingLastPathComponent()
            return folder.appendingPathComponent("trade-stats.sqlite").path
        }
    }

    /// A CNY amount with its two decimals (`15010.00`), rounded as the report rounds it.
    static func money(_ value: Decimal) -> String { ReportSection.Value.moneyText(value) }

    /// `--period` read, `.all` when not given.
    static func period(_ text: String?) throws -> TradeReport.Period {
        guard let text else { return .all }
        guard let parsed = TradeReport.Period(text) else {
            throw ValidationError("--period '\(text)' is not a day (2026-11-05), a month (2026-11) or a quarter (2026-Q4)")
        }
        return parsed
    }

    static func run(config: HubConfig, configPath: String, period: String?, by: String?, rebuild: Bool, json: Bool) throws {
        let chosen = try Self.period(period)
        let dimension: TradeReport.Dimension
        if let by {
            guard let parsed = TradeReport.Dimension(rawValue: by) else {
                let known = TradeReport.Dimension.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--by '\(by)' is not one of \(known)")
            }
            dimension = parsed
        } else {
            dimension = .outcome
        }
        let inspector = try JournalAccess.inspector(config.store, archiveDirectory: config.archive?.directory)
        let cache = try TradeStatisticsCache(path: cachePath(config, configPath: configPath))
        let update = try cache.update(from: inspector, rebuild: rebuild)
        let report = TradeReport(update.statistics, period: chosen, by: dimension, rates: config.statistics.rate)
        let outcomes = TradeStatistics.Outcome.allCases
        if json {
            let object: [String: Any] = [
                "period": chosen.description,
                "by": dimension.rawValue,
                "last_seq": update.statistics.lastSeq,
                "folded": update.folded,
                "rebuilt": update.rebuilt,
                "inventory_records": update.statistics.inventoryRecords,
                "rows": report.rows.map { row in
                    [
                        "key": row.key,
                        "outcomes": [String: [String: Any]](
                            uniqueKeysWithValues: outcomes.map { outcome -> (String, [String: Any]) in
                                let figures = row.outcomes[outcome] ?? TradeReport.Figures()
                                return (
                                    outcome.rawValue,
                                    [
                                        "count": figures.count,
                                        "values": figures.values.mapValues(\.description),
                                        "cny": money(figures.cny),
                                        "unconverted": figures.unconverted.mapValues(\.description),
                                    ] as [String: Any]
                                )
                            }),
                    ] as [String: Any]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            Output.line(String(decoding: data, as: UTF8.self))
            return
        }
        Output.line(
            "trade statistics, period \(chosen), by \(dimension.rawValue): journal seq \(update.statistics.lastSeq)"
                + " (\(update.folded) records folded\(update.rebuilt ? ", rebuilt" : ""))")
        let title = dimension == .hs ? "lines" : "declarations"
        for outcome in outcomes {
            Stats.table(
                "\(outcome.rawValue) (\(title), CNY, unconverted)",
                report.rows.map { row in
                    let figures = row.outcomes[outcome] ?? TradeReport.Figures()
                    let unconverted = figures.unconverted.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                    return (
                        row.key.isEmpty ? "(none)" : row.key,
                        "\(figures.count)  \(money(figures.cny)) CNY"
                            + (unconverted.isEmpty ? "" : "  + " + unconverted.joined(separator: ", "))
                    )
                })
        }
    }
}
