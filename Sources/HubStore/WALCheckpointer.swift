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
/// `walLimitBytes` (64 MiB), a TRUNCATE checkpoint runs: it waits for the readers of old
/// snapshots (at most `truncateWait`, 0.2 s; a try that gives up is repeated 1 s later),
/// copies what the passive runs left (little), and empties the file; appends wait
/// meanwhile, a few milliseconds once per 64 MiB written. The store's writer runs it right
/// after a commit (`SQLiteJournalStore.boundWAL`: it holds the write lock already, which
/// this thread loses to back-to-back commits under load); this thread runs it too, for a
/// WAL left past the bound when appends pause. The store also sets `journal_size_limit` to
/// the same bound, so a WAL that SQLite rewinds by itself is cut back to it. 64 MiB keeps
/// the WAL (and a crash recovery's replay of it) small beside any journal that matters
/// while making the stall rare: about once per 60,000 messages of 1 KB.
///
/// The last run, when stopped, is a TRUNCATE checkpoint too: a hub stopped gracefully
/// leaves an empty `-wal` file.
///
/// Its connection is used on its own thread (`loop`) only.
final class WALCheckpointer: Sendable {
    /// The `-wal` size past which a TRUNCATE checkpoint runs (and SQLite's `journal_size_limit`).
    static let walLimitBytes: Int64 = 64 << 20
    /// How long a TRUNCATE checkpoint waits for readers and the writer before it gives up
    /// until the next try.
    static let truncateWait: TimeInterval = 0.2

    private let connection: DatabaseQueue
    private let walPath: String
    private let interval: TimeInterval
    private let logger: Logger
    private let wakeUp: DispatchSemaphore
    private let loop: ThreadLoop

    init(path: String, interval: TimeInterval, logger: Logger) throws {
        var configuration = Configuration()
        configuration.label = "HubStore.checkpointer"
        // Only TRUNCATE checkpoints wait on locks (PASSIVE ones never call the busy handler).
        configuration.busyMode = .timeout(Self.truncateWait)
        connection = try DatabaseQueue(path: path, configuration: configuration)
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
        var stop = false
        var nextTruncate = ContinuousClock.now
        while !stop {
            _ = wakeUp.wait(timeout: .now() + interval)
            stop = loop.isStopRequested
            if stop {
                truncate(last: true)
            } else if walBytes > Self.walLimitBytes && ContinuousClock.now >= nextTruncate {
                // Appends wait while it waits for readers: if they keep it from completing,
                // the next try is 1 s later (passive checkpoints meanwhile), so appends wait at
                // most a fifth of the time even then.
                if !truncate(last: false) { nextTruncate = ContinuousClock.now + .seconds(1) }
            } else {
                passive()
            }
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

    /// A TRUNCATE checkpoint: every frame copied, the `-wal` emptied. True if it completed.
    @discardableResult
    private func truncate(last: Bool) -> Bool {
        let before = walBytes
        do {
            _ = try connection.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            logger.debug("WAL checkpointed and truncated", metadata: ["wal_bytes_before": "\(before)", "stopping": "\(last)"])
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
