import Foundation
import HubClient
import HubTestSupport
import Testing

/// Two hub nodes on one PostgreSQL journal, both archiving every second into the one
/// `archive.dir` they share: each segment is sealed once (one node at a time holds the
/// journal's archiving lock), and each node reads the other's segments (trace, verify,
/// `swhub archive list`).
@Suite("Cluster: archives", .serialized, .timeLimit(.minutes(4)))
struct ClusterArchiveTests {
    @Test func twoNodesSealEachSegmentOnceIntoTheSharedFolder() async throws {
        let server = try await PostgresServer.launch()
        defer { server.shutdown() }
        try server.createDatabase("cluster_archives")
        let parties: [TestHub.PartySpec] = [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])]
        let nodes = try ClusterSupport.nodes(
            2, parties: parties, store: ClusterSupport.storeLines(server, database: "cluster_archives"), types: ["demo.Note"])
        let shared = nodes[0].directory.appendingPathComponent("shared-archive").path
        for node in nodes {
            try
                (String(contentsOfFile: node.configPath, encoding: .utf8)
                + "archive: {dir: \(shared), live_for: 0s, segment_records: 5, check_every: 1s}\n")
                .write(toFile: node.configPath, atomically: true, encoding: .utf8)
            try await node.start()
        }
        let endpoints = nodes.map(\.endpoint)
        let customs = try ClusterSupport.client("customs", endpoints: endpoints, hub: nodes[0], receive: true)
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        let platform = try ClusterSupport.client("platform", endpoints: endpoints.reversed(), hub: nodes[1])
        defer { platform.close() }
        try await platform.connect()
        for index in 1...17 {
            _ = try await platform.submit(type: "demo.Note", body: Array("note \(index)".utf8), id: "n-\(index)")
        }
        _ = try await inbox.wait(for: 17, within: .seconds(60))
        customs.close()
        let segments = {
            ((try? FileManager.default.contentsOfDirectory(atPath: shared)) ?? []).filter { $0.hasSuffix(".swarc.gz") }.sorted()
        }
        // A seal is logged once committed (its file is in place before).
        let sealed = {
            nodes.map { $0.log() }.joined(separator: "\n").split(separator: "\n").filter { $0.contains("archive segment sealed") }
        }
        try await waitUntil(.seconds(90), "three archive segments, found \(segments())") { sealed().count >= 3 }
        #expect(segments().count == 3 && segments().last == "segment-000000000011-000000000015.swarc.gz", "\(segments())")

        // Each segment sealed once, by either node; no seal failed for a race.
        #expect(sealed().count == 3, "\(sealed())")
        let logs = nodes.map { $0.log() }.joined(separator: "\n")
        #expect(!logs.contains("archiving failed"), "\(logs.split(separator: "\n").filter { $0.contains("archiving failed") })")

        // Each node's config reads the segments: list, trace, verify.
        for node in nodes {
            let list = try await ConfigCheckTests.run(["archive", "list", "--config", node.configPath])
            #expect(list.status == 0 && list.output.contains("3 segments; archived up to seq 15"), "\(list)")
            let trace = try await ConfigCheckTests.run(["trace", "--config", node.configPath, "n-3"])
            #expect(trace.status == 0 && trace.output.contains("seq 3 "), "\(trace)")
            let verify = try await ConfigCheckTests.run(["verify", "--config", node.configPath])
            #expect(verify.status == 0 && verify.output.contains("archive: seqs 1–15 in 3 segments"), "\(verify)")
        }
        for node in nodes { #expect(await node.terminate() == 0) }
    }
}
