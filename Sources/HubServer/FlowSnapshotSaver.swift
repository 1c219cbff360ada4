import Dispatch
import HubCore
import HubStore
import Logging
import Synchronization

/// Encodes and saves the flows' snapshots (of a cluster's flow leader, or of one hub on
/// SQLite) off the router's thread (encoding a large state takes a noticeable time), one
/// at a time: a snapshot due while the previous one is still being saved is skipped.
final class FlowSnapshotSaver: Sendable {
    private let store: @Sendable (UInt64, [UInt8]) throws -> Void
    private let logger: Logger
    private let queue = DispatchQueue(label: "swhub-flow-snapshot")
    private let busy = Atomic<Bool>(false)

    /// - Parameters:
    ///   - logger: Where saves and failures are logged.
    ///   - store: Saves a snapshot's encoded bytes under its seq.
    init(logger: Logger, store: @escaping @Sendable (UInt64, [UInt8]) throws -> Void) {
        self.store = store
        self.logger = logger
    }

    /// Saves `snapshot` in the background unless a save is still running.
    func save(_ snapshot: FlowSnapshot) {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            logger.notice("flows' snapshot skipped: the previous one is still being saved", metadata: ["seq": "\(snapshot.seq)"])
            return
        }
        queue.async { [self] in
            defer { busy.store(false, ordering: .releasing) }
            let started = ContinuousClock.now
            let bytes = snapshot.encoded()
            do {
                try store(snapshot.seq, bytes)
                logger.info(
                    "flows' snapshot saved",
                    metadata: ["seq": "\(snapshot.seq)", "bytes": "\(bytes.count)", "took": "\(ContinuousClock.now - started)"])
            } catch {
                logger.warning("cannot save the flows' snapshot; the next one is tried later", metadata: ["error": "\(error)"])
            }
        }
    }
}
