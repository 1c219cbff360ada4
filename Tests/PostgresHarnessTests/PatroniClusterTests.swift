import Foundation
import HubTestSupport
import Testing

/// The Patroni cluster the database-failover tests start: a leader and a synchronous
/// standby come up; killing the leader's machine makes Patroni promote the standby within
/// its ttl, with every commit confirmed before; the killed node rejoins as a standby.
@Suite("Patroni cluster harness")
struct PatroniClusterTests {
    @Test func killingTheLeaderPromotesTheSynchronousStandbyWithEveryCommit() async throws {
        let cluster = try await PatroniCluster.launch(nodes: 2)
        defer { cluster.shutdown() }
        #expect(cluster.hosts.count == 2)
        #expect(try String(contentsOfFile: cluster.passwordFile, encoding: .utf8) == cluster.password)
        let (leader, standby) = try await cluster.waitForSynchronousStandby()
        #expect(leader != standby)
        #expect(try cluster.psql("SELECT pg_is_in_recovery()", node: standby) == "t")
        #expect(try cluster.psql("SHOW synchronous_commit", node: leader) == "on")
        let names = try cluster.psql("SHOW synchronous_standby_names", node: leader)
        #expect(names.contains("node\(standby)"))

        try cluster.createDatabase("journal")
        try cluster.psql("CREATE TABLE notes (id int PRIMARY KEY)", node: leader, database: "journal")
        for id in 1...20 { try cluster.psql("INSERT INTO notes VALUES (\(id))", node: leader, database: "journal") }

        let killed = try await cluster.killLeader()
        #expect(killed == leader)
        let promoted = try await cluster.waitForNewLeader(not: killed)
        #expect(promoted == standby)
        #expect(try cluster.psql("SELECT count(*), max(id) FROM notes", node: promoted, database: "journal") == "20|20")
        // Not strict: the survivor takes writes alone.
        try cluster.psql("INSERT INTO notes VALUES (21)", node: promoted, database: "journal", timeout: .seconds(60))

        // The killed node comes back as the new leader's synchronous standby, with everything.
        try cluster.startNode(killed)
        let (leaderAfter, standbyAfter) = try await cluster.waitForSynchronousStandby()
        #expect(leaderAfter == promoted)
        #expect(standbyAfter == killed)
        try cluster.psql("INSERT INTO notes VALUES (22)", node: promoted, database: "journal")
        // Confirmed means flushed on the standby; replay follows.
        try await waitUntil(.seconds(60), "node \(killed) replays row 22") {
            try cluster.psql("SELECT count(*) FROM notes", node: killed, database: "journal") == "22"
        }
    }
}
