import Foundation
import HubTestSupport
import HubThreads
import Testing

/// The real PostgreSQL the store tests start: a server in a temporary directory that
/// keeps its commits across a restart and a crash, and a synchronous standby that has
/// every commit the primary confirmed when the primary is killed.
@Suite("PostgreSQL server harness")
struct PostgresServerTests {
    @Test func serverKeepsCommitsAcrossRestartAndCrash() async throws {
        let server = try await PostgresServer.launch()
        defer { server.shutdown() }
        #expect(try String(contentsOfFile: server.passwordFile, encoding: .utf8) == server.password)
        let mode = try FileManager.default.attributesOfItem(atPath: server.passwordFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try server.psql("SHOW fsync") == "on")
        #expect(try server.psql("SHOW synchronous_commit") == "on")
        #expect(try server.psql("SELECT current_user") == server.user)

        try server.createDatabase("journal")
        try server.psql("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'one');", database: "journal")
        #expect(try server.psql("SELECT id, body FROM notes", database: "journal") == "1|one")

        try await server.stop()
        #expect(server.pid == nil)
        #expect(throws: PostgresHarnessError.self) { try server.psql("SELECT 1", timeout: .seconds(30)) }
        try await server.start()
        try server.psql("INSERT INTO notes VALUES (2, 'two')", database: "journal")

        try await server.kill9()
        try await server.start()
        #expect(try server.psql("SELECT id, body FROM notes ORDER BY id", database: "journal") == "1|one\n2|two")
    }

    @Test func wrongPasswordIsRefused() async throws {
        let server = try await PostgresServer.launch()
        defer { server.shutdown() }
        let psql = try #require(
            ["/usr/lib/postgresql/15/bin/psql", "/usr/bin/psql"].first(where: FileManager.default.isExecutableFile(atPath:)))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = ["-X", "-h", server.host, "-p", "\(server.port)", "-U", server.user, "-d", "postgres", "-c", "SELECT 1"]
        process.environment = ["PGPASSWORD": "not-the-password", "PGCONNECT_TIMEOUT": "10"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }

    @Test func aServerThatCannotStartSaysWhyWithItsLog() async throws {
        let error = await #expect(throws: PostgresHarnessError.self) {
            try await PostgresServer.launch(settings: ["shared_buffers": "plenty"])
        }
        #expect(error?.code == .startFailed)
        #expect(error?.logTail.contains("shared_buffers") == true)
    }

    @Test func synchronousStandbyHasEveryCommitAfterThePrimaryIsKilled() async throws {
        let primary = try await PostgresServer.launch(name: "primary")
        defer { primary.shutdown() }
        try primary.createDatabase("journal")
        try primary.psql("CREATE TABLE notes (id int PRIMARY KEY)", database: "journal")
        let standby = try await primary.makeStandby(name: "standby1", synchronous: true)
        defer { standby.shutdown() }
        #expect(standby.port != primary.port)
        #expect(try standby.isInRecovery())
        #expect(try primary.psql("SHOW synchronous_standby_names") == "FIRST 1 (\"standby1\")")
        #expect(try primary.replicationState(of: "standby1")?.sync == "sync")

        // Each commit returns only once the standby has it (synchronous_commit = on).
        for id in 1...20 { try primary.psql("INSERT INTO notes VALUES (\(id))", database: "journal") }
        try await primary.kill9()

        try await standby.promote()
        #expect(try !standby.isInRecovery())
        #expect(try standby.psql("SELECT count(*), max(id) FROM notes", database: "journal") == "20|20")
        // The promoted standby waits for no standby of its own: it takes writes at once.
        #expect(try standby.psql("SHOW synchronous_standby_names").isEmpty)
        try standby.psql("INSERT INTO notes VALUES (21)", database: "journal", timeout: .seconds(30))
        #expect(try standby.psql("SELECT count(*) FROM notes", database: "journal") == "21")
    }

    @Test func asynchronousStandbyStreams() async throws {
        let primary = try await PostgresServer.launch(name: "primary")
        defer { primary.shutdown() }
        let standby = try await primary.makeStandby(name: "replica1", synchronous: false)
        defer { standby.shutdown() }
        #expect(try primary.replicationState(of: "replica1")?.sync == "async")
        #expect(try primary.psql("SHOW synchronous_standby_names").isEmpty)
        try primary.psql("CREATE TABLE t (x int); INSERT INTO t VALUES (7);")
        let lsn = try primary.psql("SELECT pg_current_wal_lsn()")
        try await waitUntil(.seconds(60), "the standby replays \(lsn)") {
            try standby.psql("SELECT pg_last_wal_replay_lsn() >= '\(lsn)'::pg_lsn") == "t"
        }
        #expect(try standby.psql("SELECT x FROM t") == "7")
    }
}
