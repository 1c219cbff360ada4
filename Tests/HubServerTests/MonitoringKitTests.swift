import Foundation
import HubClient
import HubServer
import HubTestSupport
import HubThreads
import Testing

/// The operations kit in `Deploy/monitoring/`: the alerting rules pass `promtool check rules`
/// and their unit tests (`promtool test rules`), the example Prometheus config passes
/// `promtool check config`, the Grafana dashboard is well-formed JSON, and every expression
/// of both uses only metrics the hub exports (``MetricCatalog``) or Prometheus's `up`. A real
/// `swhub serve`'s `/metrics` after traffic passes `promtool check metrics` (HELP on every
/// family, names as Prometheus wants them) and shows what the rules and an operator need.
/// promtool comes from Debian's `prometheus` (Scripts/test.sh installs it).
@Suite("Monitoring kit", .serialized, .timeLimit(.minutes(3)))
struct MonitoringKitTests {
    /// `Deploy/monitoring/` of this checkout.
    static let kit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Deploy/monitoring")
    static let sources = kit.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// Runs promtool in `Deploy/monitoring/` with `input` on standard input; its status and
    /// its standard output and error together.
    static func promtool(_ arguments: [String], input: String = "") async throws -> (status: Int32, output: String) {
        try await onThread {
            let promtool = "/usr/bin/promtool"
            guard FileManager.default.isExecutableFile(atPath: promtool) else {
                throw TestHubError("no \(promtool): apt-get install prometheus (Scripts/test.sh does)")
            }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-promtool-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let inURL = scratch.appendingPathComponent("in")
            let outURL = scratch.appendingPathComponent("out")
            try input.write(to: inURL, atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: promtool)
            process.arguments = arguments
            process.currentDirectoryURL = kit
            process.standardInput = try FileHandle(forReadingFrom: inURL)
            let output = try FileHandle(forWritingTo: outURL)
            process.standardOutput = output
            process.standardError = output
            try ProcessLaunch.run(process)
            process.waitUntilExit()
            return (process.terminationStatus, (try? String(contentsOf: outURL, encoding: .utf8)) ?? "")
        }
    }

    /// Every series name a rule or panel may use: the catalog's families (a histogram's
    /// `_bucket`, `_sum`, `_count`) and Prometheus's own `up`.
    static var exportedNames: Set<String> {
        var names: Set<String> = ["up"]
        for family in MetricCatalog.families {
            names.insert(family.name)
            if family.kind == .histogram { for suffix in ["_bucket", "_sum", "_count"] { names.insert(family.name + suffix) } }
        }
        return names
    }

    /// The metric names a PromQL expression reads: what is left once strings, label
    /// matchers, ranges, grouping clauses, functions, keywords and numbers are taken out.
    static func metricNames(in expression: String) throws -> Set<String> {
        var text = expression
        for pattern in [
            #""(?:[^"\\]|\\.)*""#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#, #"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#,
        ] {
            text = text.replacing(try Regex(pattern), with: " ")
        }
        let keywords: Set<String> = ["and", "or", "unless", "bool", "offset", "by", "without", "inf", "nan"]
        var names: Set<String> = []
        for match in text.matches(of: try Regex(#"[0-9.]*[a-zA-Z_:][a-zA-Z0-9_:]*"#)) {
            let token = String(text[match.range])
            guard let first = token.first, !first.isNumber, first != ".", !keywords.contains(token) else { continue }
            let rest = text[match.range.upperBound...].drop { $0 == " " }
            if rest.first == "(" { continue }  // a function or an aggregation
            names.insert(token)
        }
        return names
    }

    @Test func promtoolChecksTheRulesTheirUnitTestsAndTheConfig() async throws {
        let rules = try await Self.promtool(["check", "rules", "swhub-alerts.yml"])
        #expect(rules.status == 0 && rules.output.contains("SUCCESS"), "\(rules.output)")
        let unit = try await Self.promtool(["test", "rules", "swhub-alerts.test.yml"])
        #expect(unit.status == 0 && unit.output.contains("SUCCESS"), "\(unit.output)")
        let config = try await Self.promtool(["check", "config", "prometheus.yml"])
        #expect(config.status == 0 && config.output.contains("SUCCESS"), "\(config.output)")
        // The unit tests cover several alerts.
        let tested = try String(contentsOf: Self.kit.appendingPathComponent("swhub-alerts.test.yml"), encoding: .utf8)
        let alerts = Set(tested.split(separator: "\n").filter { $0.contains("alertname:") }.map { $0.split(separator: ":").last ?? "" })
        #expect(alerts.count >= 2, "\(alerts)")
    }

    @Test func rulesAndDashboardUseOnlyExportedMetrics() throws {
        let exported = Self.exportedNames
        let rules = try String(contentsOf: Self.kit.appendingPathComponent("swhub-alerts.yml"), encoding: .utf8)
        let expressions = rules.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("expr:") ? String(trimmed.dropFirst(5)) : nil
        }
        #expect(expressions.count >= 10)
        var used: Set<String> = []
        for expression in expressions {
            let names = try Self.metricNames(in: expression)
            #expect(!names.isEmpty && names.isSubset(of: exported), "\(expression): \(names.subtracting(exported).sorted())")
            used.formUnion(names)
        }
        for needed in [
            "swhub_journal_write_failures_total", "swhub_journal_corrupt_records_total", "swhub_backlog_messages",
            "swhub_journal_filesystem_avail_bytes", "swhub_cluster_flow_leader",
        ] {
            #expect(used.contains(needed), "no rule on \(needed)")
        }

        let data = try Data(contentsOf: Self.kit.appendingPathComponent("swhub-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(dashboard["title"] as? String == "SingleWindowHub")
        #expect((dashboard["uid"] as? String)?.isEmpty == false)
        #expect(dashboard["schemaVersion"] is Int)
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == panels.count && Set(ids).count == ids.count, "every panel has an id of its own")
        var panelExpressions = 0
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            #expect(panel["type"] is String && !title.isEmpty && panel["gridPos"] is [String: Any], "panel \(title)")
            guard panel["type"] as? String != "row" else { continue }
            let targets = try #require(panel["targets"] as? [[String: Any]], "panel \(title) has no targets")
            #expect(!targets.isEmpty, "panel \(title) has no targets")
            for target in targets {
                let expression = try #require(target["expr"] as? String, "a target of \(title) has no expr")
                #expect(target["refId"] is String)
                let names = try Self.metricNames(in: expression)
                #expect(!names.isEmpty && names.isSubset(of: exported), "\(title): \(expression): \(names.subtracting(exported).sorted())")
                panelExpressions += 1
            }
        }
        #expect(panelExpressions >= 20)
    }

