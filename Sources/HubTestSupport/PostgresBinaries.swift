import Foundation

/// Where the PostgreSQL programs are: `pg_config --bindir` (when it names a directory
/// with `initdb`), otherwise the newest /usr/lib/postgresql/<major>/bin (Debian's layout).
struct PostgresBinaries: Sendable {
    let directory: String

    func path(_ program: String) -> String { directory + "/" + program }

    static func find() throws -> PostgresBinaries {
        let fileManager = FileManager.default
        for candidate in ["/usr/bin/pg_config", "/usr/local/bin/pg_config"] where fileManager.isExecutableFile(atPath: candidate) {
            if let directory = try? ServerProcesses.check(
                candidate, ["--bindir"], environment: ServerAccount.environment(home: "/"), timeout: .seconds(30)
            ).trimmed,
                fileManager.isExecutableFile(atPath: directory + "/initdb")
            {
                return PostgresBinaries(directory: directory)
            }
        }
        let root = "/usr/lib/postgresql"
        let majors = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for major in majors where fileManager.isExecutableFile(atPath: "\(root)/\(major)/bin/initdb") {
            return PostgresBinaries(directory: "\(root)/\(major)/bin")
        }
        throw PostgresHarnessError(
            .binariesNotFound, "no PostgreSQL server binaries (pg_config --bindir, /usr/lib/postgresql/*/bin): install postgresql-15")
    }

    /// Runs `sql` with `psql -X -q -At -v ON_ERROR_STOP=1` over TCP with a password and
    /// returns its output (rows one a line, columns separated by `|`), trimmed. Several
    /// statements may be given; each runs in its own transaction unless the SQL says otherwise.
    func psql(
        host: String, port: Int, user: String, password: String, database: String, _ sql: String, timeout: Duration
    ) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-sql-\(UUID().uuidString).sql").path
        guard FileManager.default.createFile(atPath: file, contents: Data(sql.utf8)) else {
            throw PostgresHarnessError(.commandFailed, "cannot write \(file)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        let environment = ServerAccount.environment(
            home: FileManager.default.temporaryDirectory.path, ["PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"])
        let result = try ServerProcesses.run(
            path("psql"),
            ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", "\(port)", "-U", user, "-d", database, "-f", file],
            environment: environment, timeout: timeout)
        guard result.status == 0 else {
            throw PostgresHarnessError(
                .commandFailed, "psql on \(host):\(port)/\(database) exited with status \(result.status): \(result.errors.trimmed)")
        }
        return result.output.trimmed
    }

    /// True when the server on `host:port` accepts connections (`pg_isready`).
    func isReady(host: String, port: Int) -> Bool {
        let result = try? ServerProcesses.run(
            path("pg_isready"), ["-q", "-h", host, "-p", "\(port)", "-t", "2"],
            environment: ServerAccount.environment(home: FileManager.default.temporaryDirectory.path), timeout: .seconds(30))
        return result?.status == 0
    }
}
