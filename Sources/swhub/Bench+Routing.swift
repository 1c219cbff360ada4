extension Bench {
    /// `--routing-only`: 1 → 1 and 1 → 5 through the hub, one message and batches per frame
    /// set (PROTOCOL.md section 16), each with the hub's CPU per message, beside the zmq_proxy
    /// baselines; the batched fan-out beside the batched 1 → 1.
    func routingCases(_ setup: BenchSetup, _ report: BenchReport, size: Int, count: Int) throws {
        var batched1to1: Double?
        for recipients in [1, 5] {
            let base = try setup.runRouting(hub: false, size: size, count: count, recipients: recipients)
            let single = try setup.runRouting(hub: true, size: size, count: count, recipients: recipients)
            report.line(
                case: "route_1to\(recipients)", size: size, count: count, rate: single, baseline: base, rss: setup.hubRSS,
                hubCPU: setup.hubMicrosPerMessage, clientsCPU: setup.clientsMicrosPerMessage,
                hubThreads: setup.hubThreadMicrosPerMessage)
            let batched = try batchedCase(setup, report, size: size, count: count, recipients: recipients, baseline: batched1to1 ?? base)
            batched1to1 = batched1to1 ?? batched
        }
    }

    /// `route_1toN_batched`: the hub with SUBMIT_BATCHes and DELIVER_BATCHes of `wireBatch`,
    /// beside `baseline`; returns its rate.
    @discardableResult
    func batchedCase(
        _ setup: BenchSetup, _ report: BenchReport, size: Int, count: Int, recipients: Int, baseline: Double
    ) throws -> Double {
        let rate = try setup.runRouting(hub: true, size: size, count: count, recipients: recipients, batch: Self.wireBatch)
        report.line(
            case: "route_1to\(recipients)_batched", size: size, count: count, rate: rate, baseline: baseline, rss: setup.hubRSS,
            hubCPU: setup.hubMicrosPerMessage, clientsCPU: setup.clientsMicrosPerMessage,
            hubThreads: setup.hubThreadMicrosPerMessage)
        return rate
    }
}
