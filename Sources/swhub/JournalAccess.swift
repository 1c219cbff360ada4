import HubCore
import HubStore
import HubStorePostgres
import Logging

/// The operators' reads of the journal a hub config names, whichever store keeps it:
/// SQLite (``SQLiteJournalQueries``) or PostgreSQL (``PostgresJournalQueries``).
enum JournalAccess {
    /// The journal's inspector (`swhub status`, `stats`, `trace`, the monitor's trace).
    ///
    /// - Parameters:
    ///   - store: Where the journal is.
    /// - Throws: ``StoreError`` `openFailed` (no journal there, a refused login),
    ///   `unavailable` (no PostgreSQL server reachable).
    ///   - archiveDirectory: `archive.dir` of the hub's config: archived records are read
    ///     from there (nil: where the journal's archive manifest says they were written).
    static func inspector(_ store: HubConfig.Store, archiveDirectory: String? = nil) throws -> JournalInspector {
        switch store {
        case .sqlite(let path):
            return JournalInspector(queries: try SQLiteJournalQueries(path: path, archiveDirectory: archiveDirectory))
        case .postgres(let settings):
            return JournalInspector(
                queries: try PostgresJournalQueries(settings: settings, archiveDirectory: archiveDirectory, logger: quiet))
        }
    }

    /// A logger that drops everything: the commands print their own results, and the
    /// database client's messages must not mix with them (e.g. `--json` on standard output).
    static var quiet: Logger {
        Logger(label: "swhub.journal") { _ in SwiftLogNoOpLogHandler() }
    }
}
