import Foundation
import HubCore
import HubStore
import HubStorePostgres
import HubTestSupport
import Testing

/// Archives on both stores, the same behaviour asked of each (one ``JournalArchiver``
/// through ``ArchiveStorage``): sealed ranges read back through the store (delivery,
/// replay, the flows' reads) and the inspector (trace, stats) as if live; the chain
/// verified across segments and into the live rows; a lagging party and the flows' newest
/// snapshot hold archiving back; retention deletes whole segments and the chain is still
/// checked across the gap; a damaged segment is named with a stable code. On PostgreSQL,
/// one archiver at a time (the journal's archiving lock).
@Suite("Journal archive segments on both stores")
struct ArchiveStoresTests {
    static var later: Int64 { WallClock.nowMicroseconds() + 1_000_000 }

    @Test(arguments: JournalBackend.allCases)
    func sealedRangesReadBackAsTheyWereLiveAndTheChainVerifies(backend: JournalBackend) async throws {
        try await ArchivingJournal.with(backend) { journal in
            let settings = journal.settings()
            let (store, archiver) = try journal.open(settings)
            try Self.fill(store, count: 25)
            let before = try store.fetch(recipient: "bob", after: 0, limit: 100).records
            let carolBefore = try store.fetch(recipient: "carol", after: 3, limit: 4, types: ["order"]).records
            let byType = try store.records(types: ["payment"], after: 0, limit: 100)
            let timeOf13 = try #require(try store.record(seq: 13)).journaledAtUs
            let outcome = try archiver.runOnce(nowUs: Self.later)
            #expect(outcome.sealedSegments == 2 && outcome.sealedRecords == 20 && outcome.archivedUpTo == 20 && !outcome.skipped)
            let files = try FileManager.default.contentsOfDirectory(atPath: settings.directory).sorted()
            #expect(files == ["segment-000000000001-000000000010.swarc.gz", "segment-000000000011-000000000020.swarc.gz"])
            // The same records, from segments and live rows together.
            #expect(try store.fetch(recipient: "bob", after: 0, limit: 100).records == before)
            #expect(try store.fetch(recipient: "bob", after: 8, limit: 5).records.map(\.seq) == [9, 10, 11, 12, 13])
            #expect(try store.fetch(recipient: "bob", after: 18, limit: 4).records.map(\.seq) == [19, 20, 21, 22])
            #expect(try store.fetch(recipient: "carol", after: 3, limit: 4, types: ["order"]).records == carolBefore)
            #expect(try store.records(types: ["payment"], after: 0, limit: 100) == byType)
            #expect(try store.records(types: ["payment"], after: 10, limit: 2).map(\.seq) == [12, 15])
            #expect(try store.record(seq: 3) == before[2])
            #expect(try store.record(sender: "alice", id: "m-7")?.seq == 7)
            #expect(try store.firstSeq(journaledAtOrAfter: timeOf13) <= 13)
            #expect(try store.firstSeq(journaledAtOrAfter: Self.later) == 26)
            #expect(try store.headSeq() == 25)
            // The inspector (trace, stats) reads them too: an archived message and its live answer.
            _ = try store.append([message(sender: "bob", id: "answer", recipients: ["alice"], correlationId: "m-3")], acks: [:])
            let inspector = try journal.inspector(settings)
            let trace = try inspector.trace("m-3")
            #expect(trace.messages.map(\.seq).sorted() == [3, 26])
            #expect(try inspector.countsByType().map(\.count).reduce(0, +) == 26)
            #expect(try inspector.countsByRecipient().first { $0.key == "bob" }?.count == 25)
            // The chain re-verifies across both segments and into the live rows.
            let report = try journal.verify(settings)
            #expect(report.intact, "\(report.problems)")
            #expect(report.archive?.keptSegments == 2 && report.archive?.keptRecords == 20)
            #expect(report.records == 6 && report.firstCheckedSeq == 21 && report.headSeq == 26)
            // Appends go on after the archived range; a reopened store reads across it.
            _ = try store.append([message(id: "m-27")], acks: [:])
            let last = try #require(try store.record(seq: 27))
            let (reopened, _) = try journal.open(settings)
            #expect(try reopened.headSeq() == 27)
            #expect(try reopened.fetch(recipient: "bob", after: 0, limit: 100).records == before + [last])
            #expect(try journal.verify(settings).intact)
        }
    }

