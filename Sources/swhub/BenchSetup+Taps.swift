import Foundation

extension BenchSetup {
    /// What the tap case measured.
    struct TapRun {
        /// Routing throughput (1 → 1, durable, acknowledged) while three taps listen, msgs/s.
        var rate: Double
        /// Copies each subscriber received of the measured messages.
        var received: [UInt64]
        /// The highest `TapBatch.dropped` each subscriber saw.
        var dropped: [UInt64]
        /// CPU seconds per routed message (hub process and this one), until every copy arrived.
        var cpuPerMessage: Double
        /// The mean size of a copy in the batches, bytes.
        var meanCopyBytes: Double
    }

    /// The 1 → 1 routing case with three tap subscribers, each an auditor of everyone
    /// subscribed to its whole prefix: every message makes three copies.
    func runRoutingWithTaps(size: Int, count: Int) throws -> TapRun {
        let taps = try BenchTaps(
            endpoint: "tcp://127.0.0.1:\(tapPort)", serverKey: tapKeys.publicKey,
            parties: tapPartyKeys.enumerated().map { (id: "bench-tap\($0.offset + 1)", keys: $0.element) })
        taps.start()
        defer { taps.stop() }
        // Subscriptions take effect asynchronously: route a little until every tap receives.
        var warmups = 0
        while !taps.received.allSatisfy({ $0 > 0 }) {
            warmups += 1
            guard warmups <= 50 else { throw BenchError("the tap subscribers received nothing: \(taps.received)") }
            _ = try runRouting(hub: true, size: size, count: 200, recipients: 1)
        }
        _ = taps.wait(for: .max, idle: 0.5)  // the warm-up's copies
        taps.reset()
        let cpu = cpuSeconds
        let rate = try runRouting(hub: true, size: size, count: count, recipients: 1)
        _ = taps.wait(for: UInt64(count), idle: 2)
        return TapRun(
            rate: rate, received: taps.received, dropped: taps.droppedSeen, cpuPerMessage: (cpuSeconds - cpu) / Double(count),
            meanCopyBytes: taps.meanCopyBytes)
    }
}

extension Bench {
    /// `route_1to1_3taps`: the hub's 1 KB 1 → 1 routing with three tap subscribers, against
    /// the same case without any, measured just before (`before`) and just after it in the
    /// same run (their mean is the baseline). A text line gives the CPU per routed message
    /// with and without the taps, and the transport floor (`BenchTapFloor`): what libzmq
    /// alone spends to carry the same three copies.
    func tapCase(_ setup: BenchSetup, _ report: BenchReport, count: Int, before: Double) throws {
        let tapped = try setup.runRoutingWithTaps(size: 1024, count: count)
        let cpu = setup.cpuSeconds
        let after = try setup.runRouting(hub: true, size: 1024, count: count, recipients: 1)
        let untappedCPU = (setup.cpuSeconds - cpu) / Double(count)
        let baseline = (before + after) / 2
        report.line(
            case: "route_1to1_3taps", size: 1024, count: count, rate: tapped.rate, baseline: baseline, rss: setup.hubRSS,
            baselineName: "hub route 1→1 without taps")
        let floor = try BenchTapFloor.cpuPerThreeCopies(copyBytes: Int(tapped.meanCopyBytes.rounded()), copies: count)
        func micros(_ seconds: Double) -> String { String(format: "%.1f µs", seconds * 1e6) }
        let lines = [
            "taps received \(tapped.received.map(String.init).joined(separator: "/")) of \(count) copies each (\(Int(tapped.meanCopyBytes.rounded())) B each), TapBatch.dropped \(tapped.dropped.map(String.init).joined(separator: "/")); without taps \(Int(before)) and \(Int(after)) msgs/s",
            "CPU per routed message (hub and bench processes): \(micros(untappedCPU)) without taps, \(micros(tapped.cpuPerMessage)) with three (+\(String(format: "%.0f", (tapped.cpuPerMessage / untappedCPU - 1) * 100)) %); libzmq alone carrying the three copies (XPUB → 3 CURVE SUB, 64 copies per message): \(micros(floor)) (\(String(format: "%.0f", floor / untappedCPU * 100)) % of the untapped CPU)",
        ]
        for line in lines {
            if json {
                FileHandle.standardError.write(Data("route_1to1_3taps: \(line)\n".utf8))
            } else {
                Output.line("  " + line)
            }
        }
    }
}
