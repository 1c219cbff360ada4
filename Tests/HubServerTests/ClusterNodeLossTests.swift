import Foundation
import HubClient
import HubTestSupport
import Testing

/// Two `swhub serve` nodes on one PostgreSQL journal, senders and receivers spread over
/// both and streaming; one node at a time is killed with SIGKILL at a random moment (the
/// seed is printed; `SWHUB_TEST_SEED` replays it), the clients fail over to the other, the
/// node is restarted. In the end every ACCEPTED id reached every recipient, in seq order,
/// duplicates only as redeliveries of a seq already seen.
@Suite("Cluster: node loss under load", .serialized, .timeLimit(.minutes(4)))
struct ClusterNodeLossTests {
    static let senders = ["s1", "s2", "s3"]
    static let receivers = ["r1", "r2", "r3"]
    static var parties: [TestHub.PartySpec] {
        senders.map { TestHub.PartySpec(id: $0) } + receivers.map { TestHub.PartySpec(id: $0, subscribes: ["demo.Note"]) }
    }

    @Test func everyAcceptedMessageReachesEveryRecipientInOrderWhileNodesDie() async throws {
        let seed = SeededGenerator.seed()
        print("node loss under load: seed \(seed) (SWHUB_TEST_SEED=\(seed) replays it)")
        var random = SeededGenerator(seed: seed)
        let server = try await PostgresServer.launch()
        defer { server.shutdown() }
        try server.createDatabase("cluster_nodeloss")
        let nodes = try ClusterSupport.nodes(
            2, parties: Self.parties, store: ClusterSupport.storeLines(server, database: "cluster_nodeloss"))
        for node in nodes { try await node.start() }
        let (a, b) = (nodes[0], nodes[1])
        let orders = [[a.endpoint, b.endpoint], [b.endpoint, a.endpoint]]

        var clients: [HubClient] = []
        defer { for client in clients { client.close() } }
        var inboxes: [String: DeliveryInbox] = [:]
        for (index, party) in Self.receivers.enumerated() {
            let client = try ClusterSupport.client(party, endpoints: orders[index % 2], hub: a, receive: true)
            clients.append(client)
            inboxes[party] = DeliveryInbox(client)
            try await client.connect(timeout: .seconds(30))
        }
        var senderClients: [(party: String, client: HubClient)] = []
        for (index, party) in Self.senders.enumerated() {
            let client = try ClusterSupport.client(party, endpoints: orders[(index + 1) % 2], hub: a)
            clients.append(client)
            senderClients.append((party, client))
            try await client.connect(timeout: .seconds(30))
        }

        let stream = StreamingSenders()
        stream.start(senderClients)
        var victim = Int.random(in: 0...1, using: &random)
        for round in 1...3 {
            let moment = Int.random(in: 20...150, using: &random)
            let before = stream.acceptedCount
            try await waitUntil(.seconds(60), "round \(round): no progress to \(before + moment) accepted; \(stream.failures.current)") {
                stream.acceptedCount >= before + moment || !stream.failures.current.isEmpty
            }
            let atKill = stream.perSender.current
            print("round \(round): kill -9 of node \(victim == 0 ? "a" : "b") after \(stream.acceptedCount) accepted")
            await nodes[victim].kill9()
            try await stream.waitEachProgressed(10, since: atKill, within: .seconds(60), "round \(round): senders after the kill")
            try await nodes[victim].start()
            let restarted = stream.perSender.current
            try await stream.waitEachProgressed(10, since: restarted, within: .seconds(60), "round \(round): after the restart")
            victim = 1 - victim
        }
        try await stream.stop()
        #expect(stream.failures.current.isEmpty, "\(stream.failures.current)")

        let accepted = stream.accepted.current
        let submitted = stream.submitted.current
        print("node loss under load: \(accepted.count) accepted, \(stream.retried.current) retried answers")
        for party in Self.receivers {
            let inbox = try #require(inboxes[party])
            try await waitUntil(
                .seconds(90),
                "\(party) lacks \(Set(accepted.keys).subtracting(inbox.all.map(\.id)).count) of \(accepted.count) accepted ids"
            ) {
                Set(inbox.all.map(\.id)).isSuperset(of: accepted.keys)
            }
            let deliveries = inbox.all
            let problems = ClusterSupport.orderProblems(deliveries, accepted: accepted.mapValues(\.seq))
            #expect(problems.isEmpty, "\(party): \(problems.prefix(10))")
            let strangers = Set(deliveries.map(\.id)).subtracting(submitted)
            #expect(strangers.isEmpty, "\(party) got ids nobody submitted: \(strangers.prefix(10))")
            print("\(party): \(deliveries.count) deliveries, \(ClusterSupport.redeliveries(deliveries)) redeliveries")
        }
        let journaled = try server.psql("SELECT count(*) FROM messages", database: "cluster_nodeloss")
        #expect(Int(journaled) == accepted.count, "the journal holds \(journaled) messages, \(accepted.count) were accepted")
    }
}
