import Foundation
import HubLifecycle
import HubStore
import HubThreads
import Logging
import Metrics
import ZeroMQ

/// The journal's writer thread: takes submissions and acknowledgement positions from the
/// router, appends them in group commits (everything that queued up during the previous
/// fsync goes into the next transaction, at most `batchMax` messages), and posts the
/// outcome back. A submission is only reported committed once the store returned, i.e.
/// once it is durable; with SQLite, also only once the commit's head record is on disk,
/// which ``CommitAnnouncer`` writes beside the next commit and then posts the outcome.
///
/// When the store is shared with other writers (``SharedJournal``: hub nodes on one
/// PostgreSQL database), the writer also hands the router what the others journaled, in
/// seq order and before its own commits (``JournalEvent/journaledElsewhere(_:)``): the
/// gap before each of its appends, and, while idle, up to each head the store's watcher
/// reports.
///
/// Owns its wake-up PUSH socket on its own thread (`loop`).
final class JournalWriter: @unchecked Sendable {
    // Invariant: `queue`, `acks` and `progress` are only touched with `condition` locked;
    // `wake` and `failureLogPace` only on the writer thread (after `init`).
    private let condition: NSCondition
    private var queue: [PendingSubmit] = []
    private var acks: [String: UInt64] = [:]
    private var progress: [ProgressMark] = []
    /// When the oldest queued progress mark was queued.
    private var progressSince = Date.distantFuture
    private let loop: ThreadLoop

    private let store: any JournalStore
    /// Seals personal fields before bodies are journaled, and opens those of records other
    /// writers journaled; nil when no field is sealed.
    private let seal: PersonalDataSeal?
    /// The store as shared with other writers, if it is.
    private let shared: (any SharedJournal)?
    /// The store whose commits end with a head record to write (SQLite), and the stage that
    /// writes those beside the next commit and posts every outcome (``CommitAnnouncer``).
    private let sealing: (any HeadSealing)?
    private let announcer: CommitAnnouncer?
    /// The highest seq handed to the router, its own commits and others' (writer thread only).
    private var knownHead: UInt64
    /// The highest head the watcher reported (with `condition` locked).
    private var reportedHead: UInt64 = 0
    /// The store's head watcher, when the store is shared.
    private(set) var watcher: ThreadLoopService?
    /// A change of the flows' leadership to hand the router (with `condition` locked).
    private var leadership: Bool?
    private let mailbox: Mailbox
    private let wake: ZMQSocket
    private let batchMax: Int
    private let logger: Logger
    /// Duration of each group commit (`swhub_journal_commit_seconds`).
    private let commitTimer = Metrics.Timer(label: "swhub_journal_commit_seconds")
    /// Records other hub nodes journaled that this node's router was handed.
    private let elsewhereCounter = Counter(label: "swhub_journal_elsewhere_records_total")
    /// 1 while this node runs the flows of a cluster (holds their lease), else 0.
    private let flowLeaderGauge = Gauge(label: "swhub_cluster_flow_leader")
    /// Commits answered 303 JOURNAL_UNAVAILABLE (the database could not be reached).
    private let unavailableCounter = Counter(label: "swhub_journal_unavailable_total")
    /// Commits that failed otherwise (answered 501 JOURNAL_FAILURE: a full or failing disk).
    private let writeFailureCounter = Counter(label: "swhub_journal_write_failures_total")
    /// Ids that sort before their sender's previous one (writer thread only).
    private var idOrder = IdOrderWatch()
    /// Paces the log of failed commits (writer thread only).
    private var failureLogPace = LogPace(interval: .seconds(10))

