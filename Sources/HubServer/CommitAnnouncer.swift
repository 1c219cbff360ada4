import Foundation
import HubStore
import HubThreads
import Logging
import ZeroMQ

/// The journal writer's second stage, for a store whose commits end with a ``HeadSeal``
/// (SQLite's head record): writes the seals and then hands the commits' outcomes to the
/// router, in commit order, while the writer already runs the next commit.
///
/// A commit is acknowledged only once both its transaction and its head record are on disk,
/// as when the store wrote the record itself; but the two `fdatasync`s of consecutive
/// batches overlap (batch n's record beside batch n+1's transaction) instead of queueing one
/// behind the other, and when several commits wait, one write of the latest seal (the
/// highest head) covers them all. Measured with `swhub bench`'s `submit_latency` (see
/// BENCHMARKS.md, issue 18): the record's `fdatasync` took as long as the transaction's, so a
/// batch that arrived during a commit waited for both.
///
/// Every outcome of a writer that has one goes through it (failures too), so the router sees
/// them in commit order. A seal that cannot be written turns the outcomes it covers into
/// `commitFailed` (the records are in the journal; the clients' resubmissions are answered
/// as duplicates), as a failed append does.
///
/// Invariant behind `@unchecked Sendable`: `items` and `closing` are touched only with
/// `condition` locked; `wake` and `failureLogPace` only on the announcer's thread after `start()`.
final class CommitAnnouncer: @unchecked Sendable {
    /// An outcome to post, and the seal to write before it (nil: post it as it is).
    struct Item {
        var event: HubEvent
        var seal: HeadSeal?
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var closing = false
    private let ended = DispatchSemaphore(value: 0)
    private let mailbox: Mailbox
    private let wake: ZMQSocket
    private let logger: Logger
    private var failureLogPace = LogPace(interval: .seconds(10))

    init(mailbox: Mailbox, context: ZMQContext, wakeEndpoint: String, logger: Logger) throws {
        self.mailbox = mailbox
        self.logger = logger
        wake = try ZMQSocket(context: context, type: .push)
        try wake.linger(ms: 0)
        try wake.connect(wakeEndpoint)
    }

    /// Starts its thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "swhub-seal"
        thread.start()
    }

    /// Queues an outcome for the router, after `seal` (if any) is on disk.
    func announce(_ event: HubEvent, seal: HeadSeal?) {
        condition.lock()
        items.append(Item(event: event, seal: seal))
        condition.signal()
        condition.unlock()
    }

    /// Posts what is queued, then ends the thread and waits for it.
    func finish() {
        condition.lock()
        closing = true
        condition.signal()
        condition.unlock()
        ended.wait()
    }

    private func run() {
        defer {
            wake.close()
            ended.signal()
        }
        while true {
            condition.lock()
            while items.isEmpty && !closing { condition.wait() }
            if items.isEmpty {
                condition.unlock()
                return
            }
            let taken = items
            items.removeAll(keepingCapacity: true)
            condition.unlock()
            let (events, failure) = Self.sealed(taken)
            if let failure, let heldBack = failureLogPace.allow() {
                logger.error(
                    "the journal's head record could not be written; the commits it covers are answered as failed",
                    metadata: ["error": "\(failure)", "similar_lines_held_back": "\(heldBack)"])
            }
            post(events)
        }
    }

    /// Writes the last seal of `items` (it covers the earlier ones) and returns their events,
    /// those of sealed commits turned into `commitFailed` if it could not be written, and the
    /// error then.
    static func sealed(_ items: [Item]) -> (events: [HubEvent], failure: (any Error)?) {
        guard let seal = items.last(where: { $0.seal != nil })?.seal else { return (items.map(\.event), nil) }
        do {
            try seal.write()
            return (items.map(\.event), nil)
        } catch {
            let events = items.map { item -> HubEvent in
                guard item.seal != nil, case .committed(let batch, _) = item.event else { return item.event }
                return .commitFailed(batch, reason: "\(error)")
            }
            return (events, error)
        }
    }

    private func post(_ events: [HubEvent]) {
        var wakeRouter = false
        for event in events where mailbox.post(event) { wakeRouter = true }
        if wakeRouter { _ = try? wake.send(bytes: [], dontWait: true) }
    }
}
