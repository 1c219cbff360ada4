import Foundation
import HubCore
import HubLifecycle
import HubProtocol
import HubThreads
import Logging
import Synchronization
import ZeroMQ

/// The monitoring tap (PROTOCOL.md section 15): a CURVE XPUB socket with the tap's own key
/// pair, in a ZeroMQ context of its own (its own I/O thread and its own ZAP handler, domain
/// `swhub-tap`), publishing a copy of every delivery for each party allowed to see it.
///
/// The router thread only posts committed messages to the `mailbox`; this thread makes the
/// copies. Every applied subscription prefix is a *channel* (`TapSubscriptions`): for each
/// (message, recipient) and each observer that `ObserverPolicy.seesOnTap` allows, a copy
/// `TapCopy{topic, header, body}` (topic `observer/type/sender/recipient`, body as
/// `ObserverPolicy.view` shows it) goes into the batch of every channel of that observer
/// whose prefix the topic starts with. A channel's batch is published as two frames
/// `[prefix + 0x00, TapBatch]` when it is full (`batchCopies` copies or `batchBytes`) and at
/// the end of every turn, so each subscriber pays CURVE's per-message cost once per batch
/// rather than three times per copy. Sends never wait (`ZMQ_XPUB_NODROP` + `dontWait`, queue
/// `tap.queue` copies per subscriber, in whole batches): a full queue drops the batch and
/// counts its copies.
///
/// Invariant behind `@unchecked Sendable`: `socket`, `policy`, `subscriptions`, `channels`, `live`,
/// `routes` and `counts` are touched only by the body of `loop` (and in `init` before it
/// starts); the other threads use only `mailbox`, `snapshot`, `endpoint`, `loop`, and for a
/// reload `zap` and `reloadedPolicy` (both locked).
final class TapPublisher: @unchecked Sendable {
    /// The hand-over from the router thread.
    let mailbox: TapMailbox
    private let context: ZMQContext
    private let zap: ZAPHandler
    private let socket: ZMQSocket
    /// Who sees what on the tap; replaced by a reload (``reload(keys:policy:)``).
    var policy: ObserverPolicy
    /// A reloaded policy waiting for the loop.
    private let reloadedPolicy = Mutex<ObserverPolicy?>(nil)
    let logger: Logger

    /// Most copies in one batch.
    static let batchCopies = 64
    /// A batch is published once it holds this many bytes, whatever its count.
    static let batchBytes = 256 * 1024

    /// One applied subscription prefix and the batch being filled for it.
    struct Channel {
        let observer: String
        let prefix: [UInt8]
        var batch = TapBatchWriter()
    }

    private var subscriptions = TapSubscriptions()
    /// Every applied prefix, grouped by observer in `live`.
    var channels: [Channel] = []
    /// The observers with live subscriptions and the indices of their channels.
    var live: [(observer: String, channels: [Int])] = []
    var counts = TapStatistics()
    /// The routes worked out since the last subscription change.
    var routes: [TapRoute.Key: TapRoute] = [:]
    private var lastDropWarning: [String: ContinuousClock.Instant] = [:]
    private let snapshot = Mutex(TapStatistics())
    private let loop = ThreadLoop(name: "swhub-tap")
    /// The endpoint actually bound (a `*` port resolved), read once when binding.
    let endpoint: String

    /// Binds the tap. `parties` maps Z85 public keys to party ids, as for the router.
    init(
        config: HubConfig.Tap, keyPair: CurveKeyPair, parties: [String: String], policy: ObserverPolicy, logger: Logger
    ) throws {
        self.policy = policy
        self.logger = logger
        mailbox = TapMailbox(capacity: 100_000)
        context = try ZMQContext(ioThreads: 1)
        zap = try ZAPHandler(context: context, parties: parties, logger: logger, domain: "swhub-tap", threadName: "swhub-tap-zap")
        socket = try ZMQSocket(context: context, type: .xpub)
        try socket.makeCurveServer(secretKey: keyPair.secretKey)
        try socket.zapDomain("swhub-tap")
        try socket.xpubManual(true)
        try socket.xpubNoDrop(true)
        // The queue is counted in copies; libzmq counts messages, here whole batches.
        try socket.sendHighWaterMark(Int32(clamping: (config.queue + Self.batchCopies - 1) / Self.batchCopies))
        try socket.linger(ms: 0)
        try socket.bind(config.endpoint)
        endpoint = try socket.lastEndpoint()
    }

    /// Takes a reloaded configuration over: handshakes from now on are checked against
    /// `keys`, and copies made from the loop's next turn on follow `policy`. A live
    /// subscription of a removed party gets no copies any more (its party is in no route);
    /// one made with a revoked key of a party that stays cannot be told apart on the XPUB.
    func reload(keys: [String: String], policy: ObserverPolicy) {
        zap.replaceKeys(keys)
        reloadedPolicy.withLock { $0 = policy }
    }

    /// Checks handshakes from now on against `keys` (Z85 public key → party id).
    func replaceKeys(_ keys: [String: String]) {
        zap.replaceKeys(keys)
    }

    /// The figures so far.
    func statistics() -> TapStatistics { snapshot.withLock { $0 } }

