import HubStore
import Testing

/// The process-wide settings take effect only before SQLite's first connection: once one is
/// open they are refused (SQLITE_MISUSE) and reported as not applied, never half applied.
/// `swhub serve`, `demo` and `bench` apply them first thing; the hubs the integration tests
/// start run with them.
@Suite("SQLite process settings")
struct SQLiteProcessSettingsTests {
    @Test func afterAConnectionIsOpenTheyAreReportedNotApplied() throws {
        let journal = try TemporaryJournal()
        defer { journal.remove() }
        let store = try journal.open()  // SQLite is initialized from here on
        let outcome = SQLiteProcessSettings.apply()
        #expect(!outcome.multiThread)
        #expect(!outcome.noMemoryStatistics)
        #expect(try store.headSeq() == 0, "the open journal keeps working")
    }
}
