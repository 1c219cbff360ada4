import HubStore
import PostgresNIO

/// What went wrong talking to PostgreSQL, in words that are safe to log and to show: the
/// server's SQLSTATE and message, or the connection's trouble. Never the query's bound
/// values (message bodies), which postgres-nio's `PSQLError` keeps.
enum PostgresFailure {
    /// SQLSTATE classes and codes meaning "this server cannot take the work right now":
    /// it is shutting down or starting (57P01-57P03), is a standby or read-only (25006),
    /// or the connection failed (08xxx).
    private static let unavailableStates: Set<String> = ["57P01", "57P02", "57P03", "25006", "40001", "40P01"]

    /// The error as a ``StoreError``: `unavailable` when the database could not be reached
    /// or will not take writes now (retry later), else `code`.
    ///
    /// - Parameters:
    ///   - error: What postgres-nio (or the store) threw.
    ///   - code: The code for any other failure (`writeFailed`, `readFailed`, `openFailed`).
    ///   - operation: What was being done, for the reason.
    static func storeError(_ error: any Error, code: StoreError.Code, operation: String) -> StoreError {
        if let error = error as? StoreError { return error }
        let unavailable = isUnavailable(error)
        return StoreError(code: unavailable ? .unavailable : code, reason: "\(operation): \(describe(error))")
    }

    /// Whether the error means the server is unreachable, going away or not writable.
    static func isUnavailable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return true }
        if error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || unavailableStates.contains(state)
        }
        return [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .queryCancelled]
            .contains(error.code)
    }

    /// Whether the error means the settings are wrong: the login was refused (28000,
    /// 28P01), the database does not exist (3D000), or the server asks for a password none
    /// was configured for.
    static func isMisconfiguration(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        if error.code == .authMechanismRequiresPassword || error.code == .unsupportedAuthMechanism { return true }
        return ["28000", "28P01", "3D000"].contains(sqlState(error) ?? "")
    }

    /// The SQLSTATE of a server error, nil for any other.
    static func sqlState(_ error: any Error) -> String? {
        guard let error = error as? PSQLError, error.code == .server else { return nil }
        return error.serverInfo?[.sqlState]
    }

    /// A safe description: the server's message and SQLSTATE, or the connection's error.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if error.code == .server, let info = error.serverInfo {
            let message = info[.message] ?? "no message"
            return "\(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
