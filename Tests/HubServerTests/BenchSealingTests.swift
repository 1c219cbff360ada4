import Foundation
import Testing

/// `swhub bench --sealing` as a user runs it, at tiny counts: the flow cases on a hub
/// without personal-field sealing, sealing with `crypto: standard`, with the SM3 chain
/// alone, sealing with `crypto: sm`, the SM3 chain again and without again, each case beside
/// the mean of the two runs bracketing it. Performance is not asserted; only that every
/// case settled its flows, and that the sealed hubs' journals hold no buyer's ID number while
/// the unsealed one does (the flows' filings carry personal fields).
@Suite("swhub bench --sealing")
struct BenchSealingTests {
    @Test func flowCasesRunUnsealedAndSealedWithBothSuites() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-bench-sealing-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try TestHub.executable
        let run = try await onThread {
            try programOutput(executable, ["bench", "--sealing", "--count", "2000", "--flows", "20", "--json", "--dir", directory.path])
        }
        #expect(run.status == 0, "\(run.output)\nstandard error:\n\(run.errors)")
        let lines = run.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        func number(_ name: String, _ key: String) -> Double? {
            (lines.first { $0["case"] as? String == name }?[key] as? NSNumber)?.doubleValue
        }
        for flow in ["flow_registration", "flow_declaration", "flow_registration_latency", "flow_declaration_latency"] {
            let unsealed = number(flow, "msgs_per_s")
            #expect((unsealed ?? 0) > 0, "\(flow) in \(run.output)")
            let again = number("\(flow)_unsealed_again", "msgs_per_s")
            #expect((again ?? 0) > 0, "\(flow)_unsealed_again in \(run.output)")
            #expect(number("\(flow)_unsealed_again", "baseline_msgs_per_s") == unsealed)
            let sm3 = number("\(flow)_unsealed_sm3", "msgs_per_s")
            let sm3Again = number("\(flow)_unsealed_sm3_again", "msgs_per_s")
            #expect((sm3 ?? 0) > 0 && (sm3Again ?? 0) > 0, "\(flow)_unsealed_sm3 in \(run.output)")
            // Each case is compared with the mean of the two runs that bracket it: AES sealing
            // and the SM3 chain with the plain runs, SM4 sealing with the SM3-chain runs.
            for (suffix, first, second) in [
                ("sealed_aes", unsealed, again), ("unsealed_sm3", unsealed, again), ("sealed_sm4", sm3, sm3Again),
            ] {
                #expect((number("\(flow)_\(suffix)", "msgs_per_s") ?? 0) > 0, "\(flow)_\(suffix) in \(run.output)")
                let mean = ((first ?? 0) + (second ?? 0)) / 2
                let baseline = number("\(flow)_\(suffix)", "baseline_msgs_per_s") ?? 0
                #expect(abs(baseline - mean) <= 1, "\(flow)_\(suffix): \(baseline), mean \(mean)")
                #expect((number("\(flow)_\(suffix)", "hub_cpu_us_per_msg") ?? -1) >= 0, "\(flow)_\(suffix): the hub's CPU per flow")
            }
        }
        // The filings' buyer ID numbers all start so (FlowSamples).
        let idNumber = Data("33010619900101".utf8)
        func journalHolds(_ folder: String) throws -> Bool {
            let url = directory.appendingPathComponent(folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasPrefix("journal.sqlite") }
            return try files.contains { try Data(contentsOf: url.appendingPathComponent($0)).range(of: idNumber) != nil }
        }
        #expect(try journalHolds("flows"))
        #expect(try !journalHolds("flows-sealed_aes"))
        #expect(try !journalHolds("flows-sealed_sm4"))
        #expect(try journalHolds("flows-unsealed_sm3"))
        #expect(try journalHolds("flows-unsealed_again"))
        let smConfig = try String(contentsOf: directory.appendingPathComponent("flows-sealed_sm4/hub.yaml"), encoding: .utf8)
        #expect(smConfig.contains("crypto: sm") && smConfig.contains("master_key_file: master.key"))
        let chainConfig = try String(contentsOf: directory.appendingPathComponent("flows-unsealed_sm3/hub.yaml"), encoding: .utf8)
        #expect(chainConfig.contains("crypto: sm") && !chainConfig.contains("keys:"))
    }
}
