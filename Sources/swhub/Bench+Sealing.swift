import Foundation
import HubCore

extension Bench {
    /// `--sealing`: the flow cases again on a hub that seals the filings' personal fields in
    /// its journal (issue 16), once per suite: `…_sealed_aes` (`crypto: standard`,
    /// AES-256-GCM) and `…_sealed_sm4` (`crypto: sm`, SM4-GCM with the SM3 chain and
    /// checksums), each printed beside the same run's unsealed case of the same name.
    func sealedFlows(_ report: BenchReport, directory: URL, filings: Int, unsealed: [FlowBench.Result]) async throws {
        let baselines = Dictionary(unsealed.map { ($0.name, $0.rate) }, uniquingKeysWith: { first, _ in first })
        for (suite, suffix) in [(CryptoSuite.standard, "sealed_aes"), (.sm, "sealed_sm4")] {
            let results = try await FlowBench.run(
                directory: directory.appendingPathComponent("flows-\(suffix)"), registrations: filings, declarations: filings,
                window: max(1, flowWindow), sealing: suite)
            for result in results {
                report.line(
                    case: "\(result.name)_\(suffix)", size: nil, count: result.count, rate: result.rate, baseline: baselines[result.name],
                    rss: nil, p50: result.histogram.valueAtPercentile(50), p99: result.histogram.valueAtPercentile(99),
                    baselineName: "unsealed", unit: "flows/s", baselineUnit: "flows/s")
            }
        }
    }
}
