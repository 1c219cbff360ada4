import Foundation
import HubConfigKit
import HubCore
import HubLifecycle
import HubStore
import HubThreads
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// A hub: the store's background work, the journal's writer (and, on a shared journal, its
/// head watcher) and reader threads, the backlog
/// counter, the ZAP handler, the monitoring tap and the router, each a ``ThreadLoopService``
/// on a thread of its own, in that (dependency) order.
///
/// `init` binds every socket. Run the parts either in the process's one `ServiceGroup`
/// (``services``: they stop in reverse order on graceful shutdown, the router draining first,
/// and a part that ends unexpectedly fails the group), or directly with ``start()`` and
/// ``stop()``.
///
/// Which thread owns which socket: the router thread (`swhub-router`) the CURVE ROUTER and
/// the wake-up PULL; the journal writer (`swhub-writer`) and the readers (`swhub-reader`,
/// `swhub-replay`) a wake-up PUSH each; `swhub-zap` the ZAP REP; the tap thread
/// (`swhub-tap`) the CURVE XPUB and `swhub-tap-zap` the tap context's ZAP REP. Each socket is
/// made and bound in `init` on the caller's thread and used only by its owner after that;
/// the endpoints are read at bind time. The store's checkpointer (`swhub-wal`) and the
/// backlog counter (`swhub-backlog`) own no socket.
public final class Hub: Sendable {
    private let context: ZMQContext
    let router: Router
    private let snapshots: SnapshotBox
    let tap: TapPublisher?
    let zap: ZAPHandler
    /// The configuration in force (the one the hub started with, then each reload's).
    let running: Mutex<HubConfig>
    /// The last reload's number (0: none yet).
    let reloadGeneration = Mutex<UInt64>(0)
    private let logger: Logger
    /// The parts, in start order.
    private let parts: [ThreadLoopService]
    private let stopped = Mutex(false)

    /// Prepares a hub and binds its sockets; nothing is served before ``start()`` or ``services`` run.
    /// - Parameters:
    ///   - config: the validated configuration.
    ///   - keyPair: the hub's CURVE key pair.
    ///   - store: the journal.
    ///   - personalData: the cipher that seals the personal fields ``HubConfig/personalData``
    ///     declares (the data-key vault), nil to journal bodies as they come.
    ///   - logger: where the hub logs.
    public init(
        config: HubConfig, keyPair: CurveKeyPair, store: any JournalStore, personalData: PersonalDataSeal.Cipher? = nil, logger: Logger
    ) throws {
        guard ZMQLibrary.has("curve") else {
            throw ConfigError(.invalidValue, "this libzmq was built without CURVE support")
        }
        self.logger = logger
        context = try ZMQContext(ioThreads: 1)
        running = Mutex(config)
        let keys = config.partiesByKey
        // ZAP must be bound before the CURVE server socket accepts anything.
        let zap = try ZAPHandler(context: context, parties: keys, logger: logger)
        self.zap = zap
        let policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        let monitoring = RouterMonitoring(config: config, store: store, logger: logger)
        snapshots = monitoring.box
        let observers = ObserverPolicy(config: config, redaction: policy)
        let seal = personalData.map { PersonalDataSeal(config: config, cipher: $0) }
        router = try Router(
            context: context, keyPair: keyPair, settings: config.settings, routing: RoutingTable(config: config),
            policy: policy, observers: observers,
            // Read-only (salvage): no flows, which would journal their own messages.
            flows: config.settings.readOnly
                ? nil : config.flows.map { _ in Self.flowEngine(config: config, policy: policy, store: store, seal: seal) },
            store: store, seal: seal, monitoring: monitoring, logger: logger)
        router.core.accept(keys: keys)
        if let tapConfig = config.tap {
            let tapKeys = try Self.loadKeyPair(path: tapConfig.keyFile)
            let publisher = try TapPublisher(
                config: tapConfig, keyPair: tapKeys, parties: keys, policy: observers,
                logger: logger)
            router.tap = publisher.mailbox
            monitoring.tap = TapMetrics(statistics: { publisher.statistics() })
            tap = publisher
        } else {
            tap = nil
        }
        // A node of a cluster: reports itself, and runs the flows while it holds their lease.
        var membership: [ThreadLoopService] = []
        if let cluster = store as? any ClusterCoordination {
            let box = snapshots
            let writer = router.writer
            membership.append(
                cluster.membership(
                    node: config.settings.nodeName, endpoint: router.endpoint, wantsFlows: router.core.flows != nil,
                    report: {
                        let snapshot = box.value.withLock { $0 }
                        return ClusterReport(
                            parties: snapshot.parties.filter(\.receiving).map(\.id), headSeq: snapshot.headSeq)
                    },
                    onLeadership: { leads in writer.noteLeadership(leads) }))
        }
        // 1 on a cluster node that takes the flows' lease when it is free: the alerting rules
        // look for a cluster with candidates and no leader.
        let candidate = store is any ClusterCoordination && router.core.flows != nil
        Gauge(label: "swhub_cluster_flow_candidate").record(candidate ? 1 : 0)
        // Each part uses only parts before it, so it stops after them.
        parts =
            store.services + [router.writer.service] + (router.writer.watcher.map { [$0] } ?? []) + membership
            + [router.reader.service, router.replayReader.service, monitoring.backlog.service, zap.service]
            + (tap?.services ?? []) + [router.service]
    }

