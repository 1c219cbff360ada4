import Foundation
import HubTestSupport
import LocalServers
import Testing

/// `swhub serve` with a PostgreSQL store it cannot use exits promptly (each attempt bounded
/// by `store.connect_timeout_ms`) with an error naming the host and why: 78 when a setting
/// must change (wrong password, missing database), 4 when a retry may help (nothing
/// listens, only a read-only standby). `swhub status --cluster` refuses a SQLite config.
@Suite("Cluster: bad store configuration", .serialized, .timeLimit(.minutes(4)))
struct ClusterBadConfigTests {
    static let parties: [TestHub.PartySpec] = [.init(id: "s1")]

    /// Runs `swhub serve` on `store` and waits for its exit (a hang fails the wait);
    /// returns its status and output.
    static func serve(store: [String]) async throws -> (status: Int32, output: String, hub: TestHub) {
        let hub = try TestHub(parties: parties, store: store)
        let serve = try hub.startSwhub(["serve", "--config", hub.configPath], logName: "serve.log")
        try await waitUntil(.seconds(60), "swhub serve is still running: \(hub.log(named: "serve.log"))") { !serve.isRunning }
        #expect(!LoopbackPorts.canConnect(hub.port), "nothing listens on the hub's port")
        return (serve.terminationStatus, hub.log(named: "serve.log"), hub)
    }

    @Test func aHostWhereNothingListensExitsWithRetryLater() async throws {
        let port = try TestHub.freePort()
        let password = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-pw-\(UUID().uuidString)").path
        try "secret".write(toFile: password, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: password) }
        let result = try await Self.serve(
            store: ClusterSupport.storeLines(
                hosts: ["127.0.0.1:\(port)"], database: "journal", user: "swhub", passwordFile: password, connectTimeoutMs: 300))
        #expect(result.status == 4, "\(result.output)")
        #expect(result.output.contains("127.0.0.1:\(port)"), "names the host: \(result.output)")
    }

    @Test func aWrongPasswordOrAMissingDatabaseIsAConfigurationError() async throws {
        let server = try await PostgresServer.launch()
        defer { server.shutdown() }
        try server.createDatabase("cluster_badconfig")
        let wrong = server.directory.appendingPathComponent("wrong-password").path
        try "not-the-password".write(toFile: wrong, atomically: true, encoding: .utf8)

        let refused = try await Self.serve(
            store: ClusterSupport.storeLines(
                hosts: [server.endpoint], database: "cluster_badconfig", user: server.user, passwordFile: wrong, connectTimeoutMs: 300))
        #expect(refused.status == 78, "\(refused.output)")
        #expect(refused.output.contains(server.endpoint), "names the host: \(refused.output)")
        #expect(refused.output.lowercased().contains("password"), "says why: \(refused.output)")

        let missing = try await Self.serve(store: ClusterSupport.storeLines(server, database: "no_such_journal", connectTimeoutMs: 300))
        #expect(missing.status == 78, "\(missing.output)")
        #expect(missing.output.contains(server.endpoint), "names the host: \(missing.output)")
        #expect(missing.output.contains("no_such_journal"), "names the database: \(missing.output)")
    }

    @Test func onlyAReadOnlyStandbyExitsWithRetryLater() async throws {
        let primary = try await PostgresServer.launch()
        defer { primary.shutdown() }
        try primary.createDatabase("cluster_standbyonly")
        let standby = try await primary.makeStandby(name: "standby1", synchronous: false)
        defer { standby.shutdown() }
        let result = try await Self.serve(
            store: ClusterSupport.storeLines(
                hosts: [standby.endpoint], database: "cluster_standbyonly", user: standby.user, passwordFile: standby.passwordFile,
                connectTimeoutMs: 300))
        #expect(result.status == 4, "\(result.output)")
        #expect(result.output.contains(standby.endpoint), "names the host: \(result.output)")
        #expect(result.output.contains("standby") || result.output.contains("read-only"), "says why: \(result.output)")
    }

    @Test func clusterStatusRefusesASQLiteConfig() async throws {
        let hub = try TestHub(parties: Self.parties)
        let status = try await ConfigCheckTests.run(["status", "--cluster", "--config", hub.configPath])
        #expect(status.status == 2, "\(status)")
        #expect(status.errors.contains("SQLite") && status.errors.contains(hub.configPath), "\(status.errors)")
    }
}
