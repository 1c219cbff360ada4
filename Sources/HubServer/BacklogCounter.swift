import Foundation
import HubLifecycle
import HubStore
import HubThreads
import Logging
import Synchronization

/// Counts each party's backlog (messages journaled for it and not yet acknowledged) on its
/// own thread, about once a second, with one indexed `count(*)` per party
/// (``JournalStore/pendingCount(recipient:after:)``) on a reader connection: the router
/// thread only hands over the acknowledgement positions and picks up the last counts.
/// Its `loop` owns a reader connection's time only; nothing here is thread-bound.
final class BacklogCounter: Sendable {
    private let store: any JournalStore
    private let logger: Logger
    private let positions = Mutex<[String: UInt64]>([:])
    private let counts = Mutex<[String: Int]>([:])
    private let wakeUp: DispatchSemaphore
    private let loop: ThreadLoop

    init(store: any JournalStore, logger: Logger) {
        self.store = store
        self.logger = logger
        let wakeUp = DispatchSemaphore(value: 0)
        self.wakeUp = wakeUp
        loop = ThreadLoop(name: "swhub-backlog") { wakeUp.signal() }
    }

    /// The parties to count and their acknowledgement positions (0: nothing acknowledged).
    func update(positions newPositions: [String: UInt64]) {
        positions.withLock { $0 = newPositions }
    }

    /// The latest counts, by party (absent before the first count).
    func latest() -> [String: Int] {
        counts.withLock { $0 }
    }

    /// Counts about once a second until stopped.
    var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in run(loop) }
    }

    private func run(_ loop: ThreadLoop) {
        var failing = false
        while !loop.isStopRequested {
            let wanted = positions.withLock { $0 }
            var result: [String: Int] = [:]
            do {
                for (party, acked) in wanted {
                    result[party] = try store.pendingCount(recipient: party, after: acked)
                }
                counts.withLock { $0 = result }
                failing = false
            } catch {
                if !failing { logger.warning("backlog count failed", metadata: ["error": "\(error)"]) }
                failing = true
            }
            _ = wakeUp.wait(timeout: .now() + .seconds(1))
        }
    }
}
