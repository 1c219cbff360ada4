import Foundation
import HubCore
import HubStore
import HubStorePostgres
import HubTestSupport
import Testing

/// `PostgresJournalMigration`: a SQLite journal copied into PostgreSQL verifies on both
/// sides with the same head chain, reads the same, and goes on appending there; a target
/// that is not empty is refused and left as it was.
@Suite("SQLite to PostgreSQL journal migration", .serialized)
struct PostgresJournalMigrationTests {
    /// A SQLite journal in a new temporary directory (removed after `body`).
    static func withSQLiteJournal<R>(_ body: (String) async throws -> R) async throws -> R {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgverify-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory.appendingPathComponent("journal.sqlite").path)
    }

    /// Journals, in several transactions: the conformance batch, 1,500 more messages to
    /// several recipients (more than a page), duplicates of some, acks and progress marks.
    static func fill(_ path: String) throws {
        let store = try SQLiteJournalStore(path: path, logger: testLogger)
        _ = try store.append(JournalQueriesConformance.batch, acks: [:])
        let more = (1...1_500).map {
            JournalQueriesConformance.entry(
                sender: $0 % 3 == 0 ? "bob" : "alice", id: "bulk-\($0)", type: $0 % 5 == 0 ? "payment" : "order",
                recipients: $0 % 2 == 0 ? ["bob", "carol", "dave"] : ["carol"], correlationId: $0 % 7 == 0 ? "m-1" : "")
        }
        _ = try store.append(Array(more[..<700]), acks: ["bob": 3])
        let outcomes = try store.append(Array(more[600...]), acks: ["carol": 900, "dave": 12])
        let repeated = outcomes.prefix(100).filter(\.duplicate).count
        #expect(repeated == 100, "the first 100 repeat journaled ids")
        let marks = [
            ProgressMark(party: "bob", kind: .delivered, seq: 40, atUs: 1), ProgressMark(party: "bob", kind: .acked, seq: 3, atUs: 2),
            ProgressMark(party: "carol", kind: .delivered, seq: 1_000, atUs: 3),
            ProgressMark(party: "carol", kind: .acked, seq: 900, atUs: 4),
        ]
        _ = try store.append([], acks: [:], progress: marks)
    }

    @Test func aJournalIsCopiedWithItsChainAndGoesOnAppending() async throws {
        try await Self.withSQLiteJournal { path in
            try Self.fill(path)
            try await withJournalDatabase { _, settings in
                let source = try JournalVerifier(journalPath: path).verify()
                #expect(source.intact && source.headSeq == 1_508, "\(source.problems)")

                let outcome = try PostgresJournalMigration(sourcePath: path, target: settings, logger: testLogger).run()
                #expect(outcome.messages == 1_508 && outcome.headSeq == 1_508 && outcome.headChain == source.headChain)
                #expect(outcome.ackPositions == 3 && outcome.progressMarks >= 4)
                let target = try PostgresJournalVerifier(settings: settings, logger: testLogger).verify()
                #expect(target.intact, "\(target.problems)")
                #expect(target.headSeq == source.headSeq && target.headChain == source.headChain)

                // Both read the same.
                let sqlite = try SQLiteJournalQueries(path: path)
                let postgres = try PostgresJournalQueries(settings: settings, logger: testLogger)
                defer { postgres.close() }
                for grouping in JournalCount.Grouping.allCases {
                    #expect(try sqlite.counts(by: grouping) == postgres.counts(by: grouping), "\(grouping)")
                }
                #expect(try sqlite.ackPositions() == postgres.ackPositions())
                #expect(try sqlite.records(correlationId: "m-1") == postgres.records(correlationId: "m-1"))
                #expect(
                    try sqlite.records(types: ["payment"], after: 0, limit: 5_000)
                        == postgres.records(types: ["payment"], after: 0, limit: 5_000))
                for (party, kind, seq) in [
                    ("bob", ProgressMark.Kind.delivered, UInt64(1)), ("carol", .acked, 500), ("carol", .delivered, 999),
                ] {
                    #expect(
                        try sqlite.progressMark(party: party, kind: kind, atOrAfter: seq)
                            == postgres.progressMark(party: party, kind: kind, atOrAfter: seq))
                }
                // Done again: refused, the target untouched.
                let again = #expect(throws: JournalMigrationError.self) {
                    try PostgresJournalMigration(sourcePath: path, target: settings, logger: testLogger).run()
                }
                #expect(again?.code == .targetNotEmpty)
                #expect(try PostgresJournalVerifier(settings: settings, logger: testLogger).verify().headChain == source.headChain)

                // A hub on the target goes on from the copied head: the chain continues.
                let store = try PostgresJournalStore(settings: settings, logger: testLogger)
                defer { store.close() }
                let next = try store.append(
                    [JournalQueriesConformance.entry(sender: "alice", id: "after-migration", type: "order", recipients: ["bob"])], acks: [:]
                )
                #expect(next.first?.seq == 1_509 && next.first?.duplicate == false)
                let duplicate = try store.append(
                    [JournalQueriesConformance.entry(sender: "alice", id: "bulk-1", type: "order", recipients: ["carol"])], acks: [:])
                #expect(duplicate.first?.duplicate == true && duplicate.first?.seq == 9, "dedup holds across the migration")
                let after = try PostgresJournalVerifier(settings: settings, logger: testLogger).verify()
                #expect(after.intact && after.headSeq == 1_509 && after.headChain != source.headChain, "\(after.problems)")
            }
        }
    }

    @Test func aMissingSourceLeavesTheTargetEmpty() async throws {
        try await withJournalDatabase { server, settings in
            let error = #expect(throws: JournalMigrationError.self) {
                try PostgresJournalMigration(sourcePath: "/nonexistent/journal.sqlite", target: settings, logger: testLogger).run()
            }
            #expect(error?.code == .sourceUnreadable)
            let tables = try psql(server, settings, "SELECT count(*) FROM pg_tables WHERE tablename = 'messages'")
            #expect(tables == "0", "nothing was created in the target")
        }
    }

    /// An empty source gives an empty target, which a second migration may still fill.
    @Test func anEmptySource() async throws {
        try await Self.withSQLiteJournal { path in
            _ = try SQLiteJournalStore(path: path, logger: testLogger)
            try await withJournalDatabase { _, settings in
                let outcome = try PostgresJournalMigration(sourcePath: path, target: settings, logger: testLogger).run()
                #expect(outcome.messages == 0 && outcome.headSeq == 0)
                #expect(try PostgresJournalVerifier(settings: settings, logger: testLogger).verify().intact)
            }
        }
    }
}
