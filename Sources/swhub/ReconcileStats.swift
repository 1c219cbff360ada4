import ArgumentParser
import Foundation
import HubCore
import HubStore

/// `swhub stats --reconcile`: cross-verification (数据相互印证) of the platforms' orders, the
/// payments, the waybills and customs' releases per enterprise, kept in the statistics cache
/// beside the journal and brought up to the journal's head on each call.
enum ReconcileStats {
    static func run(config: HubConfig, configPath: String, period: String?, enterprise: String?, rebuild: Bool, json: Bool) throws {
        let chosen = try TradeStats.period(period)
        if let enterprise, enterprise.isEmpty { throw ValidationError("--enterprise is empty") }
        let inspector = try JournalAccess.inspector(config.store, archiveDirectory: config.archive?.directory)
        let cache = try ReconciliationCache(path: TradeStats.cachePath(config, configPath: configPath))
        let update = try cache.update(from: inspector, rebuild: rebuild)
        let settings = config.statistics.reconcile
        let report = ReconciliationReport(
            update.state, period: chosen, enterprise: enterprise, settings: settings, rates: config.statistics.rate)
        var counts = Dictionary(uniqueKeysWithValues: ReconciliationReport.Kind.allCases.map { ($0.rawValue, 0) })
        var byEnterprise: [String: Int] = [:]
        for discrepancy in report.discrepancies {
            counts[discrepancy.kind.rawValue, default: 0] += 1
            byEnterprise[discrepancy.enterprise, default: 0] += 1
        }
        let clock = update.state.clockUs == 0 ? "" : CivilDay.isoTime(microseconds: update.state.clockUs)
        if json {
            let object: [String: Any] = [
                "period": chosen.description,
                "enterprise": enterprise ?? NSNull(),
                "clock": clock,
                "last_seq": update.state.lastSeq,
                "folded": update.folded,
                "rebuilt": update.rebuilt,
                "tolerance": [
                    "absolute_cny": settings.absoluteTolerance.description, "relative": settings.relativeTolerance.description,
                ],
                "grace_days": settings.graceDays,
                "enterprises": report.totals.map { row in
                    [
                        "enterprise": row.enterprise,
                        "orders": figures(row.orders),
                        "payments": figures(row.payments),
                        "waybills": ["count": row.waybills],
                        "released": figures(row.released),
                        "summarised": ["count": row.summarised],
                        "discrepancies": byEnterprise[row.enterprise] ?? 0,
                    ] as [String: Any]
                },
                "discrepancy_counts": counts,
                "discrepancies": report.discrepancies.map { discrepancy in
                    [
                        "kind": discrepancy.kind.rawValue,
                        "enterprise": discrepancy.enterprise,
                        "day": discrepancy.day,
                        "reason": discrepancy.reason,
                        "documents": discrepancy.documents.map { document in
                            [
                                "seq": document.seq, "type": document.type, "sender": document.sender, "id": document.id,
                                "key": document.key,
                            ] as [String: Any]
                        },
                    ] as [String: Any]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            Output.line(String(decoding: data, as: UTF8.self))
            return
        }
        Output.line(
            "reconciliation, period \(chosen)\(enterprise.map { ", enterprise \($0)" } ?? ""): journal seq \(update.state.lastSeq)"
                + " (\(update.folded) records folded\(update.rebuilt ? ", rebuilt" : "")), clock \(clock.isEmpty ? "-" : clock),"
                + " tolerance \(settings.absoluteTolerance) CNY + \(settings.relativeTolerance) of the value, grace \(settings.graceDays) days"
        )
        for row in report.totals {
            Stats.table(
                "enterprise \(row.enterprise.isEmpty ? "(unknown)" : row.enterprise)",
                [
                    ("orders", line(row.orders)), ("payments", line(row.payments)), ("waybills", "\(row.waybills)"),
                    ("released", line(row.released)), ("summarised", "\(row.summarised)"),
                    ("discrepancies", "\(byEnterprise[row.enterprise] ?? 0)"),
                ])
        }
        Output.line("\ndiscrepancies: \(report.discrepancies.count)")
        for discrepancy in report.discrepancies {
            Output.line(
                "  \(discrepancy.day)  \(discrepancy.kind.rawValue)  \(discrepancy.enterprise.isEmpty ? "(unknown)" : discrepancy.enterprise)"
                    + "  \(discrepancy.reason)")
            for document in discrepancy.documents {
                Output.line("      seq \(document.seq)  \(document.type)  \(document.sender)  \(document.id)  \(document.key)")
            }
        }
    }

    /// A side's figures as `--json` writes them.
    static func figures(_ figures: TradeReport.Figures) -> [String: Any] {
        [
            "count": figures.count, "values": figures.values.mapValues(\.description), "cny": TradeStats.money(figures.cny),
            "unconverted": figures.unconverted.mapValues(\.description),
        ]
    }

    /// `12  15010.00 CNY + 30 116`: a side's figures in a table.
    static func line(_ figures: TradeReport.Figures) -> String {
        let unconverted = figures.unconverted.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return "\(figures.count)  \(TradeStats.money(figures.cny)) CNY"
            + (unconverted.isEmpty ? "" : "  + " + unconverted.joined(separator: ", "))
    }
}
