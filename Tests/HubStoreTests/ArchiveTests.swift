import Foundation
import GRDB
import HubCore
import HubStore
import HubThreads
import Testing

/// Archive segments on a SQLite journal: sealing old ranges (written, then the live rows
/// deleted), reading them back transparently through the store and the inspector, the hash
/// chain across segments and into the live journal, a lagging party holding archiving back,
/// a damaged segment detected with a stable code, retention deleting whole segments.
@Suite("Journal archive segments")
struct ArchiveTests {
    static func settings(_ journal: TemporaryJournal, segment: Int = 10, retention: [HubConfig.Retention.Rule] = []) -> HubConfig.Archive {
        HubConfig.Archive(
            directory: journal.directory.appendingPathComponent("archive").path, liveForUs: 0, segmentRecords: segment,
            checkEverySeconds: 3600, retention: HubConfig.Retention(rules: retention))
    }

    /// A store with archive settings holding `count` messages to bob (every other one also to carol), all acknowledged.
    static func filled(_ journal: TemporaryJournal, count: Int, settings: HubConfig.Archive) throws -> SQLiteJournalStore {
        let store = try SQLiteJournalStore(path: journal.path, logger: TemporaryJournal.logger, archiveSettings: settings)
        let batch = (1...count).map { index in
            message(
                id: "m-\(index)", type: index % 3 == 0 ? "payment" : "order", recipients: index % 2 == 0 ? ["bob", "carol"] : ["bob"],
                correlationId: index > 1 ? "m-1" : "")
        }
        _ = try store.append(batch, acks: ["bob": UInt64(count), "carol": UInt64(count)])
        return store
    }

    static var later: Int64 { WallClock.nowMicroseconds() + 1_000_000 }

    @Test func sealedRangesReadBackAsTheyWereLive() throws {
        try withTemporaryJournal { journal in
            let settings = Self.settings(journal)
            let store = try Self.filled(journal, count: 25, settings: settings)
            let before = try store.fetch(recipient: "bob", after: 0, limit: 100).records
            let carolBefore = try store.fetch(recipient: "carol", after: 3, limit: 4, types: ["order"]).records
            let byType = try store.records(types: ["payment"], after: 0, limit: 100)
            let timeOf13 = try #require(try store.record(seq: 13)).journaledAtUs
            let archiver = try #require(store.archiver)
            let outcome = try archiver.runOnce(nowUs: Self.later)
            #expect(outcome.sealedSegments == 2 && outcome.sealedRecords == 20 && outcome.archivedUpTo == 20)
            let files = try FileManager.default.contentsOfDirectory(atPath: settings.directory).sorted()
            #expect(files == ["segment-000000000001-000000000010.swarc.gz", "segment-000000000011-000000000020.swarc.gz"])
            // The same records, from segments and live rows together.
            let after = try store.fetch(recipient: "bob", after: 0, limit: 100).records
            #expect(after == before)
            #expect(try store.fetch(recipient: "bob", after: 8, limit: 5).records.map(\.seq) == [9, 10, 11, 12, 13])
            #expect(try store.fetch(recipient: "carol", after: 3, limit: 4, types: ["order"]).records == carolBefore)
            #expect(try store.records(types: ["payment"], after: 0, limit: 100) == byType)
            #expect(try store.record(seq: 3) == before[2])
            #expect(try store.record(sender: "alice", id: "m-7")?.seq == 7)
            #expect(try store.firstSeq(journaledAtOrAfter: timeOf13) <= 13)
            #expect(try store.headSeq() == 25)
            // The inspector (trace, stats) reads them too: an archived message and its live answer.
            _ = try store.append([message(sender: "bob", id: "answer", recipients: ["alice"], correlationId: "m-3")], acks: [:])
            let inspector = try JournalInspector(path: journal.path)
            let trace = try inspector.trace("m-3")
            #expect(trace.messages.map(\.seq).sorted() == [3, 26])
            #expect(try inspector.countsByType().map(\.count).reduce(0, +) == 26)
            #expect(try inspector.countsByRecipient().first { $0.key == "bob" }?.count == 25)
            // The chain re-verifies across both segments and into the live rows.
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(report.intact, "\(report.problems)")
            #expect(report.archive?.keptSegments == 2 && report.archive?.keptRecords == 20)
            #expect(report.records == 6)
            // Appends go on after the archived range.
            _ = try store.append([message(id: "m-27")], acks: [:])
            #expect(try store.headSeq() == 27)
            #expect(try JournalVerifier(journalPath: journal.path).verify().intact)
        }
    }

    @Test func aPartyThatHasNotAcknowledgedHoldsArchivingBack() throws {
        try withTemporaryJournal { journal in
            let store = try Self.filled(journal, count: 25, settings: Self.settings(journal))
            _ = try store.append([message(id: "late", recipients: ["dave"])], acks: [:])  // seq 26
            try store.saveAcks(["dave": 0])
            let archiver = try #require(store.archiver)
            var outcome = try archiver.runOnce(nowUs: Self.later)
            #expect(outcome.sealedSegments == 2, "dave's first unacknowledged message is seq 26: 1-20 may go")
            _ = try store.append([message(id: "more-\(0)", recipients: ["dave"])] + (1...20).map { message(id: "more-\($0)") }, acks: [:])
            outcome = try archiver.runOnce(nowUs: Self.later)
            #expect(outcome.sealedSegments == 0 && outcome.archivedUpTo == 20)
            #expect(outcome.heldBy?.contains("dave") == true)
        }
    }

