import Foundation
import HubCore
import HubCrypto
import HubStore
import HubStorePostgres
import HubTestSupport
import Testing

/// `crypto: sm` on a PostgreSQL journal: recorded when the journal is created and kept; the
/// chain is SM3 (checked against SM3 computed here from the record's fields); the verifier
/// reads the suite and finds a tampered row; another suite is refused; `swhub migrate`'s copy
/// of an sm SQLite journal keeps the suite and its chain.
@Suite("PostgreSQL journal crypto suite (SM3)", .serialized)
struct PostgresJournalSuiteTests {
    /// The SM3 chain link of `record` after `previous`, over the fields laid out as
    /// RecordEncoding documents (written out here again).
    static func link(_ record: JournalRecord, previous: [UInt8]) throws -> [UInt8] {
        var bytes = previous
        func integer(_ value: Int64) { bytes += withUnsafeBytes(of: value.bigEndian, Array.init) }
        func text(_ value: String) {
            integer(Int64(value.utf8.count))
            bytes += Array(value.utf8)
        }
        integer(Int64(record.seq))
        for value in [record.sender, record.id, record.type, record.recipients.joined(separator: ","), record.correlationId] { text(value) }
        integer(record.createdAtUs)
        integer(record.journaledAtUs)
        integer(Int64(record.body.count))
        return try SM3.hash(bytes + record.body)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func anSMJournalChainsWithSM3VerifiesAndRefusesAnotherSuite() async throws {
        try await withJournalDatabase { server, settings in
            let store = try PostgresJournalStore(settings: settings, logger: testLogger, crypto: .sm)
            #expect(store.hashing.suite == .sm)
            _ = try store.append(JournalQueriesConformance.batch, acks: [:])
            var previous = [UInt8](repeating: 0, count: 32)
            for seq in 1...3 {
                let record = try #require(try store.record(seq: UInt64(seq)))
                let expected = try Self.link(record, previous: previous)
                let stored = try psql(server, settings, "SELECT encode(chain, 'hex') FROM messages WHERE seq = \(seq)")
                #expect(stored == Self.hex(expected), "seq \(seq)")
                previous = expected
            }
            store.close()
            #expect(try psql(server, settings, "SELECT value FROM journal_meta WHERE key = 'crypto'") == "sm")

            let report = try PostgresJournalVerifier(settings: settings, logger: testLogger).verify()
            #expect(report.intact && report.crypto == .sm, "\(report.problems)")
            // Reopened without a suite it keeps sm; with the standard one it is refused.
            let again = try PostgresJournalStore(settings: settings, logger: testLogger)
            #expect(again.hashing.suite == .sm)
            #expect(try again.fetch(recipient: "bob", after: 0, limit: 100).damaged == nil)
            again.close()
            do {
                _ = try PostgresJournalStore(settings: settings, logger: testLogger, crypto: .standard)
                Issue.record("a standard config opened an sm journal")
            } catch let error as StoreError {
                #expect(error.code == .suiteMismatch && error.reason.contains("crypto: sm"), "\(error)")
            }

            try psql(server, settings, "UPDATE messages SET created_at_us = created_at_us + 1 WHERE seq = 4")
            let damaged = try PostgresJournalVerifier(settings: settings, logger: testLogger).verify()
            #expect(damaged.problems.first?.kind == .altered && damaged.problems.first?.firstSeq == 4, "\(damaged.problems)")
        }
    }

    @Test func aStandardJournalStaysStandard() async throws {
        try await withJournalDatabase { _, settings in
            try journalConformanceBatch(settings)
            let report = try PostgresJournalVerifier(settings: settings, logger: testLogger).verify()
            #expect(report.intact && report.crypto == .standard, "\(report.problems)")
            #expect(throws: StoreError.self) { _ = try PostgresJournalStore(settings: settings, logger: testLogger, crypto: .sm) }
        }
    }

    @Test func aMigratedSMJournalKeepsItsSuiteAndChain() async throws {
        try await PostgresJournalMigrationTests.withSQLiteJournal { path in
            let source = try SQLiteJournalStore(path: path, logger: testLogger, crypto: .sm)
            _ = try source.append(JournalQueriesConformance.batch, acks: [:])
            let verified = try JournalVerifier(journalPath: path).verify()
            #expect(verified.intact && verified.crypto == .sm, "\(verified.problems)")
            try await withJournalDatabase { _, settings in
                // The target was opened by a standard hub once: empty, it takes the source's suite.
                try PostgresJournalStore(settings: settings, logger: testLogger).close()
                let outcome = try PostgresJournalMigration(sourcePath: path, target: settings, logger: testLogger).run()
                #expect(outcome.crypto == .sm && outcome.headChain == verified.headChain)
                let target = try PostgresJournalVerifier(settings: settings, logger: testLogger).verify()
                #expect(target.intact && target.crypto == .sm && target.headChain == verified.headChain, "\(target.problems)")
                let store = try PostgresJournalStore(settings: settings, logger: testLogger, crypto: .sm)
                _ = try store.append(
                    [JournalQueriesConformance.entry(sender: "alice", id: "after", type: "order", recipients: ["bob"], correlationId: "")],
                    acks: [:])
                store.close()
                #expect(try PostgresJournalVerifier(settings: settings, logger: testLogger).verify().intact)
            }
        }
    }
}
