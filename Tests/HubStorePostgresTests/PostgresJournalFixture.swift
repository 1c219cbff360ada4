import Foundation
import HubCore
import HubStore
import HubStorePostgres
import HubTestSupport
import Logging

/// A real PostgreSQL server of the test's own (``PostgresServer``) with an empty database,
/// and the store settings naming it; the server is stopped and removed after `body`.
func withJournalDatabase<R>(_ body: (PostgresServer, HubConfig.PostgresStore) async throws -> R) async throws -> R {
    let server = try await PostgresServer.launch()
    defer { server.shutdown() }
    let database = "pgverify_\(UUID().uuidString.prefix(8).lowercased())"
    try server.createDatabase(database)
    let settings = HubConfig.PostgresStore(
        hosts: [HubConfig.PostgresStore.Host(host: server.host, port: server.port)], database: database, user: server.user,
        passwordFile: server.passwordFile)
    return try await body(server, settings)
}

/// A logger for the stores under test.
let testLogger = Logger(label: "HubStorePostgresTests")

/// Journals ``JournalQueriesConformance``'s batch (seqs 1…8) and positions in a new
/// PostgreSQL journal.
func journalConformanceBatch(_ settings: HubConfig.PostgresStore) throws {
    let store = try PostgresJournalStore(settings: settings, logger: testLogger)
    defer { store.close() }
    _ = try store.append(JournalQueriesConformance.batch, acks: [:])
    let positions = JournalQueriesConformance.positions
    _ = try store.append([], acks: positions.acks, progress: positions.marks)
}

/// Runs `sql` on the journal's database through psql (as an operator, or damage, would).
@discardableResult
func psql(_ server: PostgresServer, _ settings: HubConfig.PostgresStore, _ sql: String) throws -> String {
    try server.psql(sql, database: settings.database)
}
