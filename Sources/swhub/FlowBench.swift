import FlowSamples
import Foundation
import Histogram
import HubCore

/// The flow benchmarks of `swhub bench`: whole single-window flows through the hub and the
/// five simulated departments (each its own process), as a filer sees them.
///
/// - registrations: one filing → shared with 5 departments → 5 results → final feedback;
///   latency from the submission to the final feedback at the filer.
/// - declarations: order, payment, waybill, inventory from three filers → 三单对碰 → 4
///   forwards to customs → receipts 120, 800 (899 follows) → release notices to tax,
///   forex, the paying bank and the post; latency from the first document's submission to
///   the released (800) feedback at the platform, which the hub emits in the same step as
///   the release notices.
enum FlowBench {
    struct Result {
        var name: String
        var count: Int
        var rate: Double
        var histogram: Histogram<UInt64>
        /// The hub process's CPU time (user + system, all threads) per flow, in µs.
        var hubCPUMicrosPerFlow: Double?
        /// The same split by thread name (`hub_threads_us_per_msg` of the flow lines).
        var hubThreadsMicrosPerFlow: [String: Double]? = nil
    }

    /// Runs the four flow cases; `store` is a `store:` section (YAML) for the hub's journal,
    /// nil: SQLite in `directory`; `sealing`: the hub seals personal fields in its journal
    /// with that suite (``SingleWindowSetup/Behaviour/sealing``); `crypto`: the journal's
    /// suite without sealing (``SingleWindowSetup/Behaviour/crypto``); `risk`: a `risk:`
    /// section for the hub's config (``SingleWindowSetup/Behaviour/risk``).
    static func run(
        directory: URL, registrations: Int, declarations: Int, window: Int = 200, store: String? = nil, sealing: CryptoSuite? = nil,
        crypto: CryptoSuite? = nil, risk: String? = nil
    ) async throws -> [Result] {
        var behaviour = SingleWindowSetup.Behaviour()
        behaviour.risk = risk
        behaviour.store = store
        behaviour.sealing = sealing
        behaviour.crypto = crypto
        behaviour.refusalRate = 0
        behaviour.inspectionRate = 0
        behaviour.registrationDeadlineMs = 600_000
        let setup = try SingleWindowSetup(directory: directory, behaviour: behaviour)
        try setup.start()
        defer { setup.stop() }
        let driver = try await FlowDriver(setup: setup)
        defer { driver.close() }
        try await driver.registerFilers()

        // Throughput with many filings in flight (latency then mostly queueing: Little's
        // law), then latency with 4 in flight.
        var results: [Result] = []
        for (suffix, inFlight, divisor) in [("", window, 1), ("_latency", 4, 5)] {
            results.append(
                try await measure(
                    "flow_registration" + suffix, count: max(20, registrations / divisor), window: inFlight, driver: driver, hub: setup.hub
                ) {
                    n in
                    try await driver.registerMerchant(n, prefix: "bench\(suffix)-")
                })
            results.append(
                try await measure(
                    "flow_declaration" + suffix, count: max(20, declarations / divisor), window: inFlight, driver: driver, hub: setup.hub
                ) {
                    n in
                    try await driver.declare(n, prefix: "bench\(suffix)-", mismatch: nil)
                })
        }
        return results
    }

    /// Files `count` subjects, at most `window` unsettled at once; the rate counts from the
    /// first submission to the last settlement.
    private static func measure(
        _ name: String, count: Int, window: Int, driver: FlowDriver, hub: BenchProcess?,
        file: @escaping @Sendable (Int) async throws -> String
    ) async throws -> Result {
        let cpuBefore = hub?.cpuSeconds
        let threadsBefore = hub?.threadCPUSeconds
        let started = Locked<[String: ContinuousClock.Instant]>([:])
        let start = ContinuousClock.now
        let settledBefore = driver.board.total
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 1...count {
                // At most `window` filings submitted and not yet settled.
                while n - 1 - (driver.board.total - settledBefore) >= window {
                    try await Task.sleep(for: .milliseconds(1))
                }
                group.addTask {
                    let begin = ContinuousClock.now
                    let id = try await file(n)
                    started.withLock { $0[id] = begin }
                }
            }
            try await group.waitForAll()
        }
        let ids = started.withLock { Array($0.keys) }
        let settled = try await driver.waitSettled(ids, timeout: .seconds(600))
        guard settled == ids.count else { throw BenchError("\(name): only \(settled) of \(ids.count) settled") }
        let end = ids.compactMap { driver.board.settled($0) }.max() ?? .now
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        let begins = started.withLock { $0 }
        for id in ids {
            guard let begin = begins[id], let done = driver.board.settled(id) else { continue }
            let micros = max(0, (done - begin).seconds * 1e6)
            _ = histogram.record(UInt64(micros))
        }
        let cpu = cpuBefore.flatMap { before in hub?.cpuSeconds.map { ($0 - before) / Double(count) * 1e6 } }
        let threads = threadsBefore.flatMap { before in hub?.threadMicros(since: before, per: count) }
        return Result(
            name: name, count: count, rate: Double(count) / (end - start).seconds, histogram: histogram, hubCPUMicrosPerFlow: cpu,
            hubThreadsMicrosPerFlow: threads)
    }
}

/// A value behind a lock, shared between tasks.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
