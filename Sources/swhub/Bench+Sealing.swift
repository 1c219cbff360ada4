import Foundation
import HubCore

extension Bench {
    /// `--sealing`: the flow cases again on hubs that seal the filings' personal fields in
    /// their journal (issue 16), run in this order after the plain flow cases: `…_sealed_aes`
    /// (`crypto: standard`: AES-256-GCM, SHA-256 chain), `…_unsealed_sm3` (`crypto: sm`
    /// without `keys:`: the SM3 chain and checksums alone), `…_sealed_sm4` (`crypto: sm`:
    /// SM4-GCM and the SM3 chain), `…_unsealed_sm3_again`, `…_unsealed_again`.
    ///
    /// Each figure is printed beside the mean of the two runs that bracket it, so that a
    /// machine getting busier or quieter during the run does not show as a cost or a gain:
    /// sealing with AES and the SM3 chain beside the plain runs, sealing with SM4 beside the
    /// SM3-chain runs (the cost of sealing alone; the chain's own cost is the `unsealed_sm3`
    /// lines'). Every line carries the hub process's CPU per flow.
    func sealedFlows(_ report: BenchReport, directory: URL, filings: Int, unsealed: [FlowBench.Result]) async throws {
        func run(_ name: String, sealing: CryptoSuite? = nil, crypto: CryptoSuite? = nil) async throws -> [FlowBench.Result] {
            try await FlowBench.run(
                directory: directory.appendingPathComponent("flows-\(name)"), registrations: filings, declarations: filings,
                window: max(1, flowWindow), sealing: sealing, crypto: crypto)
        }
        let aes = try await run("sealed_aes", sealing: .standard)
        let sm3 = try await run("unsealed_sm3", crypto: .sm)
        let sm4 = try await run("sealed_sm4", sealing: .sm)
        let sm3Again = try await run("unsealed_sm3_again", crypto: .sm)
        let again = try await run("unsealed_again")

        func rates(_ results: [FlowBench.Result]) -> [String: Double] {
            Dictionary(results.map { ($0.name, $0.rate) }, uniquingKeysWith: { first, _ in first })
        }
        func mean(_ first: [FlowBench.Result], _ second: [FlowBench.Result]) -> [String: Double] {
            rates(first).merging(rates(second)) { ($0 + $1) / 2 }
        }
        let plain = mean(unsealed, again)
        let chain = mean(sm3, sm3Again)
        let cases: [(suffix: String, results: [FlowBench.Result], baseline: [String: Double], name: String)] = [
            ("sealed_aes", aes, plain, "unsealed (mean)"),
            ("unsealed_sm3", sm3, plain, "unsealed (mean)"),
            ("sealed_sm4", sm4, chain, "unsealed sm3 (mean)"),
            ("unsealed_sm3_again", sm3Again, rates(sm3), "unsealed sm3"),
            ("unsealed_again", again, rates(unsealed), "unsealed"),
        ]
        Self.flowLines(report, cases)
    }

    /// One line per flow case of each hub: its rate as a ratio to the case's rate in
    /// `baseline` (by case name), with latency and hub CPU; the case named `<flow case>_<suffix>`.
    static func flowLines(
        _ report: BenchReport, _ cases: [(suffix: String, results: [FlowBench.Result], baseline: [String: Double], name: String)]
    ) {
        for (suffix, results, baseline, baselineName) in cases {
            for result in results {
                report.line(
                    case: "\(result.name)_\(suffix)", size: nil, count: result.count, rate: result.rate, baseline: baseline[result.name],
                    rss: nil, p50: result.histogram.valueAtPercentile(50), p99: result.histogram.valueAtPercentile(99),
                    baselineName: baselineName, unit: "flows/s", hubCPU: result.hubCPUMicrosPerFlow, baselineUnit: "flows/s")
            }
        }
    }
}
