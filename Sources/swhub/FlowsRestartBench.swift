import ArgumentParser
import Foundation
import HubCore
import HubProtocol
import HubRouting
import HubStore
import Logging

/// `swhub bench-flows-restart` (not listed in the help): how long a hub with the flows
/// takes to serve again after a restart on a large journal, and its memory then, against
/// a fresh hub's (issue 20). Writes the journal first (``FlowJournalGenerator``) unless
/// `--reuse`; then, `--runs` times, starts `swhub serve` on an empty journal and on the
/// large one and times each from the process's start to the first accepted submission
/// (a customs query the hub answers itself), reading its resident memory then.
struct FlowsRestartBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-flows-restart",
        abstract: "Restart time and memory of a hub with the flows on a large generated journal.",
        shouldDisplay: false)

    @Option(help: "Directory for the journal, keys and logs (kept; with --reuse, one written before).")
    var dir: String

    @Option(help: "Records to generate (about; the journal ends just before the next flows' snapshot would be due).")
    var messages: UInt64 = 1_000_000

    @Option(help: "Days of journal time the records are spread over.")
    var days = 30

    @Flag(help: "Measure the journal already in --dir instead of writing one.")
    var reuse = false

    @Option(help: "How many times each hub is started.")
    var runs = 3

    @Flag(help: "Also time rebuilding the flows from the whole journal in this process (no snapshot).")
    var fullRebuild = false

    func run() async throws {
        let directory = URL(fileURLWithPath: dir)
        let setup = try SingleWindowSetup(directory: directory, behaviour: .init())
        let config = try HubConfig.load(path: setup.configPath)
        if !reuse {
            guard !FileManager.default.fileExists(atPath: setup.journalPath) else {
                throw BenchError("\(setup.journalPath) exists: pass --reuse to measure it, or another --dir")
            }
            try generate(config: config, journal: setup.journalPath)
        }
        let (records, snapshotSeq, bytes) = try describe(journal: setup.journalPath)
        print(
            "journal: \(records) records, newest flows' snapshot at seq \(snapshotSeq.map(String.init) ?? "none"), \(records - (snapshotSeq ?? 0)) records after it, \(String(format: "%.2f", Double(bytes) / 1_048_576)) MiB database"
        )
        if fullRebuild { try timeFullRebuild(config: config, journal: setup.journalPath) }
        let freshDirectory = directory.appendingPathComponent("fresh")
        try? FileManager.default.removeItem(at: freshDirectory)
        let fresh = try SingleWindowSetup(directory: freshDirectory, behaviour: .init())
        for run in 1...max(1, runs) {
            let empty = try await Self.measure(fresh, log: freshDirectory.appendingPathComponent("hub.log"))
            let large = try await Self.measure(setup, log: directory.appendingPathComponent("hub.log"))
            print(
                String(
                    format:
                        "run %ld: fresh hub serving after %.2f s, RSS %.1f MiB (peak %.1f); restarted on %llu records: serving after %.2f s, RSS %.1f MiB (peak %.1f), %.2fx the fresh hub's",
                    run, empty.seconds, empty.rss, empty.peak, records, large.seconds, large.rss, large.peak, large.rss / empty.rss))
        }
    }

    private func generate(config: HubConfig, journal: String) throws {
        var logger = Logger(label: "swhub.bench.generate")
        logger.logLevel = .warning
        let store = try SQLiteJournalStore(path: journal, logger: logger)
        let end = WallClock.nowMicroseconds() - 3_600_000_000
        let start = end - Int64(days) * 86_400_000_000
        var generator = try FlowJournalGenerator(config: config, store: store, startUs: start)
        let began = ContinuousClock.now
        let summary = try generator.generate(messages: messages, days: days) { written in
            print("  \(written) records written (\(ContinuousClock.now - began))")
        }
        print(
            "generated \(summary.records) records (\(summary.declarations) declarations) over \(days) days of journal time in \(ContinuousClock.now - began); the last flows' snapshot at seq \(summary.lastSnapshotSeq.map(String.init) ?? "none"), \(summary.recordsAfterSnapshot) records after it"
        )
    }

    private func describe(journal: String) throws -> (records: UInt64, snapshotSeq: UInt64?, bytes: Int) {
        var logger = Logger(label: "swhub.bench.describe")
        logger.logLevel = .warning
        let store = try SQLiteJournalStore(path: journal, logger: logger, readOnly: true)
        let size = (try? FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int) ?? 0
        return (try store.headSeq(), try store.latestFlowSnapshotSeq(), size)
    }

    private func timeFullRebuild(config: HubConfig, journal: String) throws {
        var logger = Logger(label: "swhub.bench.rebuild")
        logger.logLevel = .warning
        let store = try SQLiteJournalStore(path: journal, logger: logger, readOnly: true)
        var engine = FlowEngine(config: config, policy: try RedactionPolicy(config: config, schema: HubConfig.schema()))
        let began = ContinuousClock.now
        _ = try RouterCore.rebuild(&engine, from: store)
        let held = engine.heldCounts
        print(
            "full rebuild in this process (whole journal, no snapshot): \(ContinuousClock.now - began); in memory after it: \(held.registrations) registrations, \(held.declarations) declarations in progress, \(held.traces) traces of finished flows, \(held.heldRecords) held records"
        )
    }

    /// Starts `swhub serve` for `setup` and times it until a customs query is accepted.
    private static func measure(_ setup: SingleWindowSetup, log: URL) async throws -> (seconds: Double, rss: Double, peak: Double) {
        let started = ContinuousClock.now
        let process = try BenchProcess(arguments: ["serve", "--config", setup.configPath, "--log-level", "info"], log: log, append: true)
        defer { process.stop() }
        let client = try setup.client("customs", receive: false)
        defer { client.close() }
        try await client.connect(timeout: .seconds(600))
        var query = BizQuery()
        query.subject = MessageType.releaseNotice.rawValue
        query.criteria = ["invt_no": "restart-probe"]
        _ = try await client.submit(
            type: MessageType.query.rawValue, body: try query.serializedBytes(), id: "restart-probe-\(UUID().uuidString)")
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (seconds, Self.residentMegabytes(process.process.processIdentifier, "VmRSS:"), process.peakRSSMegabytes ?? 0)
    }

    /// A /proc/PID/status figure (kB) in MiB.
    private static func residentMegabytes(_ pid: Int32, _ key: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
            let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }
}
