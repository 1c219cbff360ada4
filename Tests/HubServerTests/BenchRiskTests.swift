import Foundation
import Testing

/// `swhub bench --risk` as a user runs it, at tiny counts: the flow cases on a plain hub, on
/// one running all six risk rules (action notify) and on a plain one again, each risk case
/// beside the mean of the two plain runs; the notices the rules journaled; the statistics
/// folded over the risk run's journal. Performance is not asserted; only that every case
/// settled its flows with its right baseline, that the risk hub ran the rules (its config
/// names all six, its journal holds their notices, the plain hubs' none), and that the folds
/// read the journal.
@Suite("swhub bench --risk")
struct BenchRiskTests {
    @Test func flowCasesRunPlainWithTheRulesAndPlainAgain() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-bench-risk-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try TestHub.executable
        let run = try await onThread {
            try programOutput(executable, ["bench", "--risk", "--count", "2000", "--flows", "20", "--json", "--dir", directory.path])
        }
        #expect(run.status == 0, "\(run.output)\nstandard error:\n\(run.errors)")
        let lines = run.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        func line(_ name: String) -> [String: Any]? { lines.first { $0["case"] as? String == name } }
        func number(_ name: String, _ key: String) -> Double? { (line(name)?[key] as? NSNumber)?.doubleValue }
        for flow in ["flow_registration", "flow_declaration", "flow_registration_latency", "flow_declaration_latency"] {
            let plain = number(flow, "msgs_per_s")
            #expect((plain ?? 0) > 0, "\(flow) in \(run.output)")
            let again = number("\(flow)_plain_again", "msgs_per_s")
            #expect((again ?? 0) > 0, "\(flow)_plain_again in \(run.output)")
            #expect(number("\(flow)_plain_again", "baseline_msgs_per_s") == plain)
            // The risk case beside the mean of the two plain runs that bracket it.
            #expect((number("\(flow)_risk", "msgs_per_s") ?? 0) > 0, "\(flow)_risk in \(run.output)")
            let mean = ((plain ?? 0) + (again ?? 0)) / 2
            let baseline = number("\(flow)_risk", "baseline_msgs_per_s") ?? 0
            #expect(abs(baseline - mean) <= 1, "\(flow)_risk: \(baseline), mean \(mean)")
            #expect((number("\(flow)_risk", "hub_cpu_us_per_msg") ?? -1) >= 0, "\(flow)_risk: the hub's CPU per flow")
        }

        // The risk hub ran the rules: the latency cases' declarations file the throughput
        // cases' buyers again (20 of them), over the yearly quota and split.
        let notices = line("risk_notices")
        let byRule = notices?["by_rule"] as? [String: Int] ?? [:]
        #expect(Set(byRule.keys) == ["consumer_quota", "split_orders", "identity_spread", "value_gap", "volume_change", "blacklist_links"])
        #expect(byRule["consumer_quota"] == 20 && byRule["split_orders"] == 20, "\(byRule)")
        #expect((notices?["count"] as? Int) == byRule.values.reduce(0, +))
        let config = try String(contentsOf: directory.appendingPathComponent("flows-risk/hub.yaml"), encoding: .utf8)
        for rule in ["consumer_quota", "split_orders", "identity_spread", "value_gap", "volume_change", "blacklist_links"] {
            #expect(config.contains("    \(rule): {action: notify"), "\(rule) in the risk hub's config")
        }
        for plain in ["flows", "flows-plain_again"] {
            let text = try String(contentsOf: directory.appendingPathComponent("\(plain)/hub.yaml"), encoding: .utf8)
            #expect(!text.contains("risk:"), "\(plain) runs no rule")
        }
        // The journal holds the notices: their ids name the rule.
        let journal = try journalBytes(directory.appendingPathComponent("flows-risk"))
        #expect(journal.range(of: Data(":consumer_quota".utf8)) != nil)
        #expect(try journalBytes(directory.appendingPathComponent("flows-plain_again")).range(of: Data("risk.Notice".utf8)) == nil)

        for fold in ["stats_trade_fold", "stats_reconcile_fold"] {
            let records = number(fold, "count") ?? 0
            let folded = number(fold, "folded") ?? 0
            #expect(records > 0 && folded > 0 && folded <= records, "\(fold) in \(run.output)")
            #expect((number(fold, "ms_per_1000_records") ?? -1) >= 0, "\(fold) in \(run.output)")
        }
    }

    /// The bytes of a run's SQLite journal files (the database and its WAL).
    private func journalBytes(_ folder: URL) throws -> Data {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("journal.sqlite") }.sorted()
        var data = Data()
        for file in files { data += try Data(contentsOf: folder.appendingPathComponent(file)) }
        return data
    }
}