    init(
        store: any JournalStore, mailbox: Mailbox, context: ZMQContext, wakeEndpoint: String, batchMax: Int, headSeq: UInt64,
        seal: PersonalDataSeal? = nil, logger: Logger
    ) throws {
        self.store = store
        self.seal = seal
        shared = store as? any SharedJournal
        sealing = shared == nil ? store as? any HeadSealing : nil
        announcer = try sealing.map { _ in
            try CommitAnnouncer(mailbox: mailbox, context: context, wakeEndpoint: wakeEndpoint, logger: logger)
        }
        knownHead = headSeq
        self.mailbox = mailbox
        self.batchMax = batchMax
        self.logger = logger
        let condition = NSCondition()
        self.condition = condition
        loop = ThreadLoop(name: "swhub-writer") {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
        wake = try ZMQSocket(context: context, type: .push)
        try wake.linger(ms: 0)
        try wake.connect(wakeEndpoint)
        watcher = shared?.headWatcher { [weak self] seq in self?.noteHead(seq) }
    }

    /// This node took (true) or lost (false) the flows' lease: handed to the router in
    /// order with the records (from the cluster membership's thread).
    func noteLeadership(_ leads: Bool) {
        condition.lock()
        leadership = leads
        condition.signal()
        condition.unlock()
    }

    /// The watcher saw the journal's head at `seq`.
    private func noteHead(_ seq: UInt64) {
        condition.lock()
        if seq > reportedHead {
            reportedHead = seq
            condition.signal()
        }
        condition.unlock()
    }

    /// Commits until stopped; a stop commits what is queued first. Stop it only after the
    /// router, which queues into it, has stopped.
    var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in run(loop) }
    }

    /// Whether the writer's thread has ended: nothing queued from now on is committed.
    var hasEnded: Bool { loop.ending != nil }

    /// Queues submissions for the next group commit (one lock and wake-up per call).
    func enqueue(_ submits: [PendingSubmit]) {
        guard !submits.isEmpty else { return }
        condition.lock()
        queue.append(contentsOf: submits)
        condition.signal()
        condition.unlock()
    }

    /// Queues acknowledgement positions; they are saved with the next commit.
    func enqueue(acks newAcks: [String: UInt64]) {
        condition.lock()
        acks.merge(newAcks, uniquingKeysWith: max)
        condition.signal()
        condition.unlock()
    }

    /// Queues progress marks. They ride along with the next commit of submissions or
    /// acknowledgements and cause no commit (no fsync) of their own unless they waited
    /// `progressMaxWait`: on an idle hub, one small commit a second at most.
    func enqueue(progress marks: [ProgressMark]) {
        guard !marks.isEmpty else { return }
        condition.lock()
        if progress.isEmpty {
            // Wakes an idle writer only to start the timed wait for them.
            progressSince = Date()
            condition.signal()
        }
        progress.append(contentsOf: marks)
        condition.unlock()
    }

    /// How long progress marks may wait for a commit to ride along with.
    private static let progressMaxWait: TimeInterval = 1
    /// The pause after the first failed commit; it doubles with each failure in a row, up to
    /// `maxBackoff`, and starts over after a commit succeeds.
    private static let firstBackoff: TimeInterval = 0.01
    private static let maxBackoff: TimeInterval = 1
    /// How long a stopping writer whose commits fail goes on trying before it gives up on
    /// what it holds (acknowledgement positions and progress marks, which only cost
    /// redeliveries): the hub's drain timeout, well inside systemd's `TimeoutStopSec` (30 s).
    static let drainTimeout: TimeInterval = 10

    /// The pause after `failures` failed commits in a row.
    static func backoff(afterFailures failures: Int) -> TimeInterval {
        min(maxBackoff, firstBackoff * Double(1 << min(max(failures - 1, 0), 16)))
    }

    private func run(_ loop: ThreadLoop) {
        announcer?.start()
        defer {
            announcer?.finish()
            wake.close()
        }
        var failures = 0
        var retryAt = Date.distantPast
        var giveUpAt: Date?
        while true {
            condition.lock()
            while true {
                if giveUpAt == nil && loop.isStopRequested { giveUpAt = Date().addingTimeInterval(Self.drainTimeout) }
                let now = Date()
                if failures > 0 && now < retryAt {
                    // Backing off after a failed commit; a stop request wakes the wait, but the
                    // retries go on (paced) until the drain timeout.
                    if let giveUpAt, now >= giveUpAt { break }
                    _ = condition.wait(until: min(retryAt, giveUpAt ?? retryAt))
                    continue
                }
                if !queue.isEmpty || !acks.isEmpty || loop.isStopRequested || reportedHead > knownHead || leadership != nil { break }
                if progress.isEmpty {
                    condition.wait()
                } else {
                    let due = progressSince.addingTimeInterval(Self.progressMaxWait)
                    if now >= due { break }
                    _ = condition.wait(until: due)
                }
            }
            if failures > 0, let giveUpAt, Date() >= giveUpAt {
                giveUp(failures: failures)  // unlocks
                break
            }
            if queue.isEmpty && acks.isEmpty && progress.isEmpty && loop.isStopRequested {
                condition.unlock()
                break
            }
            let othersHead = reportedHead
            let newLeadership = leadership
            leadership = nil
            let take = PendingSubmit.commitCount(queue, batchMax: batchMax)
            let batch = Array(queue.prefix(take))
            queue.removeFirst(take)
            let batchAcks = acks
            acks.removeAll()
            let batchProgress = progress
            progress.removeAll()
            progressSince = .distantFuture
            condition.unlock()
            if othersHead > knownHead { catchUp(through: othersHead) }
            if let newLeadership {
                flowLeaderGauge.record(newLeadership ? 1 : 0)
                post(.flowLeadership(newLeadership))
            }
            if batch.isEmpty && batchAcks.isEmpty && batchProgress.isEmpty { continue }
            if commit(batch, acks: batchAcks, progress: batchProgress) {
                if failures > 0 {
                    logger.notice("journal commits succeed again", metadata: ["failed_commits": "\(failures)"])
                }
                failures = 0
            } else {
                failures += 1
                retryAt = Date().addingTimeInterval(Self.backoff(afterFailures: failures))
            }
        }
    }

    /// Stopping while commits still fail, after the drain timeout: drops what is held and says
    /// what. Called with `condition` locked; unlocks it.
    private func giveUp(failures: Int) {
        let lostAcks = acks.count
        let lostMarks = progress.count
        let unanswered = queue.count
        acks.removeAll()
        progress.removeAll()
        queue.removeAll()
        condition.unlock()
        logger.error(
            "journal writer stopping after \(Int(Self.drainTimeout)) s of failed commits: could not save \(lostAcks) acknowledgement positions and \(lostMarks) progress marks; those messages will be redelivered, not lost",
            metadata: [
                "acks_not_saved": "\(lostAcks)", "progress_marks_not_saved": "\(lostMarks)", "failed_commits": "\(failures)",
                "submissions_unanswered": "\(unanswered)",
            ])
    }

    /// One group commit; false if it failed (its acks and marks are queued again).
    private func commit(_ batch: [PendingSubmit], acks: [String: UInt64], progress marks: [ProgressMark]) -> Bool {
        let appends = batch.map { submit in
            JournalAppend(
                sender: submit.party, id: submit.header.id, type: submit.header.type,
                recipients: submit.recipients, correlationId: submit.header.correlationID,
                createdAtUs: submit.header.createdAtUs, body: submit.body)
        }
        let event: HubEvent
        var seal: HeadSeal?
        do {
            let t0 = ContinuousClock.now
            let outcomes: [AppendOutcome]
            (outcomes, seal) = try append(appends, acks: acks, progress: marks)
            let took = ContinuousClock.now - t0
            commitTimer.recordNanoseconds(took.components.seconds * 1_000_000_000 + took.components.attoseconds / 1_000_000_000)
            if took > .milliseconds(500) {
                logger.warning(
                    "slow journal commit: the disk is not keeping up", metadata: ["took": "\(took)", "messages": "\(batch.count)"])
            }
            event = .committed(batch, outcomes)
            idOrder.note(appends, outcomes)
        } catch let error as StoreError where error.code == .unavailable {
            if let heldBack = failureLogPace.allow() {
                logger.error(
                    "journal commit could not reach the database; retrying with a growing pause (at most 1 s)",
                    metadata: ["error": "\(error)", "messages": "\(batch.count)", "similar_lines_held_back": "\(heldBack)"])
            }
            if !acks.isEmpty { enqueue(acks: acks) }
            if !marks.isEmpty { enqueue(progress: marks) }
            unavailableCounter.increment()
            event = .commitUnavailable(batch, reason: "\(error)")
        } catch {
            if let heldBack = failureLogPace.allow() {
                logger.error(
                    "journal commit failed; retrying with a growing pause (at most 1 s)",
                    metadata: ["error": "\(error)", "messages": "\(batch.count)", "similar_lines_held_back": "\(heldBack)"])
            }
            if !acks.isEmpty { enqueue(acks: acks) }  // retried with the next commit
            if !marks.isEmpty { enqueue(progress: marks) }  // likewise
            writeFailureCounter.increment()
            event = .commitFailed(batch, reason: "\(error)")
        }
        var committed = false
        if case .committed = event { committed = true }
        guard !batch.isEmpty else { return committed }
        if let announcer {
            announcer.announce(event, seal: seal)
        } else if mailbox.post(event) {
            _ = try? wake.send(bytes: [], dontWait: true)
        }
        return committed
    }

    /// Appends through the store, leaving its head record to the announcer when it has one;
    /// when it is shared, first hands the router what other writers journaled before this batch.
    private func append(_ unsealed: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]) throws -> (
        [AppendOutcome], HeadSeal?
    ) {
        // A body whose personal fields cannot be sealed fails the commit (retried): it is
        // never journaled in the clear instead.
        let appends = try seal.map { seal in try unsealed.map { try seal.sealed($0) } } ?? unsealed
        if let sealing { return try sealing.appendUnsealed(appends, acks: acks, progress: progress) }
        guard let shared else { return (try store.append(appends, acks: acks, progress: progress), nil) }
        let (outcomes, previousHead) = try shared.appendReportingHead(appends, acks: acks, progress: progress)
        if let previousHead {
            if previousHead > knownHead { catchUp(through: previousHead) }
            knownHead = max(knownHead, outcomes.lazy.filter { !$0.duplicate }.map(\.seq).max() ?? previousHead)
        }
        return (outcomes, nil)
    }

    /// Hands the router the records other writers journaled after ``knownHead`` up to
    /// `target`, in pages; when they cannot be read whole (a damaged record, a failed read),
    /// tells it the head moved so that sessions read them from the journal themselves.
    private func catchUp(through target: UInt64) {
        guard let shared else { return }
        while knownHead < target {
            let result: FetchResult
            do {
                result = try shared.records(after: knownHead, through: target, limit: Self.catchUpPage)
            } catch {
                if let heldBack = failureLogPace.allow() {
                    logger.error(
                        "cannot read what other hub nodes journaled; sessions will read it themselves",
                        metadata: [
                            "error": "\(error)", "after": "\(knownHead)", "through": "\(target)", "similar_lines_held_back": "\(heldBack)",
                        ])
                }
                post(.headAdvanced(target))
                knownHead = target
                return
            }
            if let last = result.records.last {
                post(.journaledElsewhere(seal.map { seal in result.records.map { seal.opened($0).record } } ?? result.records))
                elsewhereCounter.increment(by: result.records.count)
                knownHead = last.seq
            }
            if result.damaged != nil || result.records.isEmpty {
                post(.headAdvanced(target))
                knownHead = target
                return
            }
        }
    }

    /// Most records handed over per read of what others journaled.
    private static let catchUpPage = 256

    /// Posts an event to the router and wakes it.
    private func post(_ event: HubEvent) {
        if mailbox.post(event) {
            _ = try? wake.send(bytes: [], dontWait: true)
        }
    }
}
