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
/// With a backlog, it also reads the oldest unacknowledged message's journal time (one
/// record per party: the ack lag, `swhub_ack_lag_seconds`).
/// Its `loop` owns a reader connection's time only; nothing here is thread-bound.
final class BacklogCounter: Sendable {
    private let store: any JournalStore
    private let logger: Logger
    private let positions = Mutex<[String: UInt64]>([:])
    private let counts = Mutex<[String: Int]>([:])
    private let lags = Mutex<[String: Double]>([:])
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

    /// The latest ack lags, by party: seconds since the oldest message journaled for it and
    /// not yet acknowledged was journaled (0 when none; absent before the first count and
    /// while that message cannot be read).
    func latestLags() -> [String: Double] {
        lags.withLock { $0 }
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
            var lagResult: [String: Double] = [:]
            do {
                for (party, acked) in wanted {
                    let count = try store.pendingCount(recipient: party, after: acked)
                    result[party] = count
                    lagResult[party] = try count == 0 ? 0 : oldestPendingAge(party, after: acked)
                }
                counts.withLock { $0 = result }
                lags.withLock { $0 = lagResult }
                failing = false
            } catch {
                if !failing { logger.warning("backlog count failed", metadata: ["error": "\(error)"]) }
                failing = true
            }
            _ = wakeUp.wait(timeout: .now() + .seconds(1))
        }
    }

    /// Seconds since the first message after `acked` in `party`'s inbox was journaled; nil
    /// when it cannot be read (damaged) or is gone.
    private func oldestPendingAge(_ party: String, after acked: UInt64) throws -> Double? {
        guard let oldest = try store.fetch(recipient: party, after: acked, limit: 1).records.first else { return nil }
        return max(0, Double(WallClock.nowMicroseconds() - oldest.journaledAtUs) / 1_000_000)
    }
}
