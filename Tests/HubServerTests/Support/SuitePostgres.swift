import Foundation
import HubThreads

/// The second pass of the integration suites with the journal in PostgreSQL: when
/// `SWHUB_TEST_POSTGRES` (`HOST:PORT`) and `SWHUB_TEST_POSTGRES_PASSWORD_FILE` are set (by
/// `Scripts/test.sh`, which starts that server: `Scripts/lib/test-postgres.sh`), every
/// `TestHub` not given a `store:` of its own keeps its journal in a new database there, as
/// the role `swhub`. Unset (the first pass), hubs keep SQLite journals.
enum SuitePostgres {
    /// The server, when this pass runs on PostgreSQL.
    static var endpoint: String? { ProcessInfo.processInfo.environment["SWHUB_TEST_POSTGRES"] }

    /// `store:` lines naming a new, empty database, or nil on the SQLite pass.
    static func storeLines() throws -> [String]? {
        guard let endpoint, let passwordFile = ProcessInfo.processInfo.environment["SWHUB_TEST_POSTGRES_PASSWORD_FILE"] else {
            return nil
        }
        let database = "suite_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        let parts = endpoint.split(separator: ":")
        guard parts.count == 2 else { throw TestHubError("SWHUB_TEST_POSTGRES '\(endpoint)' is not HOST:PORT") }
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [
            "-X", "-q", "-h", String(parts[0]), "-p", String(parts[1]), "-U", "swhub", "-d", "postgres", "-c",
            "CREATE DATABASE \(database)",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        process.environment = environment
        try ProcessLaunch.run(process)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestHubError("cannot create database \(database) on \(endpoint)") }
        return [
            "kind: postgres", "hosts: [\"\(endpoint)\"]", "database: \(database)", "user: swhub", "password_file: \(passwordFile)",
        ]
    }
}
