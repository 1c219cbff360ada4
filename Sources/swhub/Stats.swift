import ArgumentParser
import Foundation
import HubCore
import HubProtocol
import HubStore

/// `swhub stats`: 统计监测 — messages by type, department and day, and the flows by state,
/// read from the journal (safe beside a running hub).
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Count messages by type, department and day, and filings by state; trade statistics (--trade) and cross-verification (--reconcile)."
    )

    @Option(help: "The hub's config file (its journal is read).")
    var config: String

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Flag(help: "Trade statistics: declarations released and refused, with their values (kept incrementally).")
    var trade = false

    @Flag(
        help:
            "Cross-verification: orders, payments, waybills and releases per enterprise side by side, and every discrepancy with its documents (kept incrementally)."
    )
    var reconcile = false

    @Option(help: "With --reconcile: only this enterprise (ebc_code).")
    var enterprise: String?

    @Option(help: "With --trade or --reconcile: a day (2026-11-05), month (2026-11) or quarter (2026-Q4); default every day.")
    var period: String?

    @Option(help: "With --trade: group by outcome, direction, mode, country, hs, enterprise, platform, day, month or quarter.")
    var by: String?

    @Flag(help: "With --trade or --reconcile: fold the whole journal again instead of what it gained since the last call.")
    var rebuild = false

    func validate() throws {
        if trade, reconcile {
            throw ValidationError("--trade and --reconcile are two views: give one of them")
        }
        if !trade, !reconcile, period != nil || rebuild {
            throw ValidationError("--period and --rebuild go with --trade or --reconcile")
        }
        if !trade, by != nil { throw ValidationError("--by goes with --trade") }
        if !reconcile, enterprise != nil { throw ValidationError("--enterprise goes with --reconcile") }
    }

    func run() throws {
        let hubConfig = try HubConfig.load(path: config)
        if trade {
            try TradeStats.run(config: hubConfig, configPath: config, period: period, by: by, rebuild: rebuild, json: json)
            return
        }
        if reconcile {
            try ReconcileStats.run(
                config: hubConfig, configPath: config, period: period, enterprise: enterprise, rebuild: rebuild, json: json)
            return
        }
        let inspector = try JournalAccess.inspector(hubConfig.store, archiveDirectory: hubConfig.archive?.directory)
        let departments = Set(hubConfig.parties.filter { $0.roles.contains(where: \.isDepartment) }.map(\.id))
        let sent = try inspector.countsBySender()
        let received = try inspector.countsByRecipient()
        var byDepartment: [String: [String: Int]] = [:]
        for count in sent where departments.contains(count.key) { byDepartment[count.key, default: [:]]["sent"] = count.count }
        for count in received where departments.contains(count.key) { byDepartment[count.key, default: [:]]["received"] = count.count }
        let flows = try Self.flowStates(inspector)
        let adapters = try Self.adapterEvents(inspector)
        let report: [String: Any] = [
            "head_seq": try inspector.headSeq(),
            "by_type": Dictionary(uniqueKeysWithValues: try inspector.countsByType().map { ($0.key, $0.count) }),
            "by_department": byDepartment,
            "by_day": Dictionary(uniqueKeysWithValues: try inspector.countsByDay().map { ($0.key, $0.count) }),
            "by_state": flows.states,
            "rule_failures": flows.rules,
            "adapters": adapters,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            Output.line(String(decoding: data, as: UTF8.self))
            return
        }
        Output.line("journal head: \(report["head_seq"] ?? 0)")
        Self.table("messages by type", try inspector.countsByType().map { ($0.key, "\($0.count)") })
        Self.table(
            "departments (sent / received)",
            byDepartment.keys.sorted().map { key in
                (key, "\(byDepartment[key]?["sent"] ?? 0) / \(byDepartment[key]?["received"] ?? 0)")
            })
        Self.table("messages by day (UTC)", try inspector.countsByDay().map { ($0.key, "\($0.count)") })
        for (type, states) in flows.states.sorted(by: { $0.key < $1.key }) {
            Self.table("\(type) filings by state", states.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") })
        }
        if !flows.rules.isEmpty {
            Self.table("三单对碰 and filing rule failures", flows.rules.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") })
        }
        if !adapters.isEmpty {
            Self.table(
                "department adapters: files archived / rejected, records unlinked / returned (bank returns and reversals)",
                adapters.keys.sorted().map { key in
                    let counts = adapters[key] ?? [:]
                    return (
                        key,
                        "\(counts["archived"] ?? 0) / \(counts["error"] ?? 0), \(counts["unlinked"] ?? 0) / \(counts["returned"] ?? 0)"
                    )
                })
        }
    }

    /// The latest feedback of every filing, counted by subject type and state; and the
    /// rules that refused declarations.
    static func flowStates(_ inspector: JournalInspector) throws -> (states: [String: [String: Int]], rules: [String: Int]) {
        var latest: [String: BizFeedback] = [:]
        var after: UInt64 = 0
        while true {
            let page = try inspector.records(type: MessageType.feedback.rawValue, after: after, limit: 5000)
            guard let last = page.last else { break }
            after = last.seq
            for record in page where record.sender == HubConfig.hubParty {
                guard let cut = record.id.lastIndex(of: ":"), let feedback = try? BizFeedback(serializedBytes: record.body) else {
                    continue
                }
                latest[String(record.id[..<cut])] = feedback
            }
        }
        var states: [String: [String: Int]] = [:]
        var rules: [String: Int] = [:]
        for feedback in latest.values {
            states[feedback.subjectType, default: [:]][Status.name(feedback.state), default: 0] += 1
            for reason in feedback.reasons {
                guard let rule = reason.split(separator: " ").first,
                    MatchRule(rawValue: String(rule)) != nil || FlowEngine.FilingRule(rawValue: String(rule)) != nil
                else { continue }
                rules[String(rule), default: 0] += 1
            }
        }
        return (states, rules)
    }

    /// The department adapters' reports (`adapter.Event`), counted by department and kind.
    static func adapterEvents(_ inspector: JournalInspector) throws -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        var after: UInt64 = 0
        while true {
            let page = try inspector.records(type: MessageType.adapterEvent.rawValue, after: after, limit: 5000)
            guard let last = page.last else { break }
            after = last.seq
            for record in page {
                guard let event = try? BizAdapterEvent(serializedBytes: record.body) else { continue }
                counts[record.sender, default: [:]][event.kind, default: 0] += 1
            }
        }
        return counts
    }

    static func table(_ title: String, _ rows: [(String, String)]) {
        Output.line("\n\(title)")
        let width = max(8, rows.map(\.0.count).max() ?? 0)
        for (key, value) in rows { Output.line("  \(key.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)") }
    }
}