    @Test(arguments: JournalBackend.allCases)
    func aLaggingPartyAndTheFlowsNewestSnapshotHoldArchivingBack(backend: JournalBackend) async throws {
        try await ArchivingJournal.with(backend) { journal in
            let (store, archiver) = try journal.open(journal.settings())
            try Self.fill(store, count: 25)
            // Nothing is sealed that was journaled less than live_for (here 0 s) before now.
            #expect(try archiver.runOnce(nowUs: Self.later - 3_600_000_000).sealedSegments == 0)
            _ = try store.append([message(id: "late", recipients: ["dave"])], acks: [:])  // seq 26
            try store.saveAcks(["dave": 0])
            let snapshots = try #require(store as? any FlowSnapshotStore)
            try snapshots.saveFlowSnapshot(seq: 14, bytes: [1, 2, 3])
            var outcome = try archiver.runOnce(nowUs: Self.later)
            #expect(outcome.sealedSegments == 1 && outcome.archivedUpTo == 10, "the flows' snapshot at 14 holds 11-20 live")
            #expect(outcome.heldBy?.contains("snapshot") == true)
            try snapshots.saveFlowSnapshot(seq: 26, bytes: [4])
            outcome = try archiver.runOnce(nowUs: Self.later)
            #expect(outcome.sealedSegments == 1 && outcome.archivedUpTo == 20, "dave's first unacknowledged message is seq 26: 1-20 may go")
            _ = try store.append((1...20).map { message(id: "more-\($0)") }, acks: [:])
            outcome = try archiver.runOnce(nowUs: Self.later)
            #expect(outcome.sealedSegments == 0 && outcome.archivedUpTo == 20)
            #expect(outcome.heldBy?.contains("dave") == true)
        }
    }

    @Test(arguments: JournalBackend.allCases)
    func retentionDeletesWholeSegmentsAndTheChainIsCheckedAcrossTheGap(backend: JournalBackend) async throws {
        try await ArchivingJournal.with(backend) { journal in
            let day: Int64 = 86_400_000_000
            var settings = journal.settings(retention: [.init(pattern: "order", periodUs: day)])
            let (store, archiver) = try journal.open(settings)
            try Self.fill(store, count: 25)
            try archiver.runOnce(nowUs: Self.later)
            // Payments have no retention: kept forever, so no segment (each holds payments) goes.
            #expect(try archiver.runOnce(nowUs: Self.later + 2 * day).deletedSegments == 0)
            settings = journal.settings(retention: [.init(pattern: "order", periodUs: day), .init(pattern: "*", periodUs: 2 * day)])
            let (reopened, later) = try journal.open(settings)
            #expect(try later.runOnce(nowUs: Self.later + day + day / 2).deletedSegments == 0, "payments are kept 2 days")
            let outcome = try later.runOnce(nowUs: Self.later + 3 * day)
            #expect(outcome.deletedSegments == 2 && outcome.deletedRecords == 20)
            #expect(try FileManager.default.contentsOfDirectory(atPath: settings.directory).isEmpty)
            #expect(try reopened.record(seq: 3) == nil)
            #expect(try reopened.fetch(recipient: "bob", after: 0, limit: 100).records.map(\.seq) == Array(21...25))
            let report = try journal.verify(settings)
            #expect(report.intact, "\(report.problems)")
            #expect(report.archive?.deletedSegments == 2 && report.archive?.deletedRecords == 20)
        }
    }

