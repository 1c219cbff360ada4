import Foundation
import GRDB
import HubCore
import HubLifecycle
import HubThreads
import Logging
import Metrics

/// Seals old ranges of the live journal into archive segments (``ArchiveSegment``) and
/// deletes segments whose every record is past its type's retention.
///
/// A seal: the next `segment_records` live records after the last archived seq, all of
/// them journaled longer ago than `live_for` and at or below ``archivableUpTo(_:nowUs:)``,
/// are read, checked (checksums, chain from the previous segment's last link), written to
/// `<name>.tmp`, fsynced, renamed, and the folder fsynced; only then, in ONE transaction,
/// the manifest row is added and the live rows (messages and inbox) are deleted. A crash
/// before that commit leaves the rows live and at most a file the next seal overwrites.
///
/// Runs on its own thread in `swhub serve` (``service``) every `check_every`, or once
/// from `swhub archive run` (``runOnce(nowUs:)``).
public final class JournalArchiver: Sendable {
    /// What one run did.
    public struct Outcome: Sendable, Equatable {
        /// Segments sealed, and the records in them.
        public var sealedSegments = 0
        public var sealedRecords: UInt64 = 0
        /// Segment files deleted past retention, and the records in them.
        public var deletedSegments = 0
        public var deletedRecords: UInt64 = 0
        /// The last archived seq after the run.
        public var archivedUpTo: UInt64 = 0
        /// What held archiving back, if anything held it below what `live_for` allows (a party
        /// that has not acknowledged, the head record).
        public var heldBy: String?
        /// Whether the run was skipped because another archiver (another node of a cluster)
        /// held the journal's archiving lock.
        public var skipped = false
    }

    private let storage: any ArchiveStorage
    private let settings: HubConfig.Archive
    private let archive: JournalArchive
    private let hashing: JournalHashing
    private let logger: Logger
    private let wakeUp = DispatchSemaphore(value: 0)
    private let loop: ThreadLoop
    private let segmentsCounter = Counter(label: "swhub_archive_segments_total")
    private let recordsCounter = Counter(label: "swhub_archive_records_total")
    private let deletedCounter = Counter(label: "swhub_archive_deleted_segments_total")
    private let archivedGauge = Gauge(label: "swhub_archive_archived_up_to_seq")
    private let heldGauge = Gauge(label: "swhub_archive_held_back")

    /// - Parameters:
    ///   - storage: The journal's rows and manifest (``SQLiteArchiveStorage``, or the
    ///     PostgreSQL store's).
    ///   - settings: `archive:` and `retention:` of the hub's config.
    ///   - hashing: The journal's suite's hash functions (``JournalSuiteRecord``): segments are sealed with them.
    public init(storage: any ArchiveStorage, settings: HubConfig.Archive, hashing: JournalHashing, logger: Logger) {
        self.storage = storage
        self.settings = settings
        self.hashing = hashing
        self.archive = JournalArchive(directory: settings.directory, hashing: hashing)
        self.logger = logger
        let wakeUp = self.wakeUp
        loop = ThreadLoop(name: "swhub-archive") { wakeUp.signal() }
    }

    /// An archiver on a SQLite journal's writer (the hub's pool, or a queue of its own offline).
    public convenience init(writer: any DatabaseWriter, settings: HubConfig.Archive, hashing: JournalHashing, logger: Logger) {
        self.init(storage: SQLiteArchiveStorage(writer: writer), settings: settings, hashing: hashing, logger: logger)
    }

