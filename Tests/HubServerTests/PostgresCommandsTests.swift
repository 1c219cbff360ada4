import Foundation
import HubStore
import HubTestSupport
import Testing

/// The real `swhub` on a PostgreSQL journal: `migrate` from the SQLite journal a hub wrote,
/// then `verify`, `trace` and `stats` through a hub config whose store is PostgreSQL;
/// `verify` names the row psql damaged.
@Suite("swhub on a PostgreSQL journal", .serialized, .timeLimit(.minutes(5)))
struct PostgresCommandsTests {
    @Test func migrateThenVerifyTraceAndStats() async throws {
        let hub = try VerifyCommandTests.hub()
        try VerifyCommandTests.write(hub, count: 300) { store in try store.saveAcks(["bob": 120]) }
        let server = try await PostgresServer.launch()
        defer { server.shutdown() }
        try server.createDatabase("pgverify_commands")
        let config = hub.directory.appendingPathComponent("hub-postgres.yaml").path
        let yaml = try String(contentsOfFile: hub.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  journal: journal.sqlite\n", with: "")
        try """
        store:
          kind: postgres
          hosts: ["\(server.endpoint)"]
          database: pgverify_commands
          user: \(server.user)
          password_file: \(server.passwordFile)
        \(yaml)
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let sqlite = try await ConfigCheckTests.run(["verify", "--config", hub.configPath])
        #expect(sqlite.status == 0, "\(sqlite)")
        let chainLine = try #require(sqlite.output.split(separator: "\n").first { $0.hasPrefix("journal intact:") })
        let chain = try #require(chainLine.split(separator: " ").last.map(String.init))

        let migrated = try await ConfigCheckTests.run(["migrate", "--from", "sqlite:\(hub.journalPath)", "--to", config])
        #expect(migrated.status == 0, "\(migrated)")
        #expect(migrated.output.contains("migrated: both journals end at seq 300 with chain head \(chain)"), "\(migrated.output)")
        #expect(migrated.output.contains("copied: 300 messages, 300 inbox rows, 1 ack positions"), "\(migrated.output)")
        let again = try await ConfigCheckTests.run(["migrate", "--from", "sqlite:\(hub.journalPath)", "--to", config])
        #expect(again.status == 2 && again.errors.contains("not empty"), "\(again)")

        var verified = try await ConfigCheckTests.run(["verify", "--config", config])
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.output.contains("journal intact: 300 records, head seq 300, chain head \(chain)"), "\(verified.output)")
        let quick = try await ConfigCheckTests.run(["verify", "--config", config, "--quick", "--tail", "10"])
        #expect(quick.status == 0 && quick.output.contains("checked (quick): 10 rows, seqs 291–300"), "\(quick)")

        let trace = try await ConfigCheckTests.run(["trace", "m-000005", "--config", config])
        #expect(trace.status == 0 && trace.output.contains("seq 5"), "\(trace)")
        let missing = try await ConfigCheckTests.run(["trace", "no-such-id", "--config", config])
        #expect(missing.status == 3, "\(missing)")
        let stats = try await ConfigCheckTests.run(["stats", "--config", config, "--json"])
        #expect(stats.status == 0 && stats.output.contains("\"head_seq\":300"), "\(stats)")

        try server.psql("UPDATE messages SET body = '\\x00' WHERE seq = 7", database: "pgverify_commands")
        verified = try await ConfigCheckTests.run(["verify", "--config", config])
        #expect(verified.status == 1, "\(verified)")
        let problems = verified.output.split(separator: "\n").filter { $0.hasPrefix("  ") }
        #expect(problems.first?.trimmingCharacters(in: .whitespaces).hasPrefix("seq 7 altered") == true, "\(verified.output)")
        #expect(verified.output.contains("journal NOT intact: 1 problem (altered)"), "\(verified.output)")
    }
}