    @Test(arguments: JournalBackend.allCases)
    func aDamagedSegmentIsNamedWithAStableCode(backend: JournalBackend) async throws {
        try await ArchivingJournal.with(backend) { journal in
            let settings = journal.settings()
            let (store, archiver) = try journal.open(settings)
            try Self.fill(store, count: 25)
            try archiver.runOnce(nowUs: Self.later)
            let file = settings.directory + "/segment-000000000001-000000000010.swarc.gz"
            var bytes = [UInt8](try #require(FileManager.default.contents(atPath: file)))
            bytes[bytes.count / 2] ^= 0x10
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            let (reopened, _) = try journal.open(settings)  // nothing cached
            let error = #expect(throws: StoreError.self) { try reopened.record(seq: 3) }
            #expect(error?.code == .archiveDamaged && error?.reason.contains(file) == true, "\(String(describing: error))")
            #expect(try reopened.record(seq: 15)?.id == "m-15")
            let report = try journal.verify(settings)
            #expect(!report.intact)
            #expect(report.problems.contains { $0.kind == .archive && $0.description.contains(file) })
        }
    }

    @Test(arguments: JournalBackend.allCases)
    func flowSnapshotsKeepTheNewestAndReadBack(backend: JournalBackend) async throws {
        try await ArchivingJournal.with(backend) { journal in
            let (store, _) = try journal.open(journal.settings())
            let snapshots = try #require(store as? any FlowSnapshotStore)
            #expect(try snapshots.flowSnapshotSeqs().isEmpty)
            for seq: UInt64 in [5, 9, 20, 31, 40] { try snapshots.saveFlowSnapshot(seq: seq, bytes: [UInt8(seq), 7]) }
            try snapshots.saveFlowSnapshot(seq: 40, bytes: [41])
            let (reopened, _) = try journal.open(journal.settings())
            let again = try #require(reopened as? any FlowSnapshotStore)
            #expect(try again.flowSnapshotSeqs() == [40, 31, 20])
            #expect(try again.flowSnapshot(seq: 40) == [41])
            #expect(try again.flowSnapshot(seq: 31) == [31, 7])
            #expect(try again.flowSnapshot(seq: 9) == nil)
        }
    }

    /// Two archivers on one PostgreSQL journal (two hub nodes): while one runs, the other's
    /// run is skipped, and the segments are sealed once.
    @Test func onePostgresArchiverAtATime() async throws {
        try await ArchivingJournal.with(.postgres) { journal in
            let settings = journal.settings()
            let (store, first) = try journal.open(settings)
            let (_, second) = try journal.open(settings)
            try Self.fill(store, count: 25)
            var inner: JournalArchiver.Outcome?
            // `stop` is asked while the first run holds the lock.
            let outcome = try first.runOnce(nowUs: Self.later) {
                if inner == nil { inner = try? second.runOnce(nowUs: Self.later) }
                return false
            }
            #expect(inner?.skipped == true && inner?.sealedSegments == 0)
            #expect(outcome.sealedSegments == 2 && !outcome.skipped)
            let after = try second.runOnce(nowUs: Self.later)
            #expect(!after.skipped && after.sealedSegments == 0 && after.archivedUpTo == 20)
            #expect(try journal.verify(settings).intact)
        }
    }

    /// `count` messages to bob (every other one also to carol; every third a payment), all acknowledged.
    static func fill(_ store: any JournalStore, count: Int) throws {
        let batch = (1...count).map { index in
            message(
                id: "m-\(index)", type: index % 3 == 0 ? "payment" : "order", recipients: index % 2 == 0 ? ["bob", "carol"] : ["bob"],
                correlationId: index > 1 ? "m-1" : "")
        }
        _ = try store.append(batch, acks: ["bob": UInt64(count), "carol": UInt64(count)])
    }
}

/// A journal on one of the stores, with an archive folder of its own: stores opened on it
/// with archive settings, its verifier and inspector.
struct ArchivingJournal {
    let directory: URL
    let postgres: HubConfig.PostgresStore?

    var path: String { directory.appendingPathComponent("journal.sqlite").path }

    static func with(_ backend: JournalBackend, _ body: (ArchivingJournal) throws -> Void) async throws {
        let postgres = backend == .postgres ? try await TestPostgres.shared.freshDatabase() : nil
        try withTemporaryJournal { temporary in try body(ArchivingJournal(directory: temporary.directory, postgres: postgres)) }
    }

    func settings(segment: Int = 10, retention: [HubConfig.Retention.Rule] = []) -> HubConfig.Archive {
        HubConfig.Archive(
            directory: directory.appendingPathComponent("archive").path, liveForUs: 0, segmentRecords: segment, checkEverySeconds: 3600,
            retention: HubConfig.Retention(rules: retention))
    }

    /// A new store instance on the journal (a reopen after the first) and its archiver.
    func open(_ settings: HubConfig.Archive) throws -> (any JournalStore, JournalArchiver) {
        if let postgres {
            let store = try PostgresJournalStore(settings: postgres, logger: TemporaryJournal.logger, archiveSettings: settings)
            return (store, try #require(store.archiver))
        }
        let store = try SQLiteJournalStore(path: path, logger: TemporaryJournal.logger, archiveSettings: settings)
        return (store, try #require(store.archiver))
    }

    func verify(_ settings: HubConfig.Archive) throws -> VerifyReport {
        if let postgres {
            return try PostgresJournalVerifier(settings: postgres, archiveDirectory: settings.directory, logger: TemporaryJournal.logger)
                .verify()
        }
        return try JournalVerifier(journalPath: path, archiveDirectory: settings.directory).verify()
    }

    func inspector(_ settings: HubConfig.Archive) throws -> JournalInspector {
        if let postgres {
            return JournalInspector(
                queries: try PostgresJournalQueries(
                    settings: postgres, archiveDirectory: settings.directory, logger: TemporaryJournal.logger))
        }
        return JournalInspector(queries: try SQLiteJournalQueries(path: path, archiveDirectory: settings.directory))
    }
}
