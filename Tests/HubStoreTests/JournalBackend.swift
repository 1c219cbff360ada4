import Foundation
import HubCore
import HubStore
import HubStorePostgres
import HubTestSupport

/// The journal stores the contract tests (`JournalStore…Tests`) run on: the same
/// behaviour is asked of both.
enum JournalBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// Runs `body` on a fresh, empty journal; `open` makes a new store instance on it each
    /// time it is called (a second call is a reopen, as after a restart).
    func withJournal(_ body: (_ open: () throws -> any JournalStore) throws -> Void) async throws {
        switch self {
        case .sqlite:
            try withTemporaryJournal { journal in try body { try journal.open() } }
        case .postgres:
            let settings = try await TestPostgres.shared.freshDatabase()
            try body { try PostgresJournalStore(settings: settings, logger: TemporaryJournal.logger) }
        }
    }
}

/// One PostgreSQL server for the test process (started on first use, as the tests' own
/// instance in a temporary directory), with a new database per test.
actor TestPostgres {
    static let shared = TestPostgres()
    /// The one launch, shared by every test that asks while it runs (an actor is reentrant
    /// across the `await`).
    private var launch: Task<PostgresServer, any Error>?
    private var databases = 0

    /// Settings naming a new, empty database on the server.
    func freshDatabase() async throws -> HubConfig.PostgresStore {
        let server = try await running()
        databases += 1
        let database = "journal_\(databases)"
        try server.createDatabase(database)
        return HubConfig.PostgresStore(
            hosts: [HubConfig.PostgresStore.Host(host: server.host, port: server.port)], database: database, user: server.user,
            passwordFile: server.passwordFile)
    }

    private func running() async throws -> PostgresServer {
        if launch == nil { launch = Task { try await PostgresServer.launch(name: "hubstore-tests") } }
        guard let launch else { throw CancellationError() }
        return try await launch.value
    }
}
