import ArgumentParser
import Foundation
import Histogram
import HubCore
import HubStore
import ZeroMQ

/// `swhub bench`: measures the hub against libzmq's own `zmq_proxy` in the same run, with
/// the same client code, sizes and counts, and prints msgs/s, the ratio, latency
/// percentiles and the hub's peak RSS.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark the hub against libzmq's zmq_proxy in the same run.")

    @Flag(help: "Reduced counts: the whole run in under a minute.")
    var quick = false

    @Flag(help: "One JSON object per line.")
    var json = false

    @Option(help: "Messages per throughput case (default 100000, 20000 with --quick).")
    var count: Int?

    @Option(
        help: """
            Directory for the bench's journals, keys and logs, kept afterwards (default: a new temporary directory, \
            removed when the bench succeeds and kept, with its path printed, when it fails).
            """)
    var dir: String?

    @Option(help: "Registrations and declarations per flow case (default 2000, 500 with --quick).")
    var flows: Int?

    @Option(help: "Filings in flight at once in the flow throughput cases.")
    var flowWindow = 200

    @Option(
        help: """
            Messages the routing cases' sender keeps submitted and not yet accepted. The recipients are not waited \
            for: with a larger window they fall further behind and catch up from the hub's recent messages or from \
            its journal.
            """)
    var window = 2000

    @Flag(help: "Only the flow cases (with the 1 KB 1 → 1 routing baseline they are compared with).")
    var flowsOnly = false

    @Flag(help: "Only the tap case (1 KB 1 → 1 routing with three tap subscribers, and without).")
    var tapsOnly = false

    @Flag(help: "Only 1 → 1 routing with the Swift sender and with the C adapter kit's sender, and the zmq_proxy baseline.")
    var cSenderOnly = false

    @Flag(
        help: """
            Also the hub on PostgreSQL (a throwaway PostgreSQL 15 the bench starts): routing on one node and on two, \
            the flows, node loss and the flows' takeover, each beside the same run's SQLite figure.
            """)
    var postgres = false

    @Flag(help: "Only the PostgreSQL cases, with the same run's SQLite figures they are compared with.")
    var postgresOnly = false

    @Flag(help: "Only routing: route_1to1 and route_1to5, one message and batches per frame set, with their zmq_proxy baselines.")
    var routingOnly = false

    /// Messages per SUBMIT_BATCH and per DELIVER_BATCH in the `…_batched` cases.
    static let wireBatch = 100

    @Option(
        help: """
            Only 1 → 1 routing beside a peer message bus doing the same in the same run: nats (NATS JetStream with TLS \
            and without, file storage; needs Debian's nats-server and libnats-dev).
            """)
    var peer: BenchPeer?

    @Flag(
        help: """
            Only the cases that write and read the journal (1 KB route_1to1, one message and batches per frame set; replay, \
            one deliver and batches), on a hub with crypto: standard, then on one with crypto: sm (SM3 chain and checksums) \
            beside it.
            """)
    var cryptoOnly = false

    @Flag(
        help: """
            Only the flow cases (as --flows-only), six times: without personal-field sealing, sealing them in the journal \
            with crypto: standard (AES-256-GCM, …_sealed_aes), with crypto: sm but no keys (the SM3 chain alone, \
            …_unsealed_sm3), sealing with crypto: sm (SM4-GCM, …_sealed_sm4), the SM3 chain again, without again; each \
            figure beside the mean of the two runs bracketing it (SM4 sealing beside the SM3-chain runs), with the hub's CPU \
            per flow.
            """)
    var sealing = false

    @Flag(
        help: """
            Only the flow cases (as --flows-only), three times: on a plain hub, on one running all six risk rules \
            (action notify), on a plain one again; each risk figure beside the mean of the plain runs bracketing it, with \
            the hub's CPU per flow, the notices the rules journaled, and the trade statistics' and the reconciliation's \
            fold over the risk run's journal (ms per 1,000 journal records).
            """)
    var risk = false

    @Flag(help: "Only submit → accepted latency (with the 1 → 1 routing rate it runs at half of), for 100 B and 1 KB.")
    var latencyOnly = false

    @Flag(
        help: """
            Message ids as random UUIDs (version 4), as a client that picks its own ids with UUID() sends them, instead \
            of the Swift SDK's default time-ordered ones (UUID version 7), in every case whose senders are the bench's own.
            """)
    var randomIds = false

    /// The kind of client id the bench's senders put in their messages' ids.
    var idOrder: BenchMessageId.Order { randomIds ? .random : .timeOrdered }

    func run() async throws {
        MallocTuning.apply()
        SQLiteProcessSettings.apply()  // before any journal is opened
        let messages = count ?? (quick ? 20_000 : 100_000)
        let workDir = URL(
            fileURLWithPath: dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("swhub-bench-\(UUID().uuidString)").path)
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
        do {
            try await runCases(in: workDir, messages: messages)
        } catch {
            if dir == nil { Output.error("swhub bench: its journals, keys and logs are kept in \(workDir.path)") }
            throw error
        }
        // A run leaves a gigabyte or more of journals: a directory the bench made itself goes
        // with it (every hub and client it started has stopped by now).
        if dir == nil { try? FileManager.default.removeItem(at: workDir) }
    }

    /// The cases the options ask for, with their servers and clients in `workDir`.
    private func runCases(in workDir: URL, messages: Int) async throws {
        let report = BenchReport(json: json)
        let kept = dir == nil ? " (removed at the end of a successful run)" : ""
        if cryptoOnly {
            if !json {
                Output.line("swhub bench: \(messages) messages per case, CURVE on every socket, journals in \(workDir.path)\(kept)")
            }
            try cryptoRun(report, directory: workDir, messages: messages)
            return
        }
        let setup = try BenchSetup(directory: workDir, idOrder: idOrder)
        setup.senderWindow = max(1, window)
        if !json {
            Output.line("swhub bench: \(messages) messages per case, CURVE on every socket, journal in \(workDir.path)\(kept)")
        }
        let filings = flows ?? (quick ? 500 : 2000)
        let onPostgres = postgres || postgresOnly
        if !postgresOnly { try setup.startBaselines() }
        // With the PostgreSQL cases, the SQLite hub serves its metrics too: its commits are
        // noted beside theirs.
        try setup.startHub(metrics: onPostgres)
        defer { setup.stopAll() }
        if postgresOnly {
            try await postgresOnlyRun(setup, report, directory: workDir, messages: messages, filings: filings)
            return
        }
        if tapsOnly {
            let before = try setup.runRouting(hub: true, size: 1024, count: messages, recipients: 1)
            try tapCase(setup, report, count: messages, before: before)
            return
        }
        if latencyOnly {
            for size in [100, 1024] {
                let hub = try sqliteRouting(setup, size: size, count: messages, recipients: 1)
                report.line(case: "route_1to1", size: size, count: messages, rate: hub, baseline: nil, rss: setup.hubRSS)
                try latencyCase(setup, report, size: size, rate: hub / 2, messages: messages)
            }
            return
        }
        if cSenderOnly {
            for size in [100, 1024] { try cSenderCase(setup, report, size: size, count: messages, baseline: nil) }
            return
        }
        if routingOnly {
            for size in [100, 1024] { try routingCases(setup, report, size: size, count: messages) }
            return
        }
        if peer == .nats {
            try natsPeerRun(setup, report, directory: workDir, messages: messages)
            return
        }
        var database: BenchPostgres?
        var hubs: PostgresHubs?
        defer {
            hubs?.stop()
            database?.shutdown()
        }
        if postgres {
            database = try await BenchPostgres.launch()
            if let database {
                if !json { Output.line("PostgreSQL 15 on \(database.server.endpoint), in \(database.server.directory.path)") }
                hubs = try PostgresHubs(database: database, directory: workDir, idOrder: idOrder)
            }
        }

        var proxyBaseline1K: Double?
        for size in flowsOnly || sealing || risk ? [] : [100, 1024] {
            // 1 → 1, durable on the hub, with acks; the baseline forwards and echoes.
            let base = try setup.runRouting(hub: false, size: size, count: messages, recipients: 1)
            if size == 1024 { proxyBaseline1K = base }
            let hub = try sqliteRouting(setup, size: size, count: messages, recipients: 1)
            let hubCPU = setup.hubMicrosPerMessage
            report.line(
                case: "route_1to1", size: size, count: messages, rate: hub, baseline: base, rss: setup.hubRSS, hubCPU: hubCPU,
                clientsCPU: setup.clientsMicrosPerMessage, hubThreads: setup.hubThreadMicrosPerMessage)
            // The same in batches of 100 on the wire both ways (PROTOCOL.md section 16).
            let batched = try batchedCase(setup, report, size: size, count: messages, recipients: 1, baseline: base)
            // For reference: the same baseline without CURVE (the hub never runs without it).
            // The same with the C adapter kit as the sender.
            try cSenderCase(setup, report, size: size, count: messages, baseline: base)
            let plain = try setup.runRouting(hub: false, size: size, count: messages, recipients: 1, curve: false)
            report.line(case: "route_1to1_vs_plain_tcp", size: size, count: messages, rate: hub, baseline: plain, rss: nil)
            // The same with three monitoring-tap subscribers, against the hub without them.
            if size == 1024 { try tapCase(setup, report, count: messages, before: hub) }

            // 1 → 5: the baseline is zmq_proxy's XSUB/XPUB fan-out.
            let fanBase = try setup.runRouting(hub: false, size: size, count: messages, recipients: 5)
            let fanHub = try sqliteRouting(setup, size: size, count: messages, recipients: 5)
            report.line(
                case: "route_1to5", size: size, count: messages, rate: fanHub, baseline: fanBase, rss: setup.hubRSS,
                hubCPU: setup.hubMicrosPerMessage, clientsCPU: setup.clientsMicrosPerMessage, hubThreads: setup.hubThreadMicrosPerMessage)
            try batchedCase(setup, report, size: size, count: messages, recipients: 5, baseline: batched)
            if let hubs {
                try postgresRouting(hubs, report, size: size, count: messages, sqlite1to1: hub, sqlite1to5: fanHub)
            }

            // submit → accepted at half the hub's peak 1 → 1 rate.
            try latencyCase(setup, report, size: size, rate: hub / 2, messages: messages)
        }
        if let proxyBaseline1K {
            // Replay of one party's journaled stream (1 KB), next to the 1 KB zmq_proxy baseline.
            let rates = try setup.runReplay(size: 1024, count: messages, batches: [0, UInt32(Self.wireBatch)])
            report.line(case: "replay", size: 1024, count: messages, rate: rates[0], baseline: proxyBaseline1K, rss: setup.hubRSS)
            report.line(
                case: "replay_batched", size: 1024, count: messages, rate: rates[1], baseline: proxyBaseline1K, rss: setup.hubRSS)
        }
        report.line(case: "hub_peak_rss", size: nil, count: nil, rate: nil, baseline: nil, rss: setup.hubRSS)

        // Whole flows, next to the hub's 1 KB durable 1 → 1 routing rate of this run.
        let baseline = try setup.runRouting(hub: true, size: 1024, count: messages, recipients: 1)
        report.line(case: "flow_baseline_route_1to1", size: 1024, count: messages, rate: baseline, baseline: nil, rss: nil)
        hubs?.stop()
        let sqliteFlows = try await FlowBench.run(
            directory: workDir.appendingPathComponent("flows"), registrations: filings, declarations: filings,
            window: max(1, flowWindow))
        for result in sqliteFlows {
            report.line(
                case: result.name, size: nil, count: result.count, rate: result.rate, baseline: baseline, rss: nil,
                p50: result.histogram.valueAtPercentile(50), p99: result.histogram.valueAtPercentile(99),
                baselineName: "hub route 1→1", unit: "flows/s", hubCPU: result.hubCPUMicrosPerFlow,
                hubThreads: result.hubThreadsMicrosPerFlow)
        }
        if sealing { try await sealedFlows(report, directory: workDir, filings: filings, unsealed: sqliteFlows) }
        if risk { try await riskFlows(report, directory: workDir, filings: filings, plain: sqliteFlows) }
        if let database {
            try await postgresFlows(database, report, directory: workDir, filings: filings, sqlite: sqliteFlows)
            try await clusterFailures(database, report, directory: workDir)
        }
    }
}