    /// The tap's ZAP handler and its publishing loop, in start order: stop them after the
    /// router (which posts to the mailbox), in reverse. A terminated context ends the loop
    /// unexpectedly.
    var services: [ThreadLoopService] {
        [zap.service, ThreadLoopService(loop) { [self] loop in run(loop) }]
    }

    private func run(_ loop: ThreadLoop) {
        logger.info("tap running", metadata: ["endpoint": "\(endpoint)"])
        defer {
            mailbox.setActive(false)
            socket.close()
            logger.info("tap stopped")
        }
        let poller = ZMQPoller(items: [ZMQPoll.Item(socket: socket, events: .pollIn)])
        while !loop.isStopRequested {
            do {
                // The router does not wake this thread: a turn every 5 ms is soon enough for
                // monitors, and the mailbox batches meanwhile.
                _ = try poller.poll(timeoutMs: 5)
                var changed = false
                while let message = try socket.receive(dontWait: true) {
                    handleSubscription(message)
                    changed = true
                }
                if let reloaded = reloadedPolicy.withLock({ $0.take() }) {
                    // From the next copy on: routes are worked out again under the new policy.
                    policy = reloaded
                    routes = [:]
                }
                if changed { subscriptionsChanged() }
                let (items, lost) = mailbox.drain()
                if lost > 0 { bookLost(lost) }
                counts.messages += UInt64(items.count)
                if !live.isEmpty {
                    publish(items)
                    flushAll()
                }
                let figures = counts
                snapshot.withLock { $0 = figures }
            } catch let error as ZMQError where error.isTerminated {
                break
            } catch {
                logger.error("tap loop error", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: subscriptions

    /// Applies or refuses one subscription message; must run right after receiving it, as
    /// libzmq applies `ZMQ_SUBSCRIBE` to the subscriber of the message received last.
    private func handleSubscription(_ message: ZMQMessage) {
        let party = message.metadata("User-Id").flatMap { $0.isEmpty ? nil : $0 }
        let action = subscriptions.handle(message.bytes, party: party)
        do {
            switch action {
            case .subscribe(let channel):
                try socket.subscribe(channel)
                logger.info(
                    "tap subscription",
                    metadata: ["party": "\(party ?? "")", "prefix": "\(String(decoding: channel.dropLast(), as: UTF8.self))"])
            case .unsubscribe(let channel):
                try socket.unsubscribe(channel)
                logger.info(
                    "tap subscription cancelled",
                    metadata: ["party": "\(party ?? "")", "prefix": "\(String(decoding: channel.dropLast(), as: UTF8.self))"])
            case .refuse(let reason):
                logger.warning(
                    "tap subscription refused",
                    metadata: [
                        "party": "\(party ?? "")", "prefix": "\(String(decoding: message.bytes.dropFirst(), as: UTF8.self))",
                        "reason": "\(reason)",
                    ])
            case .ignore:
                break
            }
        } catch {
            logger.error("tap subscription could not be applied", metadata: ["party": "\(party ?? "")", "error": "\(error)"])
        }
    }

    /// Rebuilds the channels (between turns, so no batch is pending).
    private func subscriptionsChanged() {
        channels = []
        live = []
        routes = [:]
        for (observer, prefixes) in subscriptions.observers.sorted(by: { $0.key < $1.key }) {
            let first = channels.count
            channels += prefixes.sorted { $0.lexicographicallyPrecedes($1) }.map { Channel(observer: observer, prefix: $0) }
            live.append((observer: observer, channels: Array(first..<channels.count)))
        }
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

    /// Publishes the batch of channel `index` (if it holds anything): `[prefix + 0x00,
    /// TapBatch]`, or, when a subscriber's queue is full, drops it and counts its copies.
    func flush(_ index: Int) {
        let copies = UInt64(channels[index].batch.copies)
        guard copies > 0 else { return }
        let observer = channels[index].observer
        channels[index].batch.seal(dropped: counts.observers[observer]?.dropped ?? 0)
        defer { channels[index].batch.reset() }
        do {
            guard try socket.send(bytes: TapSubscriptions.channel(channels[index].prefix), more: true, dontWait: true) else {
                counts.observers[observer, default: TapStatistics.Observer()].dropped += copies
                warnDrops(observer)
                return
            }
            // Once the first frame is queued, libzmq takes the rest of the message.
            _ = try channels[index].batch.bytes.withUnsafeBytes { try socket.send(buffer: $0, dontWait: true) }
            counts.observers[observer, default: TapStatistics.Observer()].published += copies
        } catch {
            logger.error("tap send failed", metadata: ["party": "\(observer)", "error": "\(error)"])
        }
    }

    private func flushAll() {
        for index in channels.indices { flush(index) }
    }

    /// Logs drops for `observer`, at most every 5 seconds.
    func warnDrops(_ observer: String) {
        let now = ContinuousClock.now
        if let last = lastDropWarning[observer], now - last < .seconds(5) { return }
        lastDropWarning[observer] = now
        logger.warning(
            "tap subscriber too slow: copies dropped",
            metadata: ["party": "\(observer)", "dropped": "\(counts.observers[observer]?.dropped ?? 0)"])
    }
}
