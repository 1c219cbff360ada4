import Foundation
import GRDB
import HubLifecycle
import HubThreads
import Logging

/// Moves SQLite's WAL checkpoints off the append path, keeps the WAL bounded, and leaves it
/// empty when the hub stops.
///
/// With automatic checkpoints, the commit that crosses the WAL threshold also copies the WAL
/// into the database file and fsyncs it, stalling that group commit (and every submission
/// waiting on it) for tens of milliseconds. The store turns automatic checkpoints off on its
/// writer and this thread runs PASSIVE checkpoints on a connection of its own every
/// `interval`: they never take the write lock, so appends go on meanwhile. Frequent small
/// checkpoints (50 ms) keep each one's writes to the database file short, so the WAL's
/// fsyncs do not queue behind a large write-back (measured with `swhub bench`: p99
/// submit→accepted of 1 KB fell from 33 ms with automatic checkpoints to 6 ms).
///
/// A PASSIVE checkpoint copies frames but never rewinds the WAL: SQLite starts writing it
/// from the beginning again only when a writer finds every frame copied and no reader still
/// using it, which a busy hub (readers always fetching) may never offer, so the file grew
/// to 101 MB beside a 121 MB database after 100K messages. So once the `-wal` file passes
/// `walLimitBytes` (64 MiB), a RESTART checkpoint runs: it waits for the readers of old
/// snapshots (at most `truncateWait`, 0.2 s; a try that gives up is repeated 1 s later),
/// copies what the passive runs left (little), and makes the next commit write the log from
/// its start again, cutting the file back to 64 MiB; appends wait meanwhile, a few
/// milliseconds once per 64 MiB written. The file keeps its blocks: a commit's WAL write
/// overwrites them, so its `fdatasync` flushes data only, where a growing file (as after a
/// TRUNCATE to zero bytes) also waits for a file system journal commit each time. The
/// store's writer runs it right after a commit (`SQLiteJournalStore.boundWAL`: it holds the
/// write lock already, which this thread loses to back-to-back commits under load); this thread runs it too, for a
/// WAL left past the bound when appends pause. The store also sets `journal_size_limit` to
/// the same bound, so a WAL that SQLite rewinds by itself is cut back to it. 64 MiB keeps
/// the WAL (and a crash recovery's replay of it) small beside any journal that matters
/// while making the stall rare: about once per 60,000 messages of 1 KB.
///
/// The last run, when stopped, is a TRUNCATE checkpoint: a hub stopped gracefully leaves an
/// empty `-wal` file; so is a bound run when nothing was written since the last RESTART
/// (appends paused before a commit cut the file back).
///
/// After each checkpoint it lets go of the database pages that fell more than 64 MiB behind
/// the file's end, which nothing reads again soon (``PageCacheTrim``).
///
/// Its connection is used on its own thread (`loop`) only.
final class WALCheckpointer: Sendable {
    /// The `-wal` size past which a RESTART checkpoint runs (and SQLite's `journal_size_limit`).
    static let walLimitBytes: Int64 = 64 << 20
    /// How long a RESTART or TRUNCATE checkpoint waits for readers and the writer before it gives up
    /// until the next try.
    static let truncateWait: TimeInterval = 0.2

    private let connection: DatabaseQueue
    private let databasePath: String
    private let walPath: String
    /// The bytes at the database file's end whose pages stay cached (``PageCacheTrim``).
    private let pageCacheWindow: Int64
    /// Told the bytes each trim that dropped any advised away (on this thread; tests wait on it).
    private let trimmed: (@Sendable (Int64) -> Void)?
    private let interval: TimeInterval
    private let logger: Logger
    private let wakeUp: DispatchSemaphore
    private let loop: ThreadLoop