extension Bench {
    /// `submit_latency`: submit → accepted at `rate` (half the hub's peak 1 → 1 rate), for
    /// 2 s (5 s without `--quick`) of messages, at least 2,000 and at most `messages`.
    func latencyCase(_ setup: BenchSetup, _ report: BenchReport, size: Int, rate: Double, messages: Int) throws {
        let latencyCount = min(messages, max(2000, Int(rate * (quick ? 2 : 5))))
        let histogram = try setup.runLatency(size: size, count: latencyCount, rate: rate)
        report.line(
            case: "submit_latency", size: size, count: latencyCount, rate: rate, baseline: nil, rss: setup.hubRSS,
            p50: histogram.valueAtPercentile(50), p99: histogram.valueAtPercentile(99), tail: histogram)
    }
}

/// Prints result lines, as text or JSON.
struct BenchReport {
    let json: Bool

    func line(
        case name: String, size: Int?, count: Int?, rate: Double?, baseline: Double?, rss: Double?,
        p50: UInt64? = nil, p99: UInt64? = nil, tail: Histogram<UInt64>? = nil, baselineName: String = "zmq_proxy",
        unit: String = "msgs/s", hubCPU: Double? = nil, clientsCPU: Double? = nil, baselineUnit: String = "msgs/s",
        hubThreads: [String: Double]? = nil
    ) {
        // With a whole histogram: also p90, p99.9 and the maximum.
        let more = tail.map { [("p90", $0.valueAtPercentile(90)), ("p999", $0.valueAtPercentile(99.9)), ("max", $0.max)] } ?? []
        let ratio = rate.flatMap { rate in baseline.map { rate / $0 } }
        if json {
            func number(_ value: Double?, _ digits: Int) -> String {
                value.map { String(format: "%.\(digits)f", $0) } ?? "null"
            }
            var fields = [
                "\"case\": \"\(name)\"", "\"size\": \(size.map(String.init) ?? "null")",
                "\"count\": \(count.map(String.init) ?? "null")", "\"msgs_per_s\": \(number(rate, 0))",
                "\"baseline_msgs_per_s\": \(number(baseline, 0))", "\"ratio\": \(number(ratio, 3))",
                "\"p50_us\": \(p50.map(String.init) ?? "null")", "\"p99_us\": \(p99.map(String.init) ?? "null")",
                "\"rss_mb\": \(number(rss, 1))",
            ]
            fields += more.map { "\"\($0.0)_us\": \($0.1)" }
            if let hubCPU { fields.append("\"hub_cpu_us_per_msg\": \(String(format: "%.2f", hubCPU))") }
            if let hubThreads {
                // Largest first; thread names are the hub's own (`swhub-writer`) and libzmq's.
                let split = hubThreads.sorted { $0.value > $1.value }.map { name, micros in
                    let key = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    return "\"\(key)\": \(String(format: "%.2f", micros))"
                }
                fields.append("\"hub_threads_us_per_msg\": {" + split.joined(separator: ", ") + "}")
            }
            if let clientsCPU { fields.append("\"clients_cpu_us_per_msg\": \(String(format: "%.2f", clientsCPU))") }
            Output.line("{" + fields.joined(separator: ", ") + "}")
            return
        }
        var text = name.padding(toLength: max(26, name.count + 1), withPad: " ", startingAt: 0)
        if let size { text += " \(size) B".padding(toLength: 9, withPad: " ", startingAt: 0) }
        if let rate { text += String(format: " hub %9.0f \(unit)", rate) }
        if let baseline { text += String(format: "  \(baselineName) %9.0f \(baselineUnit)", baseline) }
        if let ratio { text += String(format: "  ratio %.3f", ratio) }
        if let p50, let p99 { text += "  p50 \(p50) µs  p99 \(p99) µs" }
        for (name, value) in more { text += "  \(name == "p999" ? "p99.9" : name) \(value) µs" }
        if let rss { text += String(format: "  hub peak RSS %.1f MB", rss) }
        if let hubCPU { text += String(format: "  hub CPU %.2f µs/\(unit.hasPrefix("flows") ? "flow" : "msg")", hubCPU) }
        if let clientsCPU { text += String(format: "  clients CPU %.2f µs/msg", clientsCPU) }
        Output.line(text)
    }

    /// A case that measures durations (a failover, a takeover) over `count` trials: in JSON
    /// `p50_us` and `p99_us` (with few trials, the longest), `msgs_per_s` null.
    func durations(case name: String, _ trials: [Duration]) {
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for trial in trials { _ = histogram.record(UInt64(max(0, trial.seconds * 1e6))) }
        let p50 = histogram.valueAtPercentile(50)
        let p99 = histogram.valueAtPercentile(99)
        guard !json else {
            line(case: name, size: nil, count: trials.count, rate: nil, baseline: nil, rss: nil, p50: p50, p99: p99)
            return
        }
        let text = name.padding(toLength: 26, withPad: " ", startingAt: 0)
        Output.line(
            text + String(format: " p50 %.0f ms  longest %.0f ms  (%d trials)", Double(p50) / 1000, Double(p99) / 1000, trials.count))
    }
}
