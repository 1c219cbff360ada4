import Foundation
import GRDB
import HubCore
import HubCrypto
import HubStore
import HubThreads
import Testing

/// `crypto: sm` on a SQLite journal: the journal records its suite when created and keeps it;
/// its chain links and per-record checksums are SM3 (checked against SM3 computed here
/// independently, and against `openssl dgst -sm3`); verify, archives and backups read the
/// suite from the journal; a journal opened with another suite is refused.
@Suite("Journal crypto suite (SM3)")
struct JournalSuiteTests {
    static func open(_ journal: TemporaryJournal, _ crypto: CryptoSuite?, archive: HubConfig.Archive? = nil) throws -> SQLiteJournalStore {
        try SQLiteJournalStore(path: journal.path, logger: TemporaryJournal.logger, archiveSettings: archive, crypto: crypto)
    }

    /// An sm journal of `count` messages, closed.
    static func filledSM(_ journal: TemporaryJournal, count: Int = 40) throws {
        var store: SQLiteJournalStore? = try open(journal, .sm)
        _ = try store?.append((1...count).map { message(id: "m-\($0)", bodySize: 100) }, acks: [:])
        store = nil
    }

    /// The fields as stored, hashed the way RecordEncoding documents it, written out here
    /// again: integers 8 bytes big-endian, text as its 8-byte length then its UTF-8 bytes.
    static func encoded(_ row: Row) throws -> [UInt8] {
        var bytes: [UInt8] = []
        func integer(_ value: Int64) { bytes += withUnsafeBytes(of: value.bigEndian, Array.init) }
        func text(_ value: String) {
            integer(Int64(value.utf8.count))
            bytes += Array(value.utf8)
        }
        let body = [UInt8](try row.decode(Data.self, atIndex: 8))
        integer(try row.decode(Int64.self, atIndex: 0))
        for index in 1...5 { text(try row.decode(String.self, atIndex: index)) }
        integer(try row.decode(Int64.self, atIndex: 6))
        integer(try row.decode(Int64.self, atIndex: 7))
        integer(Int64(body.count))
        return bytes + body
    }

