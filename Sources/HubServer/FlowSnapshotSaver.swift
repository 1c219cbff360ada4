import Dispatch
import HubCore
import HubStore
import Logging
import Synchronization

/// Encodes and saves the flows' snapshots (of a cluster's flow leader, or of one hub on
/// SQLite) off the router's thread (encoding a large state takes a noticeable time), one
/// at a time, and paced: after a save that took `d`, the next may start only `spacing × d`
/// later, so that saving takes at most 1 / (`spacing` + 1) of one core however large the
/// flows' state grows (a snapshot is tens of MB after a day of heavy traffic, and every
/// `flows.snapshot_every` flow messages would otherwise come every few seconds).
final class FlowSnapshotSaver: Sendable {
    /// How many times a save's own duration must pass after it before the next save.
    static let spacing = 4

    private struct Pace {
        var busy = false
        /// When the next save may start; nil before the first.
        var readyAt: ContinuousClock.Instant?
    }

    private let store: @Sendable (UInt64, [UInt8]) throws -> Void
    private let logger: Logger
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let queue = DispatchQueue(label: "swhub-flow-snapshot")
    private let pace = Mutex(Pace())

    /// - Parameters:
    ///   - logger: Where saves and failures are logged.
    ///   - clock: The time now (tests give their own).
    ///   - store: Saves a snapshot's encoded bytes under its seq.
    init(
        logger: Logger, clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        store: @escaping @Sendable (UInt64, [UInt8]) throws -> Void
    ) {
        self.store = store
        self.logger = logger
        self.clock = clock
    }

    /// Whether a save may start at `now`: none is running and the last one's pause is over.
    /// The router asks before it takes a snapshot (``RouterCore/flowSnapshotDue(now:)``
    /// counts one taken as saved).
    func isReady(at now: ContinuousClock.Instant) -> Bool {
        pace.withLock { !$0.busy && ($0.readyAt.map { now >= $0 } ?? true) }
    }

    /// When the next save may start (nil before the first save).
    var readyAt: ContinuousClock.Instant? { pace.withLock { $0.readyAt } }

    /// Whether a save is running.
    var isSaving: Bool { pace.withLock { $0.busy } }

    /// Saves `snapshot` in the background unless a save is still running.
    func save(_ snapshot: FlowSnapshot) {
        let started = pace.withLock { pace -> Bool in
            guard !pace.busy else { return false }
            pace.busy = true
            return true
        }
        guard started else {
            logger.notice("flows' snapshot skipped: the previous one is still being saved", metadata: ["seq": "\(snapshot.seq)"])
            return
        }
        queue.async { [self] in
            let started = clock()
            let bytes = snapshot.encoded()
            let saved = Result { try store(snapshot.seq, bytes) }
            let finished = clock()
            switch saved {
            case .success:
                logger.info(
                    "flows' snapshot saved",
                    metadata: ["seq": "\(snapshot.seq)", "bytes": "\(bytes.count)", "took": "\(finished - started)"])
            case .failure(let error):
                logger.warning("cannot save the flows' snapshot; the next one is tried later", metadata: ["error": "\(error)"])
            }
            pace.withLock {
                $0.readyAt = finished + (finished - started) * Self.spacing
                $0.busy = false
            }
        }
    }
}