    @Test func aDamagedSegmentIsDetectedWithItsFileAndAStableCode() throws {
        try withTemporaryJournal { journal in
            let settings = Self.settings(journal)
            let store = try Self.filled(journal, count: 25, settings: settings)
            try #require(store.archiver).runOnce(nowUs: Self.later)
            let file = settings.directory + "/segment-000000000001-000000000010.swarc.gz"
            var bytes = [UInt8](try #require(FileManager.default.contents(atPath: file)))
            bytes[bytes.count / 2] ^= 0x10
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            do {
                _ = try store.record(seq: 3)
                Issue.record("a damaged segment was read")
            } catch let error as StoreError {
                #expect(error.code == .archiveDamaged)
                #expect(error.reason.contains(file))
            }
            // The other segment and the live rows still read.
            #expect(try store.record(seq: 15)?.id == "m-15")
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(!report.intact)
            #expect(report.problems.contains { $0.kind == .archive && $0.description.contains(file) })
            // A segment cut short does not decode.
            #expect(throws: StoreError.self) {
                try ArchiveSegment.decode(fileBytes: Array(bytes.prefix(40)), file: "x.swarc.gz", hashing: .standard)
            }
        }
    }

    @Test func retentionDeletesWholeSegmentsAndVerifyStillChecksTheChainAcrossTheGap() throws {
        try withTemporaryJournal { journal in
            let day: Int64 = 86_400_000_000
            var settings = Self.settings(journal, retention: [.init(pattern: "order", periodUs: day)])
            var outcome: JournalArchiver.Outcome
            do {
                let store = try Self.filled(journal, count: 25, settings: settings)
                let archiver = try #require(store.archiver)
                try archiver.runOnce(nowUs: Self.later)
                // Payments have no retention: kept forever, so no segment (each holds payments) goes.
                outcome = try archiver.runOnce(nowUs: Self.later + 2 * day)
                #expect(outcome.deletedSegments == 0)
            }
            settings = Self.settings(journal, retention: [.init(pattern: "order", periodUs: day), .init(pattern: "*", periodUs: 2 * day)])
            let reopened = try SQLiteJournalStore(path: journal.path, logger: TemporaryJournal.logger, archiveSettings: settings)
            outcome = try #require(reopened.archiver).runOnce(nowUs: Self.later + day + day / 2)
            #expect(outcome.deletedSegments == 0, "payments are kept 2 days")
            outcome = try #require(reopened.archiver).runOnce(nowUs: Self.later + 3 * day)
            #expect(outcome.deletedSegments == 2 && outcome.deletedRecords == 20)
            #expect(try FileManager.default.contentsOfDirectory(atPath: settings.directory).isEmpty)
            #expect(try reopened.record(seq: 3) == nil)
            #expect(try reopened.fetch(recipient: "bob", after: 0, limit: 100).records.map(\.seq) == Array(21...25))
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(report.intact, "\(report.problems)")
            #expect(report.archive?.deletedSegments == 2 && report.archive?.deletedRecords == 20)
        }
    }

    @Test func segmentsAreStandardGzipAndAManifestLinkThatDoesNotChainIsFound() throws {
        try withTemporaryJournal { journal in
            let settings = Self.settings(journal)
            let store = try Self.filled(journal, count: 25, settings: settings)
            try #require(store.archiver).runOnce(nowUs: Self.later)
            // Any gzip reads a segment: the content starts with its header.
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-dc", settings.directory + "/segment-000000000011-000000000020.swarc.gz"]
            let pipe = ProcessLaunch.pipe()
            gzip.standardOutput = pipe
            try ProcessLaunch.run(gzip)
            let content = pipe.fileHandleForReading.readDataToEndOfFile()
            gzip.waitUntilExit()
            #expect(gzip.terminationStatus == 0)
            #expect(content.prefix(8) == Data("SWHUBARC".utf8))
            // A manifest whose second segment does not chain from the first.
            let queue = try DatabaseQueue(path: journal.path)
            try queue.write { db in
                try db.execute(sql: "UPDATE archives SET link_before = zeroblob(32) WHERE first_seq = 11")
            }
            try queue.close()
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(!report.intact)
            #expect(report.problems.contains { $0.kind == .archive && $0.detail.contains("does not chain from the previous segment") })
            #expect(report.problems.contains { $0.kind == .archive && $0.detail.contains("links other than the manifest's") })
        }
    }

    @Test func retentionPatternsTakeTheLongestMatch() {
        let retention = HubConfig.Retention(rules: [
            .init(pattern: "*", periodUs: 5), .init(pattern: "ceb.*", periodUs: 3), .init(pattern: "ceb.311", periodUs: 1),
        ])
        #expect(retention.periodUs(of: "ceb.311") == 1)
        #expect(retention.periodUs(of: "ceb.621") == 3)
        #expect(retention.periodUs(of: "flow.Feedback") == 5)
        #expect(HubConfig.Retention(rules: []).periodUs(of: "x") == nil)
    }
}
