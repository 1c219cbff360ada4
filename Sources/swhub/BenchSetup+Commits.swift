import Foundation
import LocalServers

/// The hub's group commits over a span of a bench, from its own metric
/// `swhub_journal_commit_seconds` (read from each node's `/metrics`).
struct BenchCommits {
    /// Group commits.
    var count: Double
    /// Seconds spent in them.
    var seconds: Double

    static func - (after: BenchCommits, before: BenchCommits) -> BenchCommits {
        BenchCommits(count: after.count - before.count, seconds: after.seconds - before.seconds)
    }

    /// "N commits, M msgs per commit, mean X ms" for `messages` journaled in the span.
    func describe(messages: Int) -> String {
        guard count > 0 else { return "no commits recorded" }
        return String(
            format: "%.0f group commits, %.1f msgs per commit, mean commit %.2f ms (%.1f µs per message)", count,
            Double(messages) / count, seconds / count * 1000, seconds / Double(messages) * 1e6)
    }

    /// The totals in a Prometheus text exposition, nil if the metric is not there.
    static func parse(_ text: String) -> BenchCommits? {
        var count: Double?
        var seconds: Double?
        for line in text.split(separator: "\n") where line.hasPrefix("swhub_journal_commit_seconds_") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            if parts[0].hasPrefix("swhub_journal_commit_seconds_count") { count = value }
            if parts[0].hasPrefix("swhub_journal_commit_seconds_sum") { seconds = value }
        }
        guard let count, let seconds else { return nil }
        return BenchCommits(count: count, seconds: seconds)
    }
}

extension BenchSetup {
    /// The commits of every running node with `/metrics` so far, summed; nil when no node
    /// serves its metrics.
    func commits() -> BenchCommits? {
        var total: BenchCommits?
        for node in nodes where node.process != nil {
            guard let port = node.metricsPort, let text = try? LoopbackHTTP.get(port: port, "/metrics").body,
                let commits = BenchCommits.parse(text)
            else { continue }
            total = BenchCommits(count: (total?.count ?? 0) + commits.count, seconds: (total?.seconds ?? 0) + commits.seconds)
        }
        return total
    }

    /// Runs `body` and returns its result with the commits the nodes made meanwhile (nil
    /// without metrics).
    func measuringCommits<T>(_ body: () throws -> T) rethrows -> (T, BenchCommits?) {
        let before = commits()
        let result = try body()
        guard let before, let after = commits() else { return (result, nil) }
        return (result, after - before)
    }
}
