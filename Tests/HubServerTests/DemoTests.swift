import Foundation
import Testing

/// `swhub demo --json`, `swhub status` and `swhub stats` as a user runs them: real
/// processes (hub, five simulated departments), the JSON summary checked for consistency.
@Suite("swhub demo, status and stats")
struct DemoTests {
    /// Runs swhub on a thread of its own: the demo takes seconds, and a process wait must not
    /// hold one of the test host's few cooperative threads (other tests' tasks would starve).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        let executable = try TestHub.executable
        return try await onThread { try programOutput(executable, arguments) }
    }

    @Test func demoSettlesEveryFilingAndTheCommandsReadItsJournal() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-demo-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try await Self.run(["demo", "--count", "28", "--json", "--dir", directory.path, "--timeout", "60"])
        #expect(demo.status == 0, "\(demo.output)\nstandard error:\n\(demo.errors)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(demo.output.utf8)) as? [String: Any])
        let flows = try #require(report["flows"] as? [String: [String: Int]])
        #expect(flows["declaration"]?.values.reduce(0, +) == 28)
        #expect(flows["registration"]?.values.reduce(0, +) == 28)
        #expect(flows["declaration"]?.keys.allSatisfy { ["ACCEPTED", "REFUSED", "WITHDRAWN"].contains($0) } == true, "\(flows)")
        // After the release, one declaration is cancelled and another partly returned; customs approves both.
        let afterRelease = try #require(report["after_release"] as? [[String: String]], "\(report)")
        #expect(afterRelease.map { $0["kind"] ?? "" } == ["cancellation", "return"])
        #expect(afterRelease.allSatisfy { $0["state"] == "ACCEPTED" }, "\(afterRelease)")
        let cancelled = try #require(afterRelease.first?["declaration"])
        // Every 7th declaration is mismatched: 4 of 28, each reported with its rule.
        let rules = try #require(report["rule_failures"] as? [String: Int])
        #expect(rules.values.reduce(0, +) == 4, "\(rules)")
        #expect((flows["declaration"]?["REFUSED"] ?? 0) >= 4)
        #expect(report["refusals"] as? [String: Int] == ["414 BLACKLISTED": 1])
        #expect(report["settled"] as? Int == 56)
        // It ends by writing the month's report, PDF and CSV, in its folder.
        let written = try #require(report["report"] as? [String: String], "\(report)")
        #expect(written["pdf"].flatMap { FileManager.default.contents(atPath: $0) }?.starts(with: Data("%PDF".utf8)) == true)
        let csv = try String(contentsOfFile: try #require(written["csv"]), encoding: .utf8)
        #expect(csv.contains("summary,declared,declarations,28\r\n") && csv.contains("refusal_reasons,"), "\(csv.prefix(300))")

        let config = directory.appendingPathComponent("hub.yaml").path
        let status = try await Self.run(["status", "inventory-7", "--config", config])
        #expect(status.status == 0)
        #expect(status.output.contains("REFUSED (final)") && status.output.contains("CONSIGNEE ["), "\(status.output)")
        let withdrawn = try await Self.run(["status", cancelled, "--config", config])
        #expect(withdrawn.output.contains("withdrawn after the release: wdn:platform:cancellation-1"), "\(withdrawn.output)")
        let missing = try await Self.run(["status", "no-such-filing", "--config", config])
        #expect(missing.status == 3, "not found (not 64, the usage error): \(missing.output)")

        let stats = try await Self.run(["stats", "--config", config, "--json"])
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any])
        let byState = try #require(counts["by_state"] as? [String: [String: Int]])
        #expect(byState["ceb.Inventory"]?.values.reduce(0, +) == 28)
        #expect(byState["reg.Registration"]?.values.reduce(0, +) ?? 0 >= 28 + 3)
        #expect((counts["by_type"] as? [String: Int])?["ceb.Order"] ?? 0 >= 28)
        #expect(counts["rule_failures"] as? [String: Int] == rules)
    }
}