    init(
        path: String, interval: TimeInterval, pageCacheWindow: Int64 = PageCacheTrim.defaultWindow, logger: Logger,
        trimmed: (@Sendable (Int64) -> Void)? = nil
    ) throws {
        var configuration = Configuration()
        configuration.label = "HubStore.checkpointer"
        // Only RESTART and TRUNCATE checkpoints wait on locks (PASSIVE ones never call the busy handler).
        configuration.busyMode = .timeout(Self.truncateWait)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        databasePath = path
        self.pageCacheWindow = pageCacheWindow
        self.trimmed = trimmed
        walPath = path + "-wal"
        self.interval = interval
        self.logger = logger
        let wakeUp = DispatchSemaphore(value: 0)
        self.wakeUp = wakeUp
        loop = ThreadLoop(name: "swhub-wal") { wakeUp.signal() }
    }

    /// Checkpoints every `interval` until stopped, and once more (TRUNCATE) when stopped.
    var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in run(loop) }
    }

    /// Stops the thread after one last checkpoint, and waits for it (at once if it never started).
    func stop() {
        loop.stop()
    }

    /// The `-wal` file's size in bytes (0 when there is none).
    var walBytes: Int64 {
        var info = stat()
        guard stat(walPath, &info) == 0 else { return 0 }
        return Int64(info.st_size)
    }

    private func run(_ loop: ThreadLoop) {
        // Owned by this thread: after each checkpoint, the database pages that fell out of
        // its window leave the page cache (see `PageCacheTrim`).
        let pageCache = PageCacheTrim(path: databasePath, window: pageCacheWindow)
        var stop = false
        var nextTruncate = ContinuousClock.now
        // The `-wal` size right after this thread's last RESTART checkpoint.
        var restartedAt: Int64?
        while !stop {
            _ = wakeUp.wait(timeout: .now() + interval)
            stop = loop.isStopRequested
            let bytes = walBytes
            if bytes <= Self.walLimitBytes { restartedAt = nil }
            if stop {
                truncate(.truncate, last: true)
            } else if bytes > Self.walLimitBytes && ContinuousClock.now >= nextTruncate {
                // Appends wait while it waits for readers: if they keep it from completing,
                // the next try is 1 s later (passive checkpoints meanwhile), so appends wait at
                // most a fifth of the time even then. RESTART (see `boundWAL`) keeps the file's
                // blocks for the next commits; when nothing was written since the last one
                // (appends paused, so the file was not cut back), TRUNCATE empties it.
                let mode: Database.CheckpointMode = bytes == restartedAt ? .truncate : .restart
                if truncate(mode, last: false) {
                    restartedAt = mode == .restart ? bytes : nil
                } else {
                    nextTruncate = ContinuousClock.now + .seconds(1)
                }
            } else {
                passive()
            }
            if let dropped = pageCache?.trim(), dropped > 0 { trimmed?(dropped) }
        }
    }

    private func passive() {
        do {
            let result = try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            if result.walFrameCount > 0 {
                logger.trace(
                    "checkpoint", metadata: ["wal_frames": "\(result.walFrameCount)", "copied": "\(result.checkpointedFrameCount)"])
            }
        } catch {
            logger.debug("checkpoint skipped", metadata: ["error": "\(error)"])
        }
    }

    /// A RESTART or TRUNCATE checkpoint: every frame copied, the log rewound (and, with
    /// TRUNCATE, the `-wal` emptied). True if it completed.
    @discardableResult
    private func truncate(_ mode: Database.CheckpointMode, last: Bool) -> Bool {
        let before = walBytes
        do {
            _ = try connection.writeWithoutTransaction { db in try db.checkpoint(mode) }
            logger.debug(
                "WAL checkpointed and rewound", metadata: ["mode": "\(mode)", "wal_bytes_before": "\(before)", "stopping": "\(last)"])
            return true
        } catch {
            let level: Logger.Level = last ? .warning : .debug
            logger.log(
                level: level, "WAL truncation failed; it is retried (and SQLite checkpoints when the journal closes)",
                metadata: ["error": "\(error)", "wal_bytes": "\(before)"])
            return false
        }
    }
}
