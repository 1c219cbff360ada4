import Foundation
import HubCore

extension Bench {
    /// `--sealing`: the flow cases again on a hub that seals the filings' personal fields in
    /// its journal (issue 16), once per suite: `…_sealed_aes` (`crypto: standard`,
    /// AES-256-GCM) and `…_sealed_sm4` (`crypto: sm`, SM4-GCM with the SM3 chain and
    /// checksums), then once more without sealing (`…_unsealed_again`, beside the first).
    /// Each sealed figure is printed beside the mean of the two unsealed runs of its case,
    /// one before and one after it, so that a machine getting busier or quieter during the
    /// run does not show as a cost or a gain of sealing.
    func sealedFlows(_ report: BenchReport, directory: URL, filings: Int, unsealed: [FlowBench.Result]) async throws {
        var sealed: [(suffix: String, results: [FlowBench.Result])] = []
        for (suite, suffix) in [(CryptoSuite.standard, "sealed_aes"), (.sm, "sealed_sm4")] {
            let results = try await FlowBench.run(
                directory: directory.appendingPathComponent("flows-\(suffix)"), registrations: filings, declarations: filings,
                window: max(1, flowWindow), sealing: suite)
            sealed.append((suffix, results))
        }
        let again = try await FlowBench.run(
            directory: directory.appendingPathComponent("flows-unsealed-again"), registrations: filings, declarations: filings,
            window: max(1, flowWindow))
        let first = Dictionary(unsealed.map { ($0.name, $0.rate) }, uniquingKeysWith: { first, _ in first })
        let second = Dictionary(again.map { ($0.name, $0.rate) }, uniquingKeysWith: { first, _ in first })
        for (suffix, results) in sealed + [("unsealed_again", again)] {
            for result in results {
                let baseline =
                    suffix == "unsealed_again"
                    ? first[result.name] : first[result.name].flatMap { a in second[result.name].map { b in (a + b) / 2 } }
                report.line(
                    case: "\(result.name)_\(suffix)", size: nil, count: result.count, rate: result.rate, baseline: baseline, rss: nil,
                    p50: result.histogram.valueAtPercentile(50), p99: result.histogram.valueAtPercentile(99),
                    baselineName: suffix == "unsealed_again" ? "unsealed" : "unsealed (mean)", unit: "flows/s", baselineUnit: "flows/s")
            }
        }
    }
}
