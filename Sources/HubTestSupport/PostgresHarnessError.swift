/// Why a test's PostgreSQL, etcd or Patroni could not be set up or did not reach the state
/// asked for. `code` is stable; `reason` says what happened, `logTail` the end of the
/// server's log (often the real cause).
public struct PostgresHarnessError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// No PostgreSQL binaries (`pg_config --bindir`, /usr/lib/postgresql/*/bin).
        case binariesNotFound = "binaries_not_found"
        /// Running as root and no unprivileged account (`postgres`) to run the servers as.
        case noServerAccount = "no_server_account"
        /// A program (initdb, psql, pg_basebackup, ...) exited with a failure status.
        case commandFailed = "command_failed"
        /// A program or a wait did not finish within its limit.
        case timeout
        /// A server exited, or never came up.
        case startFailed = "start_failed"
        /// No free loopback port.
        case noFreePort = "no_free_port"
        /// A server's HTTP API did not answer as expected.
        case httpFailed = "http_failed"
    }

    public let code: Code
    public let reason: String
    public let logTail: String

    public init(_ code: Code, _ reason: String, logTail: String = "") {
        self.code = code
        self.reason = reason
        self.logTail = logTail
    }

    public var description: String {
        let tail = logTail.isEmpty ? "" : "\n--- log tail ---\n\(logTail)"
        return "\(code.rawValue): \(reason)\(tail)"
    }
}
