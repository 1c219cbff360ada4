import Foundation
import Testing

/// `swhub bench --sealing` as a user runs it, at tiny counts: the flow cases on a hub
/// without personal-field sealing, then sealing with `crypto: standard` and `crypto: sm`,
/// then without again, each sealed case beside the mean of the two unsealed ones. Performance is not asserted; only that every
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
        #expect(run.status == 0, "\(run.output)")
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
            for suffix in ["sealed_aes", "sealed_sm4"] {
                #expect((number("\(flow)_\(suffix)", "msgs_per_s") ?? 0) > 0, "\(flow)_\(suffix) in \(run.output)")
                // Each sealed case is compared with the mean of the same run's two unsealed ones.
                let mean = ((unsealed ?? 0) + (again ?? 0)) / 2
                let baseline = number("\(flow)_\(suffix)", "baseline_msgs_per_s") ?? 0
                #expect(abs(baseline - mean) <= 1, "\(flow)_\(suffix): \(baseline), mean \(mean)")
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
        #expect(try journalHolds("flows-unsealed-again"))
        let smConfig = try String(contentsOf: directory.appendingPathComponent("flows-sealed_sm4/hub.yaml"), encoding: .utf8)
        #expect(smConfig.contains("crypto: sm") && smConfig.contains("master_key_file: master.key"))
    }
}
