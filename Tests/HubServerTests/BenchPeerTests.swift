import Foundation
import Testing

/// `swhub bench --peer nats` as a user runs it, at a tiny count: the bench builds the C
/// client from Scripts/nats-peer with Debian's libnats, makes its TLS material, starts two
/// nats-servers (TLS and plain) and the hub, and reports both sides of the same case.
/// Performance is not asserted; only that each side moved every message.
@Suite("swhub bench --peer nats")
struct BenchPeerTests {
    @Test func natsRunsBesideTheHubWithTLSAndWithout() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-bench-peer-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try TestHub.executable
        let run = try await onThread {
            try programOutput(
                executable, ["bench", "--peer", "nats", "--count", "2000", "--window", "500", "--json", "--dir", directory.path])
        }
        #expect(run.status == 0, "\(run.output)\nstandard error:\n\(run.errors)")
        let lines = run.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        func line(_ name: String, _ size: Int) -> [String: Any]? {
            lines.first { $0["case"] as? String == name && ($0["size"] as? NSNumber)?.intValue == size }
        }
        for size in [100, 1024] {
            for name in [
                "route_1to1", "peer_nats_jetstream_tls", "peer_nats_jetstream_plain", "route_1to1_vs_nats_tls", "route_1to1_batched",
                "route_1to1_batched_vs_nats_tls", "peer_nats_jetstream_tls_msg_id", "route_1to1_batched_vs_nats_tls_msg_id",
            ] {
                let found = line(name, size)
                #expect((found?["msgs_per_s"] as? NSNumber)?.doubleValue ?? 0 > 0, "\(name) \(size) B in \(run.output)")
                #expect((found?["count"] as? NSNumber)?.intValue == 2000, "\(name) \(size) B")
            }
            // The hub's lines split its CPU by thread name (ticks of 10 ms: a short run's split
            // may be empty, never malformed).
            for name in ["route_1to1", "route_1to1_batched"] {
                let split = line(name, size)?["hub_threads_us_per_msg"] as? [String: NSNumber]
                #expect(split != nil, "\(name) \(size) B has no per-thread split")
                #expect(split?.values.allSatisfy { $0.doubleValue >= 0.05 } ?? false, "\(name) \(size) B: \(split ?? [:])")
            }
            // The comparison is the hub's rate over NATS's TLS rate of the same run.
            let tls = (line("peer_nats_jetstream_tls", size)?["msgs_per_s"] as? NSNumber)?.doubleValue
            let versus = line("route_1to1_vs_nats_tls", size)
            #expect((versus?["baseline_msgs_per_s"] as? NSNumber)?.doubleValue == tls)
            #expect(
                (versus?["msgs_per_s"] as? NSNumber)?.doubleValue == (line("route_1to1", size)?["msgs_per_s"] as? NSNumber)?.doubleValue)
        }
        // The NATS client ran with the bench's window, and fetches and MaxAckPending made from
        // it (the bench checks the client's own report of them, and names them).
        #expect(
            run.errors.contains("at most 500 publishes unacknowledged, fetches of 1000, MaxAckPending 10000"), "\(run.errors)")
        // The TLS server required TLS of its clients, and JetStream stored in files.
        let tlsLog = try String(contentsOf: directory.appendingPathComponent("nats/server-tls/nats-server.log"), encoding: .utf8)
        #expect(tlsLog.contains("TLS required for client connections"), "\(tlsLog)")
        #expect(tlsLog.contains("Store Directory"), "\(tlsLog)")
        let plainLog = try String(contentsOf: directory.appendingPathComponent("nats/server-plain/nats-server.log"), encoding: .utf8)
        #expect(!plainLog.contains("TLS required"), "\(plainLog)")
    }
}