    /// An archiver on the journal file at `path` through a connection of its own (`swhub
    /// archive run`): its schema brought up to date; its commits wait for a running hub's
    /// (SQLite's locks serialize them), so it is safe beside one.
    /// - Throws: ``StoreError`` `openFailed` (no journal there), `migrationFailed`.
    public static func offline(journalPath path: String, settings: HubConfig.Archive, logger: Logger) throws -> JournalArchiver {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .openFailed, reason: "no journal at \(path)")
        }
        var configuration = Configuration()
        configuration.label = "HubStore.archiver"
        configuration.busyMode = .timeout(30)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw StoreError.mapping(error, to: .openFailed, operation: "open \(path) for archiving")
        }
        let suite: CryptoSuite
        do {
            try JournalSchema.migrator.migrate(queue)
            suite = try queue.read { try JournalSuiteRecord.suite($0) }
        } catch {
            throw StoreError.mapping(error, to: .migrationFailed, operation: "migrate \(path)")
        }
        return JournalArchiver(writer: queue, settings: settings, hashing: try JournalHashing(suite), logger: logger)
    }

    /// Runs ``runOnce(nowUs:)`` every `check_every` (and once at start) until stopped; a failed
    /// run is logged and retried at the next interval.
    public var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in
            while !loop.isStopRequested {
                do {
                    _ = try runOnce(nowUs: WallClock.nowMicroseconds(), stop: { loop.isStopRequested })
                } catch {
                    logger.error("archiving failed; retried at the next check", metadata: ["error": "\(error)"])
                }
                _ = wakeUp.wait(timeout: .now() + settings.checkEverySeconds)
            }
        }
    }

    /// Seals every full segment that may be sealed, then deletes the segments past retention.
    /// - Throws: ``StoreError`` (`archiveDamaged` for a live record that fails its checks,
    ///   `writeFailed` when a file or the manifest cannot be written).
    @discardableResult
    public func runOnce(nowUs: Int64, stop: () -> Bool = { false }) throws -> Outcome {
        if !FileManager.default.fileExists(atPath: settings.directory) {
            try FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true)
            // The folder's own name on the disk, before a segment in it replaces live rows.
            try DurableFile.syncFolder(holding: settings.directory)
        }
        guard let outcome = try storage.archiveExclusively({ try run(nowUs: nowUs, stop: stop) }) else {
            // Another node of the cluster archives this journal now.
            let archivedUpTo = try storage.archiveEntries().last?.lastSeq ?? 0
            archivedGauge.record(Int64(archivedUpTo))
            logger.debug("another archiver holds the journal's archiving lock; this run skipped")
            return Outcome(archivedUpTo: archivedUpTo, heldBy: nil, skipped: true)
        }
        archivedGauge.record(Int64(outcome.archivedUpTo))
        heldGauge.record(outcome.heldBy == nil ? 0 : 1)
        if let heldBy = outcome.heldBy {
            logger.notice("archiving held back", metadata: ["by": "\(heldBy)", "archived_up_to": "\(outcome.archivedUpTo)"])
        }
        return outcome
    }

    /// One run, holding the archiving lock.
    private func run(nowUs: Int64, stop: () -> Bool) throws -> Outcome {
        var outcome = Outcome()
        while !stop() {
            let (sealed, bound) = try sealNext(nowUs: nowUs)
            outcome.archivedUpTo = bound.archivedUpTo
            outcome.heldBy = bound.heldBy
            guard let sealed else { break }
            outcome.sealedSegments += 1
            outcome.sealedRecords += sealed.records
            outcome.archivedUpTo = sealed.lastSeq
        }
        let deleted = try applyRetention(nowUs: nowUs)
        outcome.deletedSegments = deleted.count
        outcome.deletedRecords = deleted.reduce(0) { $0 + $1.records }
        return outcome
    }

    /// How far archiving may go, and what holds it there.
    struct Bound {
        var archivedUpTo: UInt64
        var upTo: UInt64
        var heldBy: String?
    }

    /// The highest seq that may leave the live journal now: journaled longer ago than
    /// `live_for`, below the head (the last record always stays live: the writer's head and
    /// chain continue from it), and below every message a party has not yet acknowledged
    /// (a lagging party holds archiving back), and at or below the flows' newest snapshot
    /// (``ArchiveStorage/archiveNewestFlowSnapshotSeq()``): a restart reads the journal after
    /// it, which stays live so that start-up stays fast (the flows' rebuild would read
    /// archived records too, only slower).
    ///
    /// Read in several steps, the head first: what is read after it only moves forward
    /// (acknowledgements, snapshots), and the seal's transaction checks the manifest again.
    static func archivableUpTo(_ storage: any ArchiveStorage, archivedUpTo: UInt64, nowUs: Int64, liveForUs: Int64) throws -> Bound {
        let head = try storage.archiveHeadSeq()
        var bound = Bound(archivedUpTo: archivedUpTo, upTo: head > 0 ? head - 1 : 0, heldBy: nil)
        // journaled_at_us never decreases with seq: the last seq journaled before the cutoff, by binary search.
        let cutoff = nowUs - liveForUs
        var low = archivedUpTo  // known: journaled before the cutoff (or nothing)
        var high = max(bound.upTo, archivedUpTo) + 1
        while low + 1 < high {
            let middle = low + (high - low) / 2
            if let time = try storage.archiveJournaledAtUs(seq: middle), time < cutoff {
                low = middle
            } else {
                high = middle
            }
        }
        bound.upTo = min(bound.upTo, low)
        // Every recipient's first unacknowledged message stays live.
        for (party, pending) in try storage.archiveFirstUnacknowledged().sorted(by: { $0.key < $1.key })
        where pending > 0 && pending - 1 < bound.upTo {
            bound.upTo = pending - 1
            bound.heldBy = "\(party) has not acknowledged seq \(pending)"
        }
        if let snapshot = try storage.archiveNewestFlowSnapshotSeq(), snapshot < bound.upTo {
            bound.upTo = snapshot
            bound.heldBy = "the flows' newest snapshot is at seq \(snapshot)"
        }
        bound.upTo = max(bound.upTo, archivedUpTo)
        return bound
    }

    /// Seals the next segment if a full one is archivable.
    private func sealNext(nowUs: Int64) throws -> (ArchiveManifest.Entry?, Bound) {
        let entries = try storage.archiveEntries()
        let previous = entries.last?.linkAfter ?? JournalChain.genesis
        let bound = try Self.archivableUpTo(
            storage, archivedUpTo: entries.last?.lastSeq ?? 0, nowUs: nowUs, liveForUs: settings.liveForUs)
        let first = bound.archivedUpTo + 1
        let last = bound.archivedUpTo + UInt64(settings.segmentRecords)
        guard last <= bound.upTo else { return (nil, bound) }
        let segment = try read(first: first, last: last, linkBefore: previous)
        let content = try segment.encoded(hashing: hashing)
        // The records are checked (checksums, chain) before anything is written.
        _ = try ArchiveSegment.decode(content, file: "(being sealed)", hashing: hashing)
        let bytes: [UInt8]
        do {
            bytes = try Gzip.compress(content)
        } catch {
            throw StoreError(code: .writeFailed, reason: "cannot compress archive segment \(first)–\(last): \(error)")
        }
        let name = String(format: "segment-%012llu-%012llu.swarc.gz", first, last)
        let path = (settings.directory as NSString).appendingPathComponent(name)
        try Self.writeDurably(bytes, to: path)
        var typeNewest: [String: Int64] = [:]
        for entry in segment.records {
            typeNewest[entry.record.type] = max(typeNewest[entry.record.type] ?? .min, entry.record.journaledAtUs)
        }
        let entry = ArchiveManifest.Entry(
            firstSeq: first, lastSeq: last, file: name, directory: settings.directory, bytes: Int64(bytes.count),
            sha256: try hashing.digest(bytes), linkBefore: segment.linkBefore, linkAfter: segment.linkAfter,
            firstJournaledAtUs: segment.firstJournaledAtUs, lastJournaledAtUs: segment.lastJournaledAtUs, typeNewest: typeNewest,
            sealedAtUs: WallClock.nowMicroseconds(), deletedAtUs: nil)
        do {
            try storage.archiveCommit(entry, archivedUpTo: bound.archivedUpTo)
        } catch {
            throw StoreError.mapping(error, to: .writeFailed, operation: "record archive segment \(name)")
        }
        segmentsCounter.increment()
        recordsCounter.increment(by: Int64(entry.records))
        logger.info(
            "archive segment sealed",
            metadata: ["file": "\(path)", "first_seq": "\(first)", "last_seq": "\(last)", "bytes": "\(bytes.count)"])
        return (entry, bound)
    }

    /// The live rows `first...last`, as a segment (unchecked: the caller decodes it).
    private func read(first: UInt64, last: UInt64, linkBefore: [UInt8]) throws -> ArchiveSegment {
        let records = try storage.archiveLiveRecords(first: first, last: last)
        return ArchiveSegment(
            firstSeq: first, lastSeq: last, firstJournaledAtUs: records.first?.record.journaledAtUs ?? 0,
            lastJournaledAtUs: records.last?.record.journaledAtUs ?? 0, linkBefore: linkBefore,
            linkAfter: records.last?.chain ?? linkBefore, records: records)
    }

    /// Deletes the files of kept segments whose every type is past its retention, and marks
    /// them deleted in the manifest. A type with no retention keeps its segments forever.
    private func applyRetention(nowUs: Int64) throws -> [ArchiveManifest.Entry] {
        let entries = try storage.archiveEntries()
        var deleted: [ArchiveManifest.Entry] = []
        for entry in entries where entry.isKept {
            let expired =
                !entry.typeNewest.isEmpty
                && entry.typeNewest.allSatisfy { type, newest in
                    guard let period = settings.retention.periodUs(of: type) else { return false }
                    return newest <= nowUs - period
                }
            guard expired else { continue }
            try storage.archiveMarkDeleted(firstSeq: entry.firstSeq, atUs: nowUs)
            let path = archive.path(of: entry)
            if unlink(path) != 0 && errno != ENOENT {
                logger.warning("cannot delete a segment past retention", metadata: ["file": "\(path)", "errno": "\(errno)"])
            }
            deletedCounter.increment()
            logger.info(
                "archive segment deleted past retention",
                metadata: ["file": "\(path)", "first_seq": "\(entry.firstSeq)", "last_seq": "\(entry.lastSeq)"])
            deleted.append(entry)
        }
        return deleted
    }

    /// Writes `bytes` to `path` atomically and durably (``DurableFile``: a temporary file,
    /// fsync, rename, fsync of the folder).
    static func writeDurably(_ bytes: [UInt8], to path: String) throws {
        do {
            try DurableFile.write(bytes, to: path)
        } catch {
            throw StoreError(code: .writeFailed, reason: "cannot write archive segment \(path): \(error)")
        }
    }
}
