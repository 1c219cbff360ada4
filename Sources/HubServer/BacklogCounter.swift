import Foundation
import HubStore
import Logging
import Synchronization

/// Counts each party's backlog (messages journaled for it and not yet acknowledged) on its
/// own thread, about once a second, with one indexed `count(*)` per party
/// (``JournalStore/pendingCount(recipient:after:)``) on a reader connection: the router
/// thread only hands over the acknowledgement positions and picks up the last counts.
final class BacklogCounter: Sendable {
    private let store: any JournalStore
    private let logger: Logger
    private let positions = Mutex<[String: UInt64]>([:])
    private let counts = Mutex<[String: Int]>([:])
    private let stopping = Mutex(false)
    private let wakeUp = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Mutex(false)

    init(store: any JournalStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// The parties to count and their acknowledgement positions (0: nothing acknowledged).
    func update(positions newPositions: [String: UInt64]) {
        positions.withLock { $0 = newPositions }
    }

    /// The latest counts, by party (absent before the first count).
    func latest() -> [String: Int] {
        counts.withLock { $0 }
    }

    func start() {
        started.withLock { $0 = true }
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "swhub-backlog"
        thread.start()
    }

    /// Stops the thread and waits for it (at once if it never started).
    func stop() {
        guard started.withLock({ $0 }) else { return }
        stopping.withLock { $0 = true }
        wakeUp.signal()
        finished.wait()
    }

    private func run() {
        var failing = false
        while !stopping.withLock({ $0 }) {
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