    @Test func everyMetricTheSourcesCreateIsCatalogued() throws {
        let catalogued = Set(MetricCatalog.families.map(\.name))
        var found: [String: String] = [:]
        let files = try #require(FileManager.default.enumerator(atPath: Self.sources.path))
        for case let file as String in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            guard text.contains("import Metrics"), !file.hasPrefix("swhub/Bench") else { continue }
            for match in text.matches(of: try Regex(#""((swhub|process)_[a-z0-9_]+)""#)) {
                found[String(text[match.range].dropFirst().dropLast())] = file
            }
        }
        #expect(found.count >= 20, "\(found)")
        for (name, file) in found.sorted(by: { $0.key < $1.key }) {
            #expect(catalogued.contains(name), "\(file) makes \(name), which MetricCatalog does not list (no HELP)")
        }
        for family in MetricCatalog.families {
            let suffixOK =
                family.kind == .counter ? family.name.hasSuffix("_total") : !family.name.hasSuffix("_total")
            #expect(suffixOK, "\(family.name) is a \(family.kind)")
            #expect(!family.help.isEmpty)
        }
    }

    @Test func liveMetricsPassPromtoolAndCoverWhatOperatorsNeed() async throws {
        let (hub, port) = try await MonitorTests.startHub(tapQueue: 1000)
        let tap = try await hub.tapSubscriber("b")
        defer { tap.close() }
        let receiver = try await MonitorTests.traffic(hub)
        defer { receiver.close() }
        _ = try tap.read(until: 3)
        // The journal's files and their file system are a SQLite journal's (not on the PostgreSQL pass).
        let files = SuitePostgres.endpoint == nil ? ["swhub_journal_size_bytes", "swhub_journal_filesystem_avail_bytes"] : []
        let wanted =
            files + [
                "swhub_journal_head_seq", "swhub_journal_commit_seconds", "swhub_backlog_messages", "swhub_ack_lag_seconds",
                "swhub_acked_seq",
                "swhub_messages_in_total", "swhub_messages_out_total", "swhub_errors_total", "swhub_tap_dropped_total",
                "swhub_journal_write_failures_total", "swhub_journal_corrupt_records_total", "swhub_build_info",
                "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_max_fds",
                "process_start_time_seconds",
            ]
        var text = ""
        var families: Set<String> = []
        // The gauges and the backlog (with its lag) are refreshed once a second.
        try await waitUntil(.seconds(20), "families \(Set(wanted).subtracting(families).sorted()) missing from /metrics") {
            let response = try HTTPGet.get(port: port, "/metrics")
            text = response.body
            families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
            // The head gauge too is refreshed once a second: it may still show an older head.
            let head = try MonitorTests.metrics(port)["swhub_journal_head_seq"] ?? 0
            return Set(wanted).isSubset(of: families) && text.contains(#"swhub_ack_lag_seconds{party="c"}"#) && head >= 3
        }
        let check = try await Self.promtool(["check", "metrics"], input: text)
        #expect(check.status == 0 && check.output.isEmpty, "promtool check metrics: \(check.output)")
        let helped = Set(text.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.map { String($0.split(separator: " ")[2]) })
        #expect(families == helped, "without HELP: \(families.subtracting(helped).sorted())")
        #expect(
            families.isSubset(of: Set(MetricCatalog.families.map(\.name))), "\(families.subtracting(MetricCatalog.families.map(\.name)))")

        let samples = try MonitorTests.metrics(port)
        #expect((samples["swhub_journal_head_seq"] ?? 0) >= 3)
        if !files.isEmpty { #expect((samples[#"swhub_journal_size_bytes{file="journal"}"#] ?? 0) > 0) }
        #expect((samples["process_resident_memory_bytes"] ?? 0) > 1_000_000)
        #expect((samples["process_open_fds"] ?? 0) > 3)
        #expect((samples[#"swhub_ack_lag_seconds{party="c"}"#] ?? -1) >= 0)
        #expect(samples[#"swhub_acked_seq{party="b"}"#] != nil)
    }
}
