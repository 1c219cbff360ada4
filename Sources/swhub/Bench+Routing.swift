extension Bench {
    /// `--routing-only`: 1 → 1 and 1 → 5 through the hub, one message per frame set and in
    /// batches (PROTOCOL.md section 16), each with the hub's CPU per message, beside the
    /// zmq_proxy baselines; the batched fan-out beside the batched 1 → 1.
    func routingCases(_ setup: BenchSetup, _ report: BenchReport, size: Int, count: Int) throws {
        let base = try setup.runRouting(hub: false, size: size, count: count, recipients: 1)
        let single = try setup.runRouting(hub: true, size: size, count: count, recipients: 1)
        report.line(
            case: "route_1to1", size: size, count: count, rate: single, baseline: base, rss: setup.hubRSS, hubCPU: setup.hubMicrosPerMessage
        )
        let batched = try setup.runRouting(hub: true, size: size, count: count, recipients: 1, batch: Self.wireBatch)
        report.line(
            case: "route_1to1_batched", size: size, count: count, rate: batched, baseline: base, rss: setup.hubRSS,
            hubCPU: setup.hubMicrosPerMessage)
        let fanBase = try setup.runRouting(hub: false, size: size, count: count, recipients: 5)
        let fan = try setup.runRouting(hub: true, size: size, count: count, recipients: 5)
        report.line(
            case: "route_1to5", size: size, count: count, rate: fan, baseline: fanBase, rss: setup.hubRSS, hubCPU: setup.hubMicrosPerMessage
        )
        let fanBatched = try setup.runRouting(hub: true, size: size, count: count, recipients: 5, batch: Self.wireBatch)
        report.line(
            case: "route_1to5_batched", size: size, count: count, rate: fanBatched, baseline: batched, rss: setup.hubRSS,
            hubCPU: setup.hubMicrosPerMessage)
    }
}
