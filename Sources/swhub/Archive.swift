import ArgumentParser
import Foundation
import HubCore
import HubStore
import HubStorePostgres
import Logging

/// `swhub archive list|verify|run|restore`: the journal's archive segments (README,
/// "Retention and archives"), on either store: the manifest is in the journal (SQLite file
/// or PostgreSQL database), the segment files in `archive.dir`.
struct Archive: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, check, seal or restore the journal's archive segments.",
        subcommands: [ArchiveList.self, ArchiveVerify.self, ArchiveRun.self, ArchiveRestoreCommand.self])

    /// The journal's store and the archive settings of a hub config.
    static func load(_ path: String) throws -> (store: HubConfig.Store, archive: HubConfig.Archive?) {
        let config = try HubConfig.load(path: path)
        return (config.store, config.archive)
    }

    /// The manifest of a config's journal, and the reader of its files.
    static func manifest(_ path: String) throws -> (entries: [ArchiveManifest.Entry], archive: JournalArchive) {
        let (store, settings) = try load(path)
        do {
            // Segments are checked in the journal's own suite (SHA-256 or SM3), whatever the config says.
            let entries: [ArchiveManifest.Entry]
            let hashing: JournalHashing
            switch store {
            case .sqlite(let journal):
                hashing = try JournalHashing(try JournalSuiteRecord.read(journalPath: journal))
                entries = try ArchiveManifest.read(journalPath: journal)
            case .postgres(let postgres):
                let queries = try PostgresJournalQueries(settings: postgres, logger: JournalAccess.quiet)
                defer { queries.close() }
                hashing = queries.hashing
                entries = try queries.archiveEntries()
            }
            return (entries, JournalArchive(directory: settings?.directory, hashing: hashing))
        } catch let error as StoreError where error.code == .unavailable {
            throw CommandFailure(.retryLater, "\(error)")
        } catch let error as StoreError {
            throw CommandFailure(.hubFailure, "\(error)")
        }
    }
}

/// `swhub archive list`: one line per segment.
struct ArchiveList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the archive segments, oldest first.")

    @Option(help: "The hub's config file.")
    var config: String

    func run() throws {
        let (entries, archive) = try Archive.manifest(config)
        for entry in entries {
            let state = entry.deletedAtUs.map { "deleted past retention at \(Trace.timestamp($0))" } ?? "\(entry.bytes) bytes"
            Output.line(
                "seqs \(entry.firstSeq)–\(entry.lastSeq)  \(entry.records) records  journaled \(Trace.timestamp(entry.firstJournaledAtUs))"
                    + " – \(Trace.timestamp(entry.lastJournaledAtUs))  \(archive.path(of: entry))  \(state)")
        }
        Output.line("\(entries.count) segments; archived up to seq \(entries.last?.lastSeq ?? 0)")
    }
}

/// `swhub archive verify`: every kept segment read and checked, and the chain across them
/// (`swhub verify` does this too, with the live journal).
struct ArchiveVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check every archive segment file and the hash chain across segments; exit 1 on damage.")

    @Option(help: "The hub's config file.")
    var config: String

    func run() throws {
        let (entries, archive) = try Archive.manifest(config)
        let (problems, summary) = ArchiveVerifier(entries: entries, archive: archive).verify()
        Output.line(Verify.archiveLine(summary, quick: false))
        guard problems.isEmpty else {
            for problem in problems { Output.line("  \(problem)") }
            Output.line("archive NOT intact: \(problems.count) problem(s)")
            throw ExitStatus.failed.exitCode
        }
        Output.line(
            "archive intact: \(entries.count) segments, chain head \(JournalChain.hex(entries.last?.linkAfter ?? JournalChain.genesis)) at seq \(summary.archivedUpTo)"
        )
    }
}

/// `swhub archive run`: seals what may be sealed now and applies retention, once, as the
/// hub's archiver does every `archive.check_every`; safe beside a running hub.
struct ArchiveRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Seal archivable ranges into segments and delete segments past retention, once.")

    @Option(help: "The hub's config file (needs archive:).")
    var config: String

    @OptionGroup var log: LogOptions

    func run() throws {
        let logger = log.bootstrap(label: "swhub.archive")
        let (store, settings) = try Archive.load(config)
        guard let settings else { throw CommandFailure(.configuration, "\(config) has no archive: section") }
        do {
            let outcome: JournalArchiver.Outcome
            switch store {
            case .sqlite(let journal):
                outcome = try JournalArchiver.offline(journalPath: journal, settings: settings, logger: logger)
                    .runOnce(nowUs: WallClock.nowMicroseconds())
            case .postgres(let postgres):
                let journal = try PostgresJournalStore(settings: postgres, logger: logger, archiveSettings: settings)
                defer { journal.close() }
                guard let archiver = journal.archiver else { throw CommandFailure(.configuration, "\(config) has no archive: section") }
                outcome = try archiver.runOnce(nowUs: WallClock.nowMicroseconds())
            }
            guard !outcome.skipped else {
                Output.line(
                    "another hub node holds the journal's archiving lock and archives now; nothing done (archived up to seq \(outcome.archivedUpTo))"
                )
                return
            }
            Output.line(
                "sealed \(outcome.sealedSegments) segments (\(outcome.sealedRecords) records); deleted \(outcome.deletedSegments) "
                    + "segments past retention (\(outcome.deletedRecords) records); archived up to seq \(outcome.archivedUpTo)"
                    + (outcome.heldBy.map { "; held back: \($0)" } ?? ""))
        } catch let error as StoreError where error.code == .unavailable {
            throw CommandFailure(.retryLater, "archive run: \(error)")
        } catch let error as StoreError {
            throw CommandFailure(.hubFailure, "archive run: \(error)")
        }
    }
}

/// `swhub archive restore`: one segment's records into a new journal file, for an auditor.
struct ArchiveRestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put one segment's records back, verbatim, into a NEW journal file (for trace/verify/stats --journal).")

    @Option(help: "The hub's config file.")
    var config: String

    @Option(help: "A seq inside the segment to restore.")
    var seq: UInt64

    @Option(help: "The new journal file to write (must not exist).")
    var to: String

    func run() throws {
        // A file there already is refused input (exit 2, as README's exit codes say for a
        // restore over an existing journal), before anything is read.
        guard !FileManager.default.fileExists(atPath: to) else {
            throw CommandFailure(.refused, "\(to) exists: restore writes a new journal file only")
        }
        let (entries, archive) = try Archive.manifest(config)
        guard let index = entries.firstIndex(where: { $0.firstSeq <= seq && seq <= $0.lastSeq }) else {
            throw CommandFailure(.notFound, "seq \(seq) is in no archive segment")
        }
        let entry = entries[index]
        guard entry.isKept else { throw CommandFailure(.notFound, "the segment of seq \(seq) was deleted past retention") }
        do {
            let count = try ArchiveRestore.restore(entry, earlier: Array(entries[..<index]), archive: archive, to: to)
            Output.line("restored \(count) records (seqs \(entry.firstSeq)–\(entry.lastSeq)) from \(archive.path(of: entry)) into \(to)")
        } catch let error as StoreError where error.code == .archiveDamaged {
            throw CommandFailure(.failed, "restore: \(error)")
        } catch let error as StoreError {
            throw CommandFailure(.hubFailure, "restore: \(error)")
        }
    }
}
