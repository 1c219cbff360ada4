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
        let rate = try runRouting(hub: true, size: size, count: count, recipients: 1)
        _ = taps.wait(for: UInt64(count), idle: 2)
        return TapRun(rate: rate, received: taps.received, dropped: taps.droppedSeen)
    }
}

extension Bench {
    /// `route_1to1_3taps`: the hub's 1 KB 1 → 1 routing with three tap subscribers, against
    /// the same case without any, measured just before (`before`) and just after it in the
    /// same run (their mean is the baseline).
    func tapCase(_ setup: BenchSetup, _ report: BenchReport, count: Int, before: Double) throws {
        let tapped = try setup.runRoutingWithTaps(size: 1024, count: count)
        let after = try setup.runRouting(hub: true, size: 1024, count: count, recipients: 1)
        let baseline = (before + after) / 2
        report.line(
            case: "route_1to1_3taps", size: 1024, count: count, rate: tapped.rate, baseline: baseline, rss: setup.hubRSS,
            baselineName: "hub route 1→1 without taps")
        let copies = "taps received \(tapped.received.map(String.init).joined(separator: "/")) of \(count) copies each, TapBatch.dropped \(tapped.dropped.map(String.init).joined(separator: "/")); without taps \(Int(before)) and \(Int(after)) msgs/s"
        if json {
            FileHandle.standardError.write(Data("route_1to1_3taps: \(copies)\n".utf8))
        } else {
            Output.line("  " + copies)
        }
    }
}
