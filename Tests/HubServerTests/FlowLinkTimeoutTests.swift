import FlowSamples
import Foundation
import HubProtocol
import HubTestSupport
import Testing

/// `flows.declaration.link_timeout` through a real `swhub serve`: an inventory whose
/// payment and waybill never come waits (feedback WAITING, `swhub status` names what is
/// missing), across a kill -9 and restart of the hub, until the final feedback INCOMPLETE,
/// which `swhub status` and `swhub stats` then show; and on a cluster, where the node that
/// takes the flows over after the leader's death ends the wait.
@Suite("Flows: link timeout of incomplete declarations", .serialized, .timeLimit(.minutes(4)))
struct FlowLinkTimeoutTests {
    @Test func anIncompleteDeclarationWaitsAcrossARestartThenEndsIncomplete() async throws {
        // Long enough to see the wait and restart on a loaded machine; the end is waited for.
        let world = try await FlowWorld(flows: ["declaration: {link_timeout: 8s}"])
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(21, order: ["inventory", "order"])

        let waiting = try await world.waitFeedback("platform", subject: "inventory-21") {
            $0.state == .waiting && $0.documents.filter { $0.status == "missing" }.count == 2
        }
        #expect(waiting.documents.filter { $0.status == "missing" }.map(\.document) == ["ceb.Payment", "ceb.Waybill"])
        let status = try await DemoTests.run(["status", "inventory-21", "--config", world.hub.configPath])
        #expect(status.status == 0)
        #expect(
            status.output.contains("state: WAITING") && status.output.contains("missing: ceb.Payment, ceb.Waybill"), "\(status.output)")

        // The wait survives a crash: the restarted hub ends it at the same deadline.
        await world.hub.kill9()
        world.close()
        try await world.hub.start()
        try await world.connectAll()
        let incomplete = try await world.waitFeedback("platform", subject: "inventory-21", within: .seconds(60)) { $0.final }
        #expect(incomplete.state == .incomplete)
        #expect(incomplete.documents.filter { $0.status == "missing" }.map(\.document) == ["ceb.Payment", "ceb.Waybill"])
        #expect(incomplete.reasons.first?.hasPrefix("INCOMPLETE: ceb.Payment, ceb.Waybill") == true, "\(incomplete.reasons)")

        // Sent once: the journal holds one final feedback about it.
        let journal = try world.hub.openJournal()
        let finals = try journal.records(sender: "hub", idPrefix: "fb:inventory-21:platform:").compactMap {
            try? BizFeedback(serializedBytes: $0.body)
        }.filter(\.final)
        #expect(finals.count == 1)
        let feedbackBefore = try journal.records(sender: "hub", idPrefix: "fb:inventory-21:platform:")

        let after = try await DemoTests.run(["status", "inventory-21", "--config", world.hub.configPath])
        #expect(after.output.contains("state: INCOMPLETE (final)"), "\(after.output)")
        let stats = try await DemoTests.run(["stats", "--config", world.hub.configPath, "--json"])
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any])
        let byState = try #require(counts["by_state"] as? [String: [String: Int]])
        #expect(byState["ceb.Inventory"]?["INCOMPLETE"] == 1, "\(byState)")

        // The documents that never came arrive late: nothing more about inventory-21.
        try await world.file(21, order: ["payment", "waybill"])
        try await world.barrier("platform")
        let feedbackAfter = try journal.records(sender: "hub", idPrefix: "fb:inventory-21:platform:")
        #expect(feedbackAfter.map(\.id) == feedbackBefore.map(\.id), "no feedback after the final one")
        #expect(world.received("customs", "ceb.Inventory").isEmpty)
    }

    @Test func theNextFlowsLeaderOfAClusterEndsTheWait() async throws {
        let server = try await PostgresServer.launch()
        defer { server.shutdown() }
        try server.createDatabase("cluster_link_timeout")
        let nodes = try ClusterSupport.nodes(
            2, parties: FlowWorld.cast, store: ClusterSupport.storeLines(server, database: "cluster_link_timeout"),
            types: ["demo.Note"], flows: ["declaration: {link_timeout: 10s}"])
        for node in nodes { try await node.start() }
        let holder = { try server.psql("SELECT holder FROM flow_lease", database: "cluster_link_timeout") }
        try await waitUntil(.seconds(60), "no node took the flows' lease") { !(try holder()).isEmpty }
        let world = FlowWorld(cluster: nodes)
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(22, order: ["inventory", "waybill"])
        _ = try await world.waitFeedback("platform", subject: "inventory-22") {
            $0.state == .waiting && $0.documents.filter { $0.status == "missing" }.count == 2
        }

        let leader = try holder()
        let name = String(leader.split(separator: "/").first ?? "")
        let victim = try #require(name == "a" ? 0 : name == "b" ? 1 : nil, "the lease holder '\(leader)' is no node of the test")
        await nodes[victim].kill9()
        let incomplete = try await world.waitFeedback("platform", subject: "inventory-22", within: .seconds(90)) { $0.final }
        #expect(incomplete.state == .incomplete)
        #expect(incomplete.documents.filter { $0.status == "missing" }.map(\.document) == ["ceb.Order", "ceb.Payment"])
        try await waitUntil(.seconds(60), "the lease did not move: '\((try? holder()) ?? "")'") {
            try holder().hasPrefix(victim == 0 ? "b/" : "a/")
        }
        let finals = Set(
            world.received("platform", "flow.Feedback").filter { delivery in
                (try? BizFeedback(serializedBytes: delivery.body)).map { $0.subjectID == "inventory-22" && $0.final } == true
            }.map(\.header.id))
        #expect(finals.count == 1, "one final feedback, journaled once: \(finals)")
    }
}
