import FlowSamples
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Testing

/// Two nodes with the single-window flows on one PostgreSQL journal; filers file
/// declarations and customs (played by the test) answers each forwarded inventory with a
/// release (800) and a closing receipt (899). Mid-way the node holding the flows' lease is
/// killed with SIGKILL: the other node takes the flows over, and every filing still settles
/// with its final unified feedback, each feedback journaled once.
@Suite("Cluster: flows leader loss", .serialized, .timeLimit(.minutes(4)))
struct ClusterFlowsLeaderLossTests {
    static let declarations = 10

    @Test func everyFilingSettlesOnceWhenTheFlowsLeaderDies() async throws {
        let seed = SeededGenerator.seed()
        print("flows leader loss: seed \(seed) (SWHUB_TEST_SEED=\(seed) replays it)")
        var random = SeededGenerator(seed: seed)
        let server = try await PostgresServer.launch()
        defer { server.shutdown() }
        try server.createDatabase("cluster_flows")
        let nodes = try ClusterSupport.nodes(
            2, parties: FlowWorld.cast, store: ClusterSupport.storeLines(server, database: "cluster_flows"), types: ["demo.Note"],
            flows: [])
        for node in nodes { try await node.start() }
        let holder = { try server.psql("SELECT holder FROM flow_lease", database: "cluster_flows") }
        try await waitUntil(.seconds(60), "no node took the flows' lease: '\((try? holder()) ?? "")'") {
            !(try holder()).isEmpty
        }

        let world = FlowWorld(cluster: nodes)
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()

        // Customs' system: releases and closes every inventory the hub forwards, once.
        let failures = Locked<[String]>([])
        let stopCustoms = Locked(false)
        let customs = Task {
            var answered = Set<String>()
            @Sendable func unanswered(_ answered: Set<String>) -> [Delivery] {
                world.received("customs", "ceb.Inventory").filter { $0.header.sender == "hub" && !answered.contains($0.header.id) }
            }
            while !stopCustoms.current {
                for forward in unanswered(answered) {
                    answered.insert(forward.header.id)
                    do {
                        try await world.receipt(for: forward, status: 800)
                        try await world.receipt(for: forward, status: 899)
                    } catch {
                        failures.withLock { $0.append("receipt for \(forward.header.id): \(error)") }
                    }
                }
                // Customs answers each forward once it arrives, until the test is over.
                let waiting = answered
                do {
                    try await waitUntil(.seconds(120), "customs got no new forward") {
                        stopCustoms.current || !unanswered(waiting).isEmpty
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                    return
                }
            }
        }
        defer { stopCustoms.withLock { $0 = true } }
        let filing = Task {
            for n in 1...Self.declarations {
                do { try await world.file(n) } catch { failures.withLock { $0.append("declaration \(n): \(error)") } }
            }
        }

        func settled() -> [Int] {
            (1...Self.declarations).filter { n in world.feedbacks("platform", subject: "inventory-\(n)").contains { $0.final } }
        }
        let moment = Int.random(in: 1...4, using: &random)
        try await waitUntil(.seconds(60), "only \(settled()) settled; \(failures.current)") { settled().count >= moment }
        let leader = try holder()
        let name = String(leader.split(separator: "/").first ?? "")
        let victim = try #require(name == "a" ? 0 : name == "b" ? 1 : nil, "the lease holder '\(leader)' is no node of the test")
        print("flows leader loss: kill -9 of node \(name) (lease holder \(leader)) after \(settled().count) filings settled")
        await nodes[victim].kill9()

        try await waitUntil(
            .seconds(90),
            "settled: \(settled()); lease '\((try? holder()) ?? "")'; \(failures.current)\n\(nodes[1 - victim].log().suffix(3000))"
        ) {
            settled().count == Self.declarations || !failures.current.isEmpty
        }
        _ = await filing.value
        #expect(failures.current.isEmpty, "\(failures.current)")
        let newLeader = try holder()
        #expect(newLeader.hasPrefix(victim == 0 ? "b/" : "a/"), "the lease moved: \(newLeader)")

        // Each filer's feedback stream: every feedback journaled once (an id with one seq);
        // the platform's: each state of each declaration once, one final.
        for filer in ["platform", "bank-boc", "post"] {
            let problems = ClusterSupport.orderProblems(world.received(filer, "flow.Feedback"))
            #expect(problems.isEmpty, "\(filer): \(problems.prefix(10))")
        }
        let feedbacks = Dictionary(grouping: world.received("platform", "flow.Feedback"), by: \.seq).values.compactMap(\.first)
            .sorted { $0.seq < $1.seq }
            .compactMap { try? BizFeedback(serializedBytes: $0.body) }
        for n in 1...Self.declarations {
            let mine = feedbacks.filter { $0.subjectID == "inventory-\(n)" }
            let statuses = mine.map { $0.departments.first?.status ?? "" }
            #expect(statuses == ["forwarded", "800", "899"], "inventory-\(n) at the platform: \(statuses)")
            #expect(mine.filter(\.final).count == 1, "inventory-\(n): \(mine.filter(\.final).count) final feedbacks")
        }
        stopCustoms.withLock { $0 = true }
        _ = await customs.value
    }
}
