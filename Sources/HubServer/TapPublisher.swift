import Foundation
import HubCore
import HubProtocol
import Logging
import Synchronization
import ZeroMQ

/// The monitoring tap (PROTOCOL.md section 15): a CURVE XPUB socket with the tap's own key
/// pair, in a ZeroMQ context of its own (its own I/O thread and its own ZAP handler, domain
/// `swhub-tap`), publishing a copy of every delivery for each party allowed to see it.
///
/// The router thread only posts committed messages to the `mailbox`; this thread makes the
/// copies: for each (message, recipient) and each observer with a live subscription whose
/// prefix matches and that `ObserverPolicy.seesOnTap` allows, one frame set
/// `[topic, TapInfo, body]` with topic `observer/type/sender/recipient` and the body as
/// `ObserverPolicy.view` shows it. Sends never wait (`ZMQ_XPUB_NODROP` + `dontWait`, queue
/// `tap.queue` per subscriber): a full subscriber queue drops that copy and counts it.
///
/// Invariant behind `@unchecked Sendable`: `socket`, `subscriptions`, `live` and `counts`
/// are touched only on the tap thread after `start()` (and in `init` before it); the
/// other threads use only `mailbox`, `snapshot`, `stopping` and `finished`.
final class TapPublisher: @unchecked Sendable {
    /// The hand-over from the router thread.
    let mailbox: TapMailbox
    private let context: ZMQContext
    private let zap: ZAPHandler
    private let socket: ZMQSocket
    private let policy: ObserverPolicy
    private let logger: Logger

    private var subscriptions = TapSubscriptions()
    /// The observers with live subscriptions and their prefixes (from `subscriptions`).
    private var live: [(observer: String, prefixes: [[UInt8]])] = []
    private var counts = TapStatistics()
    private var lastDropWarning: [String: ContinuousClock.Instant] = [:]
    private let snapshot = Mutex(TapStatistics())
    private let stopping = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Binds the tap. `parties` maps Z85 public keys to party ids, as for the router.
    init(
        config: HubConfig.Tap, keyPair: CurveKeyPair, parties: [String: String], policy: ObserverPolicy, logger: Logger
    ) throws {
        self.policy = policy
        self.logger = logger
        mailbox = TapMailbox(capacity: 100_000)
        context = try ZMQContext(ioThreads: 1)
        zap = try ZAPHandler(context: context, parties: parties, logger: logger, domain: "swhub-tap")
        socket = try ZMQSocket(context: context, type: .xpub)
        try socket.makeCurveServer(secretKey: keyPair.secretKey)
        try socket.zapDomain("swhub-tap")
        try socket.xpubManual(true)
        try socket.xpubNoDrop(true)
        try socket.sendHighWaterMark(Int32(clamping: config.queue))
        try socket.linger(ms: 0)
        try socket.bind(config.endpoint)
    }

    /// The endpoint actually bound (resolves a `*` port).
    func boundEndpoint() throws -> String { try socket.lastEndpoint() }

    /// The figures so far.
    func statistics() -> TapStatistics { snapshot.withLock { $0 } }

    func start() {
        zap.start()
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "swhub-tap"
        thread.start()
    }

    /// Stops the thread (after the router has stopped posting) and closes the tap.
    func stop() {
        stopping.withLock { $0 = true }
        finished.wait()
        zap.stop()
        context.shutdown()
    }

    private func run() {
        logger.info("tap running", metadata: ["endpoint": "\((try? boundEndpoint()) ?? "?")"])
        let poller = ZMQPoller(items: [ZMQPoll.Item(socket: socket, events: .pollIn)])
        while !stopping.withLock({ $0 }) {
            do {
                // The router does not wake this thread: a turn every 5 ms is soon enough for
                // monitors, and the mailbox batches meanwhile.
                _ = try poller.poll(timeoutMs: 5)
                var changed = false
                while let message = try socket.receive(dontWait: true) {
                    handleSubscription(message)
                    changed = true
                }
                if changed { subscriptionsChanged() }
                let (items, lost) = mailbox.drain()
                if lost > 0 { bookLost(lost) }
                counts.messages += UInt64(items.count)
                if !live.isEmpty {
                    for item in items { publish(item) }
                }
                let figures = counts
                snapshot.withLock { $0 = figures }
            } catch let error as ZMQError where error.isTerminated {
                break
            } catch {
                logger.error("tap loop error", metadata: ["error": "\(error)"])
            }
        }
        mailbox.setActive(false)
        socket.close()
        logger.info("tap stopped")
    }

    // MARK: subscriptions

