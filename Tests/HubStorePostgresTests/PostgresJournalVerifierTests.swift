import HubCore
import HubStore
import HubStorePostgres
import HubTestSupport
import Testing

/// `PostgresJournalVerifier` on an intact journal, and on journals damaged with psql: each
/// damage is named by its seq and kind, first in the report.
@Suite("PostgreSQL journal verifier", .serialized)
struct PostgresJournalVerifierTests {
    /// The stored chain value of `seq`, hex, as psql reads it.
    static func chain(_ server: PostgresServer, _ settings: HubConfig.PostgresStore, seq: Int) throws -> String {
        try psql(server, settings, "SELECT encode(chain, 'hex') FROM messages WHERE seq = \(seq)")
    }

    static func verify(_ settings: HubConfig.PostgresStore, tail: Int? = nil) throws -> VerifyReport {
        try PostgresJournalVerifier(settings: settings, tail: tail, logger: testLogger).verify()
    }

    @Test func anIntactJournal() async throws {
        try await withJournalDatabase { server, settings in
            try journalConformanceBatch(settings)
            let report = try Self.verify(settings)
            #expect(report.intact, "\(report.problems)")
            #expect(report.records == 8 && report.firstCheckedSeq == 1 && report.headSeq == 8)
            #expect(report.headChain == (try Self.chain(server, settings, seq: 8)))
            #expect(report.headChain == (try psql(server, settings, "SELECT encode(chain, 'hex') FROM journal_head")))
            let quick = try Self.verify(settings, tail: 3)
            #expect(quick.intact && quick.quick && quick.records == 3 && quick.firstCheckedSeq == 6 && quick.headChain == report.headChain)
        }
    }

    @Test func anEmptyJournalIsIntact() async throws {
        try await withJournalDatabase { _, settings in
            try PostgresJournalStore(settings: settings, logger: testLogger).close()
            let report = try Self.verify(settings)
            #expect(report.intact && report.records == 0 && report.headSeq == 0)
            #expect(report.headChain == JournalChain.hex(JournalChain.genesis))
        }
    }

    @Test func anAlteredBodyIsNamed() async throws {
        try await withJournalDatabase { server, settings in
            try journalConformanceBatch(settings)
            try psql(server, settings, "UPDATE messages SET body = '\\x00' WHERE seq = 3")
            let report = try Self.verify(settings)
            #expect(report.problems.first?.kind == .altered && report.problems.first?.firstSeq == 3, "\(report.problems)")
            #expect(report.problems.count == 1, "only seq 3: the rows after it still chain from its stored value")
            // --quick finds it when the tail reaches it, not otherwise.
            #expect(try Self.verify(settings, tail: 6).problems.first?.firstSeq == 3)
            #expect(try Self.verify(settings, tail: 5).intact)
        }
    }

    @Test func anAlteredChainValueIsNamed() async throws {
        try await withJournalDatabase { server, settings in
            try journalConformanceBatch(settings)
            try psql(server, settings, "UPDATE messages SET chain = sha256('forged') WHERE seq = 5")
            let report = try Self.verify(settings)
            #expect(report.problems.first?.kind == .chainValueAltered && report.problems.first?.firstSeq == 5, "\(report.problems)")
        }
    }

    @Test func aDeletedRowIsNamed() async throws {
        try await withJournalDatabase { server, settings in
            try journalConformanceBatch(settings)
            try psql(server, settings, "DELETE FROM messages WHERE seq = 4")
            let report = try Self.verify(settings)
            let first = try #require(report.problems.first)
            #expect(first.kind == .missing && first.firstSeq == 4 && first.lastSeq == 4, "\(report.problems)")
            // Its inbox row (bob's) points to no message now.
            #expect(report.problems.contains { $0.kind == .inboxOrphan && $0.firstSeq == 4 && $0.subject == "bob" })
            #expect(!report.problems.contains { $0.kind == .altered }, "the row after the gap is not blamed")
        }
    }

    @Test func aMovedHeadRowIsNamed() async throws {
        try await withJournalDatabase { server, settings in
            try journalConformanceBatch(settings)
            try psql(server, settings, "UPDATE journal_head SET seq = 10")
            var report = try Self.verify(settings)
            #expect(report.problems.first?.kind == .headRecord, "\(report.problems)")
            #expect(report.problems.first?.firstSeq == 9 && report.problems.first?.lastSeq == 10)
            try psql(server, settings, "UPDATE journal_head SET seq = 6")
            report = try Self.verify(settings)
            #expect(report.problems.first?.kind == .headRecord && report.problems.first?.firstSeq == 7, "\(report.problems)")
            try psql(server, settings, "UPDATE journal_head SET seq = 8, chain = sha256('other')")
            report = try Self.verify(settings, tail: 2)
            #expect(report.problems.first?.kind == .headRecord && report.problems.first?.firstSeq == 8, "\(report.problems)")
        }
    }

    @Test func inboxAndPositionsAreChecked() async throws {
        try await withJournalDatabase { server, settings in
            try journalConformanceBatch(settings)
            try psql(server, settings, "DELETE FROM inbox WHERE recipient = 'carol' AND seq = 1")
            try psql(server, settings, "INSERT INTO inbox (recipient, seq) VALUES ('dave', 2), ('bob', 42)")
            try psql(server, settings, "UPDATE cursors SET acked_seq = 20 WHERE party = 'bob'")
            try psql(server, settings, "INSERT INTO progress (party, kind, seq, at_us) VALUES ('carol', 'delivered', 12, 0)")
            let problems = try Self.verify(settings).problems
            #expect(
                problems.first?.kind == .inboxMissing && problems.first?.firstSeq == 1 && problems.first?.subject == "carol", "\(problems)")
            #expect(problems.contains { $0.kind == .inboxOrphan && $0.firstSeq == 2 && $0.subject == "dave" })
            #expect(problems.contains { $0.kind == .inboxOrphan && $0.firstSeq == 42 && $0.subject == "bob" })
            #expect(problems.contains { $0.kind == .ackBeyondHead && $0.firstSeq == 9 && $0.lastSeq == 20 })
            #expect(problems.contains { $0.kind == .progressBeyondHead && $0.lastSeq == 12 })
        }
    }

    /// Several pages of rows (the walk reads 1,000 at a time).
    @Test func aJournalOfSeveralPages() async throws {
        try await withJournalDatabase { server, settings in
            let store = try PostgresJournalStore(settings: settings, logger: testLogger)
            defer { store.close() }
            let batch = (1...2_345).map {
                JournalQueriesConformance.entry(sender: "alice", id: "p-\($0)", type: "order", recipients: ["bob", "carol"])
            }
            _ = try store.append(Array(batch[..<1_200]), acks: [:])
            _ = try store.append(Array(batch[1_200...]), acks: ["bob": 2_000])
            var report = try Self.verify(settings)
            #expect(report.intact && report.records == 2_345 && report.headSeq == 2_345, "\(report.problems)")
            try psql(server, settings, "UPDATE messages SET msg_id = 'x' WHERE seq = 1500; DELETE FROM messages WHERE seq = 2001")
            report = try Self.verify(settings)
            #expect(report.problems.first?.kind == .altered && report.problems.first?.firstSeq == 1_500, "\(report.problems)")
            #expect(report.problems.contains { $0.kind == .missing && $0.firstSeq == 2_001 })
        }
    }
}
