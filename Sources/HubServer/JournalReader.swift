import Foundation
import HubLifecycle
import HubRouting
import HubStore
import HubThreads
import Logging
import Metrics
import ZeroMQ

/// The journal's reader thread: serves catch-up fetches for delivery sessions, so that a
/// recipient that is behind is fed from disk and never from unbounded memory, without
/// blocking the router or the writer (SQLite WAL lets reads run beside the write).
///
/// Owns its wake-up PUSH socket on its own thread (`loop`).
final class JournalReader: @unchecked Sendable {
    struct Request: Sendable {
        let session: UInt64
        let party: String
        let after: UInt64
        let limit: Int
        /// Only these types (empty: every type).
        var types: [String] = []
        /// Set: find the first seq journaled at or after this time instead of fetching, and
        /// report it with `.located`.
        var sinceUs: Int64? = nil
    }

    // Invariant: `requests` only with `condition` locked; `wake` only on the thread (after `init`).
    private let condition: NSCondition
    private var requests: [Request] = []
    private let loop: ThreadLoop

    private let store: any JournalStore
    /// Opens the personal fields sealed in the records read; nil when none are sealed.
    private let seal: PersonalDataSeal?
    private let mailbox: Mailbox
    private let wake: ZMQSocket
    private let logger: Logger
    private let name: String
    /// Paces the log of failed fetches (only the reader thread touches it).
    private var logPace = LogPace(interval: .seconds(10))
    /// Paces the log of records whose personal fields cannot be opened (reader thread only).
    private var unreadablePace = LogPace(interval: .seconds(10))
    /// Records handed on without their personal fields (`swhub_personal_fields_unreadable_total`).
    private let unreadableCounter = Counter(label: "swhub_personal_fields_unreadable_total")

    init(
        store: any JournalStore, mailbox: Mailbox, context: ZMQContext, wakeEndpoint: String, seal: PersonalDataSeal? = nil,
        logger: Logger, name: String = "swhub-reader"
    ) throws {
        self.seal = seal
        self.name = name
        let condition = NSCondition()
        self.condition = condition
        loop = ThreadLoop(name: name) {
            condition.lock()
            condition.signal()
            condition.unlock()
        }
        self.store = store
        self.mailbox = mailbox
        self.logger = logger
        wake = try ZMQSocket(context: context, type: .push)
        try wake.linger(ms: 0)
        try wake.connect(wakeEndpoint)
    }

    /// Serves fetches until stopped; requests still queued then are dropped (their sessions
    /// are gone with the router).
    var service: ThreadLoopService {
        ThreadLoopService(loop) { [self] loop in run(loop) }
    }

    func enqueue(_ request: Request) {
        condition.lock()
        requests.append(request)
        condition.signal()
        condition.unlock()
    }

    /// One request's answer. A damaged record is reported with `.damaged` and the records
    /// before it, whether the store reports it in its result or throws it (then the records
    /// before it are found by reading less); the router logs it, once per seq.
    private func serve(_ request: Request) -> HubEvent {
        do {
            if let since = request.sinceUs {
                let first = try store.firstSeq(journaledAtOrAfter: since)
                return .located(session: request.session, firstSeq: first, headSeq: try store.headSeq())
            }
            let result = try fetch(request, limit: request.limit)
            if let damaged = result.damaged {
                return .damaged(session: request.session, records: result.records, headSeq: result.headSeq, error: damaged)
            }
            return .fetched(session: request.session, records: result.records, headSeq: result.headSeq)
        } catch {
            if let damage = DamagedReads.damage(in: error), request.sinceUs == nil {
                let records =
                    damage.seq == nil ? [] : DamagedReads.readablePrefix(limit: request.limit) { try fetch(request, limit: $0).records }
                return .damaged(session: request.session, records: records, headSeq: (try? store.headSeq()) ?? 0, error: damage)
            }
            let now = ContinuousClock.now
            if let heldBack = logPace.allow(request.party, at: now) {
                logger.error(
                    "journal fetch failed",
                    metadata: ["party": "\(request.party)", "error": "\(error)", "similar_lines_held_back": "\(heldBack)"])
            }
            return .fetchFailed(session: request.session, reason: "\(error)")
        }
    }

    /// The records asked for, their personal fields opened (then redacted per party by the
    /// router, as live bodies are).
    private func fetch(_ request: Request, limit: Int) throws -> FetchResult {
        var result =
            request.types.isEmpty
            ? try store.fetch(recipient: request.party, after: request.after, limit: limit)
            : try store.fetch(recipient: request.party, after: request.after, limit: limit, types: request.types)
        if let seal {
            result.records = result.records.map { stored in
                let (record, opening) = seal.opened(stored)
                if case .unreadable(let reason) = opening { noteUnreadable(record, reason: reason) }
                return record
            }
        }
        return result
    }

    /// A record handed on without its personal fields: counted, and logged (paced) with its
    /// seq and the cipher's reason, never a value.
    private func noteUnreadable(_ record: JournalRecord, reason: String) {
        unreadableCounter.increment()
        if let heldBack = unreadablePace.allow() {
            logger.warning(
                "personal fields of a journal record cannot be opened; handed on without them",
                metadata: [
                    "seq": "\(record.seq)", "sender": "\(record.sender)", "reason": "\(reason)", "similar_lines_held_back": "\(heldBack)",
                ])
        }
    }

    private func run(_ loop: ThreadLoop) {
        defer { wake.close() }
        while true {
            condition.lock()
            while requests.isEmpty && !loop.isStopRequested { condition.wait() }
            if loop.isStopRequested {
                condition.unlock()
                break
            }
            let request = requests.removeFirst()
            condition.unlock()
            let event = serve(request)
            if mailbox.post(event) {
                _ = try? wake.send(bytes: [], dontWait: true)
            }
        }
    }
}
