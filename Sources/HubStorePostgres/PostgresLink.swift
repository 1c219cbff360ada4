import HubCore
import HubStore
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// One connection to the writable primary among the configured servers.
///
/// Used by one thread at a time: a link is checked out of a ``PostgresPool`` for one call
/// and handed back after it (that hand-over, under the pool's lock, is why it may cross
/// threads). Calls block the calling thread until PostgreSQL answers, so they are made
/// from the hub's own threads (writer, readers), never from an event loop.
final class PostgresLink: @unchecked Sendable {
    /// The connection.
    let connection: PostgresConnection
    /// The server it reached.
    let host: HubConfig.PostgresStore.Host
    /// Whether a query failed in a way that leaves the connection unusable: the pool then
    /// drops it instead of handing it out again.
    private(set) var broken = false
    private let logger: Logger
    /// The longest a statement may take before the connection is given up.
    private let queryTimeout: Duration

    private static let ids = Atomic<Int>(0)

    private init(connection: PostgresConnection, host: HubConfig.PostgresStore.Host, queryTimeout: Duration, logger: Logger) {
        self.connection = connection
        self.host = host
        self.queryTimeout = queryTimeout
        self.logger = logger
    }

    /// Connects to the first server of `settings.hosts` that accepts writes, skipping those
    /// that cannot be reached, refuse the login, or are standbys (`pg_is_in_recovery()`),
    /// like libpq's `target_session_attrs=read-write`. The session commits synchronously
    /// (`synchronous_commit = on`: a commit returns once it is flushed to disk, and to the
    /// synchronous standby when the cluster has one).
    ///
    /// - Throws: ``StoreError`` `unavailable`, naming every server and why it was skipped;
    ///   `openFailed` instead when a server refused the login or has no such database.
    static func open(
        settings: HubConfig.PostgresStore, password: String?, tls: PostgresConnection.Configuration.TLS,
        group: any EventLoopGroup, logger: Logger
    ) throws -> PostgresLink {
        var skipped: [String] = []
        var misconfigured = false
        for host in settings.hosts {
            var configuration = PostgresConnection.Configuration(
                host: host.host, port: host.port, username: settings.user, password: password, database: settings.database,
                tls: tls)
            configuration.options.connectTimeout = .milliseconds(Int64(settings.connectTimeoutMs))
            let connection: PostgresConnection
            do {
                // Bounded as a whole (TCP, TLS, login): a server that accepts the TCP
                // connection and then never answers must not hold the caller.
                connection = try PostgresWait.result(
                    of: PostgresConnection.connect(
                        on: group.next(), configuration: configuration, id: ids.wrappingAdd(1, ordering: .relaxed).newValue,
                        logger: logger),
                    within: .milliseconds(2 * settings.connectTimeoutMs), what: "connect")
            } catch {
                skipped.append("\(host): \(PostgresFailure.describe(error))")
                misconfigured = misconfigured || PostgresFailure.isMisconfiguration(error)
                continue
            }
            let link = PostgresLink(
                connection: connection, host: host, queryTimeout: .milliseconds(settings.queryTimeoutMs), logger: logger)
            do {
                let row = try link.rows("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')").first
                let standby = try row.map { try $0.makeRandomAccess()[0].decode(Bool.self) } ?? true
                let readOnly = try row.map { try $0.makeRandomAccess()[1].decode(String.self) } ?? "on"
                if standby || readOnly == "on" {
                    skipped.append("\(host): \(standby ? "a standby" : "read-only"), not the primary")
                    link.close()
                    continue
                }
                try link.execute("SET synchronous_commit = on")
                return link
            } catch {
                skipped.append("\(host): \(PostgresFailure.describe(error))")
                link.close()
            }
        }
        // A refused login or a missing database will not heal by retrying: the settings are wrong.
        throw StoreError(
            code: misconfigured ? .openFailed : .unavailable,
            reason: "no writable PostgreSQL primary among store.hosts (\(skipped.joined(separator: "; ")))")
    }

    /// Runs a statement and returns its rows.
    ///
    /// - Throws: postgres-nio's error; a connection-level one marks the link broken.
    func rows(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> [PostgresRow] {
        do {
            return try PostgresWait.result(
                of: connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger), within: queryTimeout,
                what: "\(host)"
            ).rows
        } catch let error as StoreError {
            // No answer in time: the connection is given up (closed without waiting).
            broken = true
            let _: EventLoopFuture<Void> = connection.close()
            throw error
        } catch {
            if PostgresFailure.sqlState(error) == nil || PostgresFailure.isUnavailable(error) { broken = true }
            throw error
        }
    }

    /// Runs a statement whose rows are not needed.
    func execute(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws {
        _ = try rows(sql, binds)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws
    /// (a connection that cannot even roll back is marked broken).
    func transaction<R>(_ begin: String = "BEGIN", _ body: () throws -> R) throws -> R {
        try execute(begin)
        let result: R
        do {
            result = try body()
        } catch {
            do { try execute("ROLLBACK") } catch { broken = true }
            throw error
        }
        try execute("COMMIT")
        return result
    }

    /// Marks the link unusable (the pool drops it).
    func markBroken() { broken = true }

    /// Closes the connection.
    func close() {
        broken = true
        let closing: EventLoopFuture<Void> = connection.close()
        _ = try? PostgresWait.result(of: closing, within: .seconds(5), what: "close")
    }
}