    /// Loads the hub's key pair from its key file (`hub.key_file`).
    public static func loadKeyPair(path: String) throws -> CurveKeyPair {
        let file = try KeyFile.load(path: path)
        guard let secret = file.secretKey else {
            throw ConfigError(.badKey, "\(path) holds no secret_key: the hub needs its key pair file (NAME.key_secret)")
        }
        do {
            return try CurveKeyPair(publicKey: file.publicKey, secretKey: secret)
        } catch {
            throw ConfigError(.badKey, "\(path): \(CurveKeyPair.problem(publicKey: file.publicKey, secretKey: secret) ?? "\(error)")")
        }
    }

    /// The endpoint the router is bound to, with any wildcard port resolved (read when binding).
    public func boundEndpoint() throws -> String { router.endpoint }

    /// What the web monitor shows: parties, the last minute's traffic, the latest filings.
    /// Refreshed by the router thread about once a second; safe to call from any thread.
    public func snapshot() -> HubSnapshot {
        snapshots.value.withLock { $0 }
    }

    /// The endpoint the monitoring tap is bound to (read when binding), or nil when the config has no tap.
    public func tapEndpoint() throws -> String? { tap?.endpoint }

    /// The monitoring tap's figures so far (per observing party: copies published, copies
    /// dropped, subscriptions), or nil when the config has no tap.
    public func tapStatistics() -> TapStatistics? { tap?.statistics() }

    /// The hub's parts as services, in dependency order, each ending the group when it ends
    /// (gracefully: the others stop in reverse order). Put them in the process's one
    /// `ServiceGroup`, before any service that reads from the hub (the web monitor), so that
    /// those stop first. Graceful shutdown drains: the router refuses new submissions,
    /// commits and answers those in flight, and only then the journal writer stops. A part
    /// that ends unexpectedly throws ``LifecycleError`` and the group's `run()` throws.
    /// They share their loops with ``start()`` and ``stop()``, so calling those too is harmless.
    public var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        parts.map {
            .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
        }
    }

    /// Starts serving, each part on its thread; returns at once. A second call, or a call
    /// after ``stop()``, does nothing.
    public func start() {
        for part in parts { part.start() }
    }

    /// Stops gracefully: refuses new submissions, commits and answers those in flight, saves
    /// acknowledgement positions, closes. Returns when every part has stopped (at once for
    /// parts never started). Blocks: call it off the concurrency pool. Idempotent.
    public func stop() {
        for part in parts.reversed() {
            let ending = part.stop()
            if ending.isUnexpected {
                logger.error("hub part had ended unexpectedly", metadata: ["part": "\(part)", "ending": "\(ending)"])
            }
        }
        context.shutdown()
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first { logger.info("hub stopped") }
    }
}
