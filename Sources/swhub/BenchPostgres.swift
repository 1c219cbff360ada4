import Foundation
import HubCore
import HubStore
import HubStorePostgres
import LocalServers

/// The PostgreSQL side of `swhub bench --postgres` (issue 12): a throwaway PostgreSQL 15
/// started by the bench itself (`PostgresServer`: `initdb` in a temporary directory, on a
/// free loopback port, as the `postgres` user when the bench runs as root, `fsync=on`,
/// `synchronous_commit=on`), one database per case, and the server's own statistics of
/// what the hub's transactions cost (`pg_stat_statements`, `pg_stat_wal` with
/// `track_wal_io_timing`). ``shutdown()`` stops the server and removes its directory; the
/// server is also stopped at exit if the bench fails, and reaped by the next launch if the
/// bench was killed.
final class BenchPostgres {
    let server: PostgresServer

    private init(server: PostgresServer) {
        self.server = server
    }

    /// Starts the server and makes `pg_stat_statements` queryable.
    static func launch() async throws -> BenchPostgres {
        let server = try await PostgresServer.launch(
            name: "swhub-bench",
            settings: [
                "shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.track": "all", "track_wal_io_timing": "on",
                "track_io_timing": "on", "max_connections": "200", "shared_buffers": "256MB",
            ])
        do {
            try server.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        } catch {
            server.shutdown()
            throw error
        }
        return BenchPostgres(server: server)
    }

    func shutdown() {
        server.shutdown()
    }

    /// Creates database `name` and returns the hub's `store:` section for it.
    func store(database name: String) throws -> String {
        try server.createDatabase(name)
        return """
            store:
              kind: postgres
              hosts: ["\(server.endpoint)"]
              database: \(name)
              user: \(server.user)
              password_file: \(server.passwordFile)
            """
    }

    /// The cluster state of the journal in database `name` (`swhub status --cluster`'s reads).
    func journal(database name: String) throws -> PostgresJournalStore {
        let settings = HubConfig.PostgresStore(
            hosts: [.init(host: server.host, port: server.port)], database: name, user: server.user, passwordFile: server.passwordFile)
        return try PostgresJournalStore(settings: settings, logger: JournalAccess.quiet)
    }

    /// Clears the server's statement and WAL statistics.
    func resetStatistics() throws {
        try server.psql("SELECT pg_stat_statements_reset(); SELECT pg_stat_reset_shared('wal');")
    }

    /// What the server spent on database `name` since ``resetStatistics()``, as text lines:
    /// transactions and their COMMIT time, the statements that took most of the time, and
    /// the WAL's writes and fsyncs.
    func statistics(database name: String) throws -> [String] {
        let quoted = name.replacingOccurrences(of: "'", with: "''")
        let statements = try server.psql(
            """
            SELECT calls, rows, round(total_exec_time::numeric, 1), round(mean_exec_time::numeric * 1000, 1),
                regexp_replace(left(query, 70), '\\s+', ' ', 'g')
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = '\(quoted)' ORDER BY total_exec_time DESC LIMIT 8
            """)
        var lines: [String] = []
        for row in statements.split(separator: "\n") {
            let fields = row.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            lines.append("\(fields[0]) calls, \(fields[1]) rows, total \(fields[2]) ms, mean \(fields[3]) µs: \(fields[4])")
        }
        let wal = try server.psql(
            """
            SELECT wal_records, pg_size_pretty(wal_bytes), wal_write, wal_sync, round(wal_write_time::numeric, 1),
                round(wal_sync_time::numeric, 1), round((wal_sync_time / greatest(wal_sync, 1))::numeric * 1000, 1)
            FROM pg_stat_wal
            """)
        let walFields = wal.split(separator: "|").map(String.init)
        if walFields.count == 7 {
            lines.append(
                "WAL (whole server): \(walFields[0]) records, \(walFields[1]), \(walFields[2]) writes (\(walFields[4]) ms), \(walFields[3]) fsyncs (\(walFields[5]) ms, mean \(walFields[6]) µs)"
            )
        }
        return lines
    }
}