    static func rows(_ journal: TemporaryJournal) throws -> [Row] {
        let queue = try DatabaseQueue(path: journal.path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain, crc
                    FROM messages ORDER BY seq
                    """)
        }
    }

    /// `openssl dgst -sm3` of `bytes`, hex.
    static func openssl(_ bytes: [UInt8], in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("sm3-input.bin")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "dgst", "-sm3", "-r", file.path]
        let pipe = ProcessLaunch.pipe()
        process.standardOutput = pipe
        try ProcessLaunch.run(process)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl dgst -sm3: \(output)")
        return String(output.prefix { $0 != " " })
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @discardableResult
    static func expectStoreError(_ code: StoreError.Code, _ body: () throws -> Void) -> StoreError? {
        do {
            try body()
            Issue.record("expected StoreError \(code)")
        } catch let error as StoreError {
            #expect(error.code == code, "\(error)")
            return error
        } catch {
            Issue.record("expected StoreError \(code), got \(error)")
        }
        return nil
    }

    @Test func anSMJournalChainsAndChecksumsWithSM3AsComputedIndependently() throws {
        try withTemporaryJournal { journal in
            try Self.filledSM(journal, count: 5)
            let rows = try Self.rows(journal)
            #expect(rows.count == 5)
            var previous = [UInt8](repeating: 0, count: 32)
            for row in rows {
                let encoded = try Self.encoded(row)
                let link = try SM3.hash(previous + encoded)
                let stored = [UInt8](try row.decode(Data.self, atIndex: 9))
                #expect(stored == link, "seq \(row[0] as Int64): chain is SM3(previous link, fields)")
                let digest = try SM3.hash(encoded)
                let crc = digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
                let storedCRC = try row.decode(Int64.self, atIndex: 10)
                #expect(storedCRC == Int64(bitPattern: crc), "crc is SM3's first 8 bytes")
                previous = stored
            }
            // The first link, by another implementation: OpenSSL's SM3 over the same bytes.
            let first = [UInt8](repeating: 0, count: 32) + (try Self.encoded(rows[0]))
            let firstLink = [UInt8](try rows[0].decode(Data.self, atIndex: 9))
            #expect(try Self.openssl(first, in: journal.directory) == Self.hex(firstLink))
        }
    }

    /// The writer's one pass over a row gives what the separate link and checksum give,
    /// which verify, archives and backups recompute, in both suites.
    @Test(arguments: [CryptoSuite.standard, .sm]) func aRowsLinkAndChecksumTogetherAreTheSeparateOnes(suite: CryptoSuite) throws {
        let hashing = try JournalHashing(suite)
        let previous = (0..<32).map { UInt8($0) }
        for body in [[UInt8](), Array("报关单 body".utf8), [UInt8](repeating: 7, count: 1024)] {
            try body.withUnsafeBytes { body in
                let row = try hashing.row(
                    previous: previous, seq: 42, sender: "platform", id: "m-42", type: "ceb.Order", recipients: "customs,tax",
                    correlationId: "c-1", createdAtUs: 1_700_000_000_000_000, journaledAtUs: 1_700_000_000_000_123, body: body)
                let link = try hashing.link(
                    previous: previous, seq: 42, sender: "platform", id: "m-42", type: "ceb.Order", recipients: "customs,tax",
                    correlationId: "c-1", createdAtUs: 1_700_000_000_000_000, journaledAtUs: 1_700_000_000_000_123, body: body)
                let checksum = try hashing.checksum(
                    seq: 42, sender: "platform", id: "m-42", type: "ceb.Order", recipients: "customs,tax", correlationId: "c-1",
                    createdAtUs: 1_700_000_000_000_000, journaledAtUs: 1_700_000_000_000_123, body: body)
                #expect(row.link == link && row.checksum == checksum)
                #expect(row.link.count == 32)
            }
        }
    }

    @Test func anSMJournalKeepsItsSuiteVerifiesAndRefusesAnotherSuite() throws {
        try withTemporaryJournal { journal in
            try Self.filledSM(journal)
            #expect(try JournalSuiteRecord.read(journalPath: journal.path) == .sm)
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(report.intact, "\(report.problems)")
            #expect(report.crypto == .sm && report.records == 40)
            // Reopened without a suite: it keeps sm, reads its records (checksums checked) and appends.
            var store: SQLiteJournalStore? = try Self.open(journal, nil)
            #expect(store?.hashing.suite == .sm)
            #expect(try store?.fetch(recipient: "bob", after: 0, limit: 100).records.count == 40)
            _ = try store?.append([message(id: "later")], acks: [:])
            store = nil
            #expect(try JournalVerifier(journalPath: journal.path).verify().intact)
            // Opened with the standard suite: refused, naming both.
            let error = Self.expectStoreError(.suiteMismatch) { _ = try Self.open(journal, .standard) }
            #expect(
                error?.reason.contains("crypto: sm") == true && error?.reason.contains("crypto: standard") == true,
                "\(String(describing: error))")
        }
    }

    @Test func aJournalWrittenBeforeSuitesIsStandardAndRefusesSM() throws {
        try withTemporaryJournal { journal in
            try journal.writeVersion1(messages: 3)
            Self.expectStoreError(.suiteMismatch) { _ = try Self.open(journal, .sm) }
            var store: SQLiteJournalStore? = try Self.open(journal, nil)
            #expect(store?.hashing.suite == .standard)
            store = nil
            #expect(try JournalSuiteRecord.read(journalPath: journal.path) == .standard)
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(report.intact && report.crypto == .standard, "\(report.problems)")
        }
    }

    @Test func aTamperedRowOfAnSMJournalIsFound() throws {
        try withTemporaryJournal { journal in
            try Self.filledSM(journal)
            try JournalChainTests.tamper(journal, "UPDATE messages SET created_at_us = created_at_us + 1 WHERE seq = 17")
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(JournalChainTests.has(report, .altered, "seq 17"), "\(report.problems)")
            #expect(report.problems.count == 1, "\(report.problems)")
            // Every read checks the SM3 checksum: the row is never served.
            let store = try Self.open(journal, .sm)
            let fetched = try store.fetch(recipient: "bob", after: 0, limit: 100)
            #expect(fetched.records.count == 16 && fetched.damaged?.seq == 17, "\(String(describing: fetched.damaged))")
        }
    }

    @Test func archiveSegmentsOfAnSMJournalCarrySM3AndVerify() throws {
        try withTemporaryJournal { journal in
            let settings = ArchiveTests.settings(journal)
            let store = try Self.open(journal, .sm, archive: settings)
            _ = try store.append((1...25).map { message(id: "m-\($0)") }, acks: ["bob": 25])
            let before = try store.fetch(recipient: "bob", after: 0, limit: 100).records
            let outcome = try #require(store.archiver).runOnce(nowUs: ArchiveTests.later)
            #expect(outcome.sealedSegments == 2 && outcome.archivedUpTo == 20)
            #expect(try store.fetch(recipient: "bob", after: 0, limit: 100).records == before)
            let entries = try ArchiveManifest.read(journalPath: journal.path)
            for entry in entries {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: settings.directory + "/" + entry.file)))
                let sm3 = try SM3.hash(bytes)
                #expect(entry.sha256 == sm3, "the manifest holds the file's SM3")
            }
            let report = try JournalVerifier(journalPath: journal.path, archiveDirectory: settings.directory).verify()
            #expect(report.intact && report.crypto == .sm && report.archive?.keptSegments == 2, "\(report.problems)")
            // Read with the standard suite, the same files fail: the suite is not guessed.
            let standard = JournalArchive(directory: settings.directory, hashing: .standard)
            #expect(throws: StoreError.self) { _ = try standard.segment(entries[0]) }
            // A damaged segment is found.
            try JournalBackupTests.flipByte(in: settings.directory + "/" + entries[1].file)
            let damaged = try JournalVerifier(journalPath: journal.path, archiveDirectory: settings.directory).verify()
            #expect(damaged.problems.contains { $0.kind == .archive }, "\(damaged.problems)")
        }
    }

    @Test func aBackupOfAnSMJournalHasSM3DigestsAndRestores() throws {
        try withTemporaryJournal { journal in
            let settings = ArchiveTests.settings(journal)
            let store = try Self.open(journal, .sm, archive: settings)
            _ = try store.append((1...25).map { message(id: "m-\($0)") }, acks: ["bob": 25])
            _ = try #require(store.archiver).runOnce(nowUs: ArchiveTests.later)
            let root = journal.directory
            let backup = root.appendingPathComponent("backup").path
            let (manifest, report) = try JournalBackup(journalPath: journal.path, archiveDirectory: settings.directory)
                .write(to: backup, hubVersion: "test")
            #expect(report.intact && report.crypto == .sm, "\(report.problems)")
            let suite = try manifest.suite()
            #expect(manifest.crypto == "sm" && suite == .sm)
            let copy = [UInt8](try Data(contentsOf: URL(fileURLWithPath: backup + "/" + JournalBackup.journalFileName)))
            let copyDigest = try SM3.hash(copy)
            #expect(manifest.sha256 == Self.hex(copyDigest))
            for file in manifest.archive ?? [] {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: backup + "/archive/" + file.name)))
                let fileDigest = try SM3.hash(bytes)
                #expect(file.sha256 == Self.hex(fileDigest))
            }
            let target = root.appendingPathComponent("restored/journal.sqlite").path
            let restored = try JournalBackup.restore(
                from: backup, to: target, archiveDirectory: root.appendingPathComponent("restored/archive").path)
            #expect(restored.report.intact && restored.report.crypto == .sm, "\(restored.report.problems)")
            #expect(try JournalSuiteRecord.read(journalPath: target) == .sm)

            // A manifest that claims the standard suite no longer matches its SM3 digests.
            var forged = manifest
            forged.crypto = nil
            try forged.encoded().write(to: URL(fileURLWithPath: backup + "/" + BackupManifest.fileName))
            JournalBackupTests.expectCode(.checksumMismatch) {
                _ = try JournalBackup.restore(
                    from: backup, to: root.appendingPathComponent("again/journal.sqlite").path,
                    archiveDirectory: root.appendingPathComponent("again/archive").path)
            }
        }
    }
}