    /// Applies or refuses one subscription message; must run right after receiving it, as
    /// libzmq applies `ZMQ_SUBSCRIBE` to the subscriber of the message received last.
    private func handleSubscription(_ message: ZMQMessage) {
        let party = message.metadata("User-Id").flatMap { $0.isEmpty ? nil : $0 }
        let action = subscriptions.handle(message.bytes, party: party)
        do {
            switch action {
            case .subscribe(let topic):
                try socket.subscribe(topic)
                logger.info("tap subscription", metadata: ["party": "\(party ?? "")", "prefix": "\(String(decoding: topic, as: UTF8.self))"])
            case .unsubscribe(let topic):
                try socket.unsubscribe(topic)
                logger.info("tap subscription cancelled", metadata: ["party": "\(party ?? "")", "prefix": "\(String(decoding: topic, as: UTF8.self))"])
            case .refuse(let reason):
                logger.warning(
                    "tap subscription refused",
                    metadata: ["party": "\(party ?? "")", "prefix": "\(String(decoding: message.bytes.dropFirst(), as: UTF8.self))", "reason": "\(reason)"])
            case .ignore:
                break
            }
        } catch {
            logger.error("tap subscription could not be applied", metadata: ["party": "\(party ?? "")", "error": "\(error)"])
        }
    }

    private func subscriptionsChanged() {
        live = subscriptions.observers.map { (observer: $0.key, prefixes: $0.value) }.sorted { $0.observer < $1.observer }
        for (observer, _) in counts.observers { counts.observers[observer]?.subscriptions = subscriptions.subscriptions(of: observer) }
        for (observer, _) in live {
            counts.observers[observer, default: TapStatistics.Observer()].subscriptions = subscriptions.subscriptions(of: observer)
        }
        counts.refusedSubscriptions = subscriptions.refusedCount
        mailbox.setActive(!live.isEmpty)
    }

    // MARK: publishing

    /// Copies the router could not hand over: a gap for every observer listening.
    private func bookLost(_ lost: UInt64) {
        for (observer, _) in live {
            counts.observers[observer, default: TapStatistics.Observer()].dropped += lost
            warnDrops(observer)
        }
    }

    private func publish(_ item: TapItem) {
        let header = item.header
        for recipient in item.recipients {
            // The header as delivered to `recipient`, encoded once for every observer.
            var encoded: [UInt8]?
            for (observer, prefixes) in live
            where policy.seesOnTap(observer, sender: header.sender, recipient: recipient) {
                let topic = TapSubscriptions.topic(observer: observer, type: header.type, sender: header.sender, recipient: recipient)
                guard prefixes.contains(where: { topic.starts(with: $0) }) else { continue }
                if encoded == nil {
                    var delivered = header
                    delivered.recipients = [recipient]
                    encoded = (try? delivered.serializedBytes()) ?? []
                }
                send(item, headerBytes: encoded ?? [], to: observer, recipient: recipient, topic: topic)
            }
        }
    }

    private func send(_ item: TapItem, headerBytes: [UInt8], to observer: String, recipient: String, topic: [UInt8]) {
        let info = WireTapInfo.frame(headerBytes: headerBytes, dropped: counts.observers[observer]?.dropped ?? 0)
        do {
            guard try socket.send(bytes: topic, more: true, dontWait: true) else {
                counts.observers[observer, default: TapStatistics.Observer()].dropped += 1
                warnDrops(observer)
                return
            }
            // Once the first frame is queued, libzmq takes the rest of the frame set.
            _ = try socket.send(bytes: info, more: true, dontWait: true)
            _ = try socket.send(body(of: item, for: observer, recipient: recipient), dontWait: true)
            counts.observers[observer, default: TapStatistics.Observer()].published += 1
        } catch {
            logger.error("tap send failed", metadata: ["party": "\(observer)", "error": "\(error)"])
        }
    }

    /// The body as `observer` may see it in the copy delivered to `recipient`. Should
    /// redaction fail (bodies of typed messages were checked on submission), the copy gets
    /// an empty body rather than fields the observer must not see.
    private func body(of item: TapItem, for observer: String, recipient: String) -> ZMQMessage {
        do {
            return try item.body.viewed(through: policy.view(observer: observer, stream: recipient, type: item.header.type))
        } catch {
            logger.error("tap redaction failed; publishing an empty body", metadata: ["seq": "\(item.header.seq)", "party": "\(observer)", "error": "\(error)"])
            return ZMQMessage()
        }
    }

    /// Logs drops for `observer`, at most every 5 seconds.
    private func warnDrops(_ observer: String) {
        let now = ContinuousClock.now
        if let last = lastDropWarning[observer], now - last < .seconds(5) { return }
        lastDropWarning[observer] = now
        logger.warning(
            "tap subscriber too slow: copies dropped",
            metadata: ["party": "\(observer)", "dropped": "\(counts.observers[observer]?.dropped ?? 0)"])
    }
}
