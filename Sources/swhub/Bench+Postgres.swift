import Foundation

/// The hub on PostgreSQL for `swhub bench --postgres`: one node on database `bench_one`
/// and two nodes (`bench-a`, `bench-b`) on database `bench_two`, each with `/metrics`.
final class PostgresHubs {
    let database: BenchPostgres
    let oneNode: BenchSetup
    let twoNodes: BenchSetup

    init(database: BenchPostgres, directory: URL, idOrder: BenchMessageId.Order) throws {
        self.database = database
        oneNode = try BenchSetup(directory: directory.appendingPathComponent("postgres-1node"), idOrder: idOrder)
        twoNodes = try BenchSetup(directory: directory.appendingPathComponent("postgres-2nodes"), idOrder: idOrder)
        for setup in [oneNode, twoNodes] { try FileManager.default.createDirectory(at: setup.directory, withIntermediateDirectories: true) }
        do {
            try oneNode.startHub(store: database.store(database: "bench_one"), metrics: true)
            try twoNodes.startHub(store: database.store(database: "bench_two"), nodes: 2, metrics: true)
        } catch {
            stop()
            throw error
        }
    }

    func stop() {
        oneNode.stopAll()
        twoNodes.stopAll()
    }
}

extension Bench {
    /// Writes a line that explains a case's figure: standard error with `--json` (standard
    /// output holds only the JSON lines), else indented under the case.
    func note(_ name: String, _ text: String) {
        if json {
            Output.error("\(name): \(text)")
        } else {
            Output.line("  " + text)
        }
    }

    /// The SQLite hub's 1 → 1 routing, with its group commits noted when its metrics are on.
    func sqliteRouting(_ setup: BenchSetup, size: Int, count: Int, recipients: Int) throws -> Double {
        let (rate, commits) = try setup.measuringCommits {
            try setup.runRouting(hub: true, size: size, count: count, recipients: recipients)
        }
        if let commits {
            note("route_1to\(recipients) \(size) B sqlite", "sqlite journal: " + commits.describe(messages: count))
        }
        return rate
    }

    /// `route_1to1_postgres`, `route_1to1_postgres_2nodes`, `route_1to5_postgres` and
    /// `route_1to5_postgres_2nodes` at `size`: the one-node figures beside the same run's
    /// SQLite figures, the two-node figures (sender on node A, receivers on node B) beside
    /// the one-node ones. Each is followed by notes on the hub's group commits and, for the
    /// one-node cases, what PostgreSQL spent on them.
    func postgresRouting(_ hubs: PostgresHubs, _ report: BenchReport, size: Int, count: Int, sqlite1to1: Double, sqlite1to5: Double) throws
    {
        for (recipients, sqlite) in [(1, sqlite1to1), (5, sqlite1to5)] {
            let name = "route_1to\(recipients)_postgres"
            try hubs.database.resetStatistics()
            let (one, oneCommits) = try hubs.oneNode.measuringCommits {
                try hubs.oneNode.runRouting(hub: true, size: size, count: count, recipients: recipients)
            }
            report.line(
                case: name, size: size, count: count, rate: one, baseline: sqlite, rss: hubs.oneNode.hubRSS, baselineName: "sqlite")
            if let oneCommits { note("\(name) \(size) B", "hub: " + oneCommits.describe(messages: count)) }
            for line in try hubs.database.statistics(database: "bench_one") { note("\(name) \(size) B", "postgres: " + line) }

            try hubs.database.resetStatistics()
            let (two, twoCommits) = try hubs.twoNodes.measuringCommits {
                try hubs.twoNodes.runRouting(hub: true, size: size, count: count, recipients: recipients, senderNode: 0, receiverNode: 1)
            }
            report.line(
                case: name + "_2nodes", size: size, count: count, rate: two, baseline: one, rss: hubs.twoNodes.hubRSS,
                baselineName: "postgres 1 node")
            if let twoCommits { note("\(name)_2nodes \(size) B", "hubs: " + twoCommits.describe(messages: count)) }
        }
    }

