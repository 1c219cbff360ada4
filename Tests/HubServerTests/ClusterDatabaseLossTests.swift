import Foundation
import HubClient
import HubTestSupport
import Testing

/// The journal's PostgreSQL primary dies (SIGKILL of the postmaster and its backends) while
/// submissions stream; its synchronous standby is promoted; the hub, listing both hosts,
/// finds the new primary and answers 3xx meanwhile. Every id ever answered ACCEPTED is on
/// the new primary with the seq its receipt gave, and nothing was lost.
@Suite("Cluster: database primary loss under load", .serialized, .timeLimit(.minutes(5)))
struct ClusterDatabaseLossTests {
    static let parties: [TestHub.PartySpec] = [
        .init(id: "s1"), .init(id: "s2"), .init(id: "r1", subscribes: ["demo.Note"]),
    ]

    @Test func noAcceptedMessageIsLostWhenThePrimaryDies() async throws {
        let primary = try await PostgresServer.launch(name: "primary")
        defer { primary.shutdown() }
        try primary.createDatabase("cluster_dbloss")
        let standby = try await primary.makeStandby(name: "standby1", synchronous: true)
        defer { standby.shutdown() }
        try await Self.streamThroughFailover(
            store: ClusterSupport.storeLines(primary, database: "cluster_dbloss", more: [standby.endpoint], connectTimeoutMs: 500),
            failover: {
                try await primary.kill9()
                print("database primary loss: the primary is dead; promoting the standby")
                try await standby.promote()
            },
            rows: { try standby.psql("SELECT sender, msg_id, seq FROM messages", database: "cluster_dbloss") })
    }

    /// The same with Patroni and etcd: Patroni promotes the synchronous standby by itself
    /// once the dead leader's key has expired.
    @Test func noAcceptedMessageIsLostWhenPatroniFailsOver() async throws {
        let cluster = try await PatroniCluster.launch(ttl: 10)
        defer { cluster.shutdown() }
        try cluster.createDatabase("cluster_patroni")
        let newLeader = Locked<Int?>(nil)
        try await Self.streamThroughFailover(
            store: ClusterSupport.storeLines(
                hosts: cluster.hosts, database: "cluster_patroni", user: cluster.user, passwordFile: cluster.passwordFile,
                connectTimeoutMs: 500),
            failover: {
                let old = try await cluster.killLeader()
                print("database primary loss (Patroni): node\(old) killed")
                let new = try await cluster.waitForNewLeader(not: old)
                newLeader.withLock { $0 = new }
                print("database primary loss (Patroni): node\(new) leads")
            },
            rows: {
                try cluster.psql("SELECT sender, msg_id, seq FROM messages", node: newLeader.current ?? 0, database: "cluster_patroni")
            })
    }

    /// Two nodes on `store`, two senders and a receiver streaming; `failover` kills the
    /// primary at a random moment and makes another one; then every ACCEPTED id must be
    /// among `rows` (sender|msg_id|seq of the new primary's messages) with its receipt's
    /// seq, and reach the receiver in order.
    static func streamThroughFailover(
        store: [String], failover: () async throws -> Void, rows: () throws -> String
    ) async throws {
        let seed = SeededGenerator.seed()
        print("database primary loss: seed \(seed) (SWHUB_TEST_SEED=\(seed) replays it)")
        var random = SeededGenerator(seed: seed)
        let nodes = try ClusterSupport.nodes(2, parties: Self.parties, store: store)
        for node in nodes { try await node.start() }
        let endpoints = nodes.map(\.endpoint)

        var clients: [HubClient] = []
        defer { for client in clients { client.close() } }
        let receiver = try ClusterSupport.client("r1", endpoints: endpoints, hub: nodes[0], receive: true)
        clients.append(receiver)
        let inbox = DeliveryInbox(receiver)
        try await receiver.connect(timeout: .seconds(30))
        var senders: [(party: String, client: HubClient)] = []
        for (index, party) in ["s1", "s2"].enumerated() {
            let client = try ClusterSupport.client(party, endpoints: index == 0 ? endpoints : endpoints.reversed(), hub: nodes[0])
            clients.append(client)
            senders.append((party, client))
            try await client.connect(timeout: .seconds(30))
        }

        let stream = StreamingSenders()
        stream.start(senders)
        let moment = Int.random(in: 30...200, using: &random)
        try await waitUntil(.seconds(60), "no progress to \(moment) accepted; \(stream.failures.current)") {
            stream.acceptedCount >= moment || !stream.failures.current.isEmpty
        }
        let atKill = stream.perSender.current
        let retriedAtKill = stream.retried.current
        print("database primary loss: killing the primary after \(stream.acceptedCount) accepted")
        try await failover()
        print("database primary loss: a new primary after \(stream.acceptedCount) accepted")
        do {
            try await stream.waitEachProgressed(20, since: atKill, within: .seconds(90), "senders after the failover")
        } catch {
            for node in nodes { print("node log \(node.endpoint):\n\(node.log().suffix(6000))") }
            throw error
        }
        try await stream.stop()
        #expect(stream.failures.current.isEmpty, "\(stream.failures.current)")
        print(
            "database primary loss: \(stream.acceptedCount) accepted, \(stream.retried.current - retriedAtKill) answers retried after the kill"
        )

        let accepted = stream.accepted.current
        var journaled: [String: (sender: String, seq: UInt64)] = [:]
        for line in try rows().split(separator: "\n") {
            let fields = line.split(separator: "|").map(String.init)
            guard fields.count == 3, let seq = UInt64(fields[2]) else { continue }
            journaled[fields[1]] = (fields[0], seq)
        }
        let missing = accepted.keys.filter { journaled[$0] == nil }.sorted()
        #expect(missing.isEmpty, "answered ACCEPTED but not on the new primary: \(missing.prefix(20)) of \(missing.count)")
        let differing = accepted.filter { id, receipt in
            journaled[id].map { $0.sender != receipt.sender || $0.seq != receipt.seq } ?? false
        }
        #expect(differing.isEmpty, "receipts that differ from the new primary's rows: \(differing.prefix(10))")

        try await waitUntil(.seconds(90), "r1 lacks \(Set(accepted.keys).subtracting(inbox.all.map(\.id)).count) accepted ids") {
            Set(inbox.all.map(\.id)).isSuperset(of: accepted.keys)
        }
        let problems = ClusterSupport.orderProblems(inbox.all, accepted: accepted.mapValues(\.seq))
        #expect(problems.isEmpty, "r1: \(problems.prefix(10))")
    }
}
