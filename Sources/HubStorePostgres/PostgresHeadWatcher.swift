import Foundation
import HubLifecycle
import HubThreads
import Logging
import PostgresNIO

/// Watches the journal's head for a hub node: `LISTEN`s on the channel every append
/// notifies (``PostgresJournalStore/headChannel``) and reads the head when notified, and at
/// least once a second in case a notification was lost (a connection that broke, a
/// primary that changed); reports each head it reads.
///
/// Owns its connection on its own thread (`swhub-pg-watch`); the notification handler
/// (on postgres-nio's event loop) only records the notified head under `condition`.
final class PostgresHeadWatcher: @unchecked Sendable {
    // Invariant: `notified` only with `condition` locked; `link` only on the watcher thread.
    private let condition = NSCondition()
    private var notified: UInt64 = 0
    private var link: PostgresLink?
    private let loop: ThreadLoop
    private let pool: PostgresPool
    private let onAdvance: @Sendable (UInt64) -> Void
    private let logger: Logger
    private var logPace = LogPace(interval: .seconds(10))
    /// The longest wait between two reads of the head.
    static let pollInterval: TimeInterval = 1

    init(pool: PostgresPool, logger: Logger, onAdvance: @escaping @Sendable (UInt64) -> Void) {
        self.pool = pool
        self.logger = logger
        self.onAdvance = onAdvance
        let condition = self.condition
        loop = ThreadLoop(name: "swhub-pg-watch") {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
    }

    var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in run(loop) }
    }

    private func run(_ loop: ThreadLoop) {
        defer { link?.close() }
        var reported: UInt64 = 0
        while !loop.isStopRequested {
            if let head = readHead(), head > reported {
                reported = head
                onAdvance(head)
            }
            condition.lock()
            let until = Date().addingTimeInterval(Self.pollInterval)
            while notified <= reported && !loop.isStopRequested && Date() < until {
                _ = condition.wait(until: until)
            }
            condition.unlock()
        }
    }

    /// The head, connecting and listening first if needed; nil (logged, paced) when the
    /// database cannot be read now.
    private func readHead() -> UInt64? {
        do {
            if link == nil {
                let opened = try pool.openDedicated()
                let condition = self.condition
                opened.connection.addListener(channel: PostgresJournalStore.headChannel) { [weak self] _, notification in
                    guard let self, let seq = UInt64(notification.payload) else { return }
                    condition.lock()
                    if seq > self.notified {
                        self.notified = seq
                        condition.signal()
                    }
                    condition.unlock()
                }
                try opened.execute("LISTEN \(PostgresJournalStore.headChannel)")
                link = opened
            }
            guard let link else { return nil }
            return try PostgresJournalStore.head(link)
        } catch {
            link?.close()
            link = nil
            if let heldBack = logPace.allow() {
                logger.warning(
                    "cannot watch the journal's head; retrying",
                    metadata: ["error": "\(PostgresFailure.describe(error))", "similar_lines_held_back": "\(heldBack)"])
            }
            return nil
        }
    }
}
