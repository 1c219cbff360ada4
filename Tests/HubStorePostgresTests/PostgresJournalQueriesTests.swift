import HubCore
import HubStore
import HubStorePostgres
import HubTestSupport
import Testing

/// `PostgresJournalQueries` answers as `JournalQueries` documents (the checks every backend
/// shares), refuses damaged records with their seq, and reads one state in a snapshot.
@Suite("PostgreSQL journal queries", .serialized)
struct PostgresJournalQueriesTests {
    @Test func queriesReadAsDocumented() async throws {
        try await withJournalDatabase { _, settings in
            try journalConformanceBatch(settings)
            let queries = try PostgresJournalQueries(settings: settings, logger: testLogger)
            defer { queries.close() }
            try JournalQueriesConformance.check(queries)
            // The same through the inspector the commands use.
            #expect(try JournalInspector(queries: queries).headSeq() == 8)
        }
    }

    @Test func anEmptyJournalAndADatabaseWithoutOne() async throws {
        try await withJournalDatabase { _, settings in
            let error = #expect(throws: StoreError.self) { try PostgresJournalQueries(settings: settings, logger: testLogger) }
            #expect(error?.code == .openFailed, "a database with no journal tables is not a journal")
            try PostgresJournalStore(settings: settings, logger: testLogger).close()
            let queries = try PostgresJournalQueries(settings: settings, logger: testLogger)
            #expect(try queries.headSeq() == 0)
            #expect(try queries.nextSender(after: "") == nil)
            #expect(try queries.ackPositions().isEmpty)
            for grouping in JournalCount.Grouping.allCases { #expect(try queries.counts(by: grouping).isEmpty) }
        }
    }

    @Test func aDamagedRecordIsRefusedWithItsSeq() async throws {
        try await withJournalDatabase { server, settings in
            try journalConformanceBatch(settings)
            try psql(server, settings, "UPDATE messages SET body = '\\x00' WHERE seq = 2")
            let queries = try PostgresJournalQueries(settings: settings, logger: testLogger)
            defer { queries.close() }
            for (what, read) in [
                ("record", { _ = try queries.record(sender: "alice", id: "m-2") }),
                ("records(sender:idPrefix:)", { _ = try queries.records(sender: "alice", idPrefix: "m-") }),
                ("records(types:)", { _ = try queries.records(types: ["order"], after: 0, limit: 10) }),
                ("record in a snapshot", { _ = try queries.snapshot { try $0.record(sender: "alice", id: "m-2") } }),
            ] as [(String, () throws -> Void)] {
                let error = #expect(throws: StoreError.self, "\(what)") { try read() }
                #expect(error?.code == .corrupt && error?.seq == 2, "\(what)")
            }
            #expect(try queries.seq(sender: "alice", id: "m-2") == 2)
            #expect(try queries.records(types: ["order"], after: 2, limit: 10).map(\.seq) == [4, 6, 8])
        }
    }

    /// A snapshot does not see what is journaled while it runs; each call alone does.
    @Test func aSnapshotReadsOneState() async throws {
        try await withJournalDatabase { _, settings in
            try journalConformanceBatch(settings)
            let queries = try PostgresJournalQueries(settings: settings, logger: testLogger)
            defer { queries.close() }
            let store = try PostgresJournalStore(settings: settings, logger: testLogger)
            defer { store.close() }
            let seen = try queries.snapshot { snapshot in
                let before = try snapshot.headSeq()
                _ = try store.append(
                    [JournalQueriesConformance.entry(sender: "alice", id: "late", type: "order", recipients: ["bob"])], acks: [:])
                return (before, try snapshot.headSeq(), try snapshot.record(sender: "alice", id: "late")?.seq)
            }
            #expect(seen.0 == 8 && seen.1 == 8 && seen.2 == nil)
            #expect(try queries.headSeq() == 9)
            #expect(try queries.record(sender: "alice", id: "late")?.seq == 9)
            // What the body throws, other than a StoreError, comes back as readFailed.
            struct Elsewhere: Error {}
            let error = #expect(throws: StoreError.self) { try queries.snapshot { _ in throw Elsewhere() } }
            #expect(error?.code == .readFailed)
            #expect(try queries.headSeq() == 9, "the connection is usable after the rolled back snapshot")
        }
    }
}