    /// `flow_registration_postgres`, `flow_declaration_postgres` and their `_latency`
    /// cases: the flow bench with the hub's journal in PostgreSQL, each beside the same
    /// run's SQLite figure of the same case.
    func postgresFlows(_ database: BenchPostgres, _ report: BenchReport, directory: URL, filings: Int, sqlite: [FlowBench.Result])
        async throws
    {
        let store = try database.store(database: "bench_flows")
        for result in try await FlowBench.run(
            directory: directory.appendingPathComponent("flows-postgres"), registrations: filings, declarations: filings, store: store)
        {
            let baseline = sqlite.first { $0.name == result.name }?.rate
            report.line(
                case: result.name + "_postgres", size: nil, count: result.count, rate: result.rate, baseline: baseline, rss: nil,
                p50: result.histogram.valueAtPercentile(50), p99: result.histogram.valueAtPercentile(99), baselineName: "sqlite",
                unit: "flows/s", hubCPU: result.hubCPUMicrosPerFlow)
        }
    }

    /// The PostgreSQL-only run (`--postgres-only`): for each size, the SQLite hub's 1 → 1
    /// and 1 → 5 figures, then the PostgreSQL cases beside them; the flow cases on both
    /// stores; node loss and the flows' takeover.
    func postgresOnlyRun(_ setup: BenchSetup, _ report: BenchReport, directory: URL, messages: Int, filings: Int) async throws {
        let database = try await BenchPostgres.launch()
        defer { database.shutdown() }
        if !json { Output.line("PostgreSQL 15 on \(database.server.endpoint), in \(database.server.directory.path)") }
        let hubs = try PostgresHubs(database: database, directory: directory, idOrder: idOrder)
        defer { hubs.stop() }
        for size in [100, 1024] {
            let one = try sqliteRouting(setup, size: size, count: messages, recipients: 1)
            report.line(case: "route_1to1", size: size, count: messages, rate: one, baseline: nil, rss: setup.hubRSS)
            let five = try sqliteRouting(setup, size: size, count: messages, recipients: 5)
            report.line(case: "route_1to5", size: size, count: messages, rate: five, baseline: nil, rss: setup.hubRSS)
            try postgresRouting(hubs, report, size: size, count: messages, sqlite1to1: one, sqlite1to5: five)
        }
        hubs.stop()
        let sqliteFlows = try await FlowBench.run(
            directory: directory.appendingPathComponent("flows"), registrations: filings, declarations: filings)
        for result in sqliteFlows {
            report.line(
                case: result.name, size: nil, count: result.count, rate: result.rate, baseline: nil, rss: nil,
                p50: result.histogram.valueAtPercentile(50), p99: result.histogram.valueAtPercentile(99), unit: "flows/s",
                hubCPU: result.hubCPUMicrosPerFlow)
        }
        try await postgresFlows(database, report, directory: directory, filings: filings, sqlite: sqliteFlows)
        try await clusterFailures(database, report, directory: directory)
    }

    /// `failover_node_loss` and `flows_takeover` (durations in `p50_us` / `p99_us`, over
    /// `count` trials; `p99_us` is then the longest).
    func clusterFailures(_ database: BenchPostgres, _ report: BenchReport, directory: URL) async throws {
        let loss = try await BenchFailover.nodeLoss(
            database: database, directory: directory.appendingPathComponent("failover"), trials: quick ? 3 : 5)
        report.durations(case: "failover_node_loss", loss.durations)
        note("failover_node_loss", loss.detail)
        let takeover = try await BenchFailover.flowsTakeover(
            database: database, directory: directory.appendingPathComponent("takeover"), trials: quick ? 2 : 3)
        report.durations(case: "flows_takeover", takeover.lease)
        note("flows_takeover", takeover.detail)
        report.durations(case: "flows_takeover_first_feedback", takeover.firstFeedback)
    }
}
