import Foundation
import HubConfigKit
import HubCore
import HubStore
import Logging
import ZeroMQ

/// A running hub: the ZAP handler, the router, and the journal's writer and reader threads
/// over one store. `start()` binds and returns; `stop()` drains gracefully.
public final class Hub: Sendable {
    private let context: ZMQContext
    private let zap: ZAPHandler
    private let router: Router
    private let snapshots: SnapshotBox
    private let tap: TapPublisher?
    private let logger: Logger

    /// Prepares a hub; nothing listens before `start()`.
    /// - Parameters:
    ///   - config: the validated configuration.
    ///   - keyPair: the hub's CURVE key pair.
    ///   - store: the journal.
    ///   - logger: where the hub logs.
    public init(config: HubConfig, keyPair: CurveKeyPair, store: any JournalStore, logger: Logger) throws {
        guard ZMQLibrary.has("curve") else {
            throw ConfigError(.invalidValue, "this libzmq was built without CURVE support")
        }
        self.logger = logger
        context = try ZMQContext(ioThreads: 1)
        var keys: [String: String] = [:]
        for party in config.parties { keys[party.publicKey] = party.id }
        // ZAP must be bound before the CURVE server socket accepts anything.
        zap = try ZAPHandler(context: context, parties: keys, logger: logger)
        let policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        let monitoring = RouterMonitoring(config: config, store: store, logger: logger)
        snapshots = monitoring.box
        let observers = ObserverPolicy(config: config, redaction: policy)
        router = try Router(
            context: context, keyPair: keyPair, settings: config.settings, routing: RoutingTable(config: config),
            policy: policy, observers: observers, flows: config.flows.map { _ in FlowEngine(config: config, policy: policy) },
            store: store, monitoring: monitoring, logger: logger)
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
            throw ConfigError(.badKey, "\(path): \(error)")
        }
    }

    /// The endpoint the router is bound to, with any wildcard port resolved.
    public func boundEndpoint() throws -> String { try router.boundEndpoint() }

    /// What the web monitor shows: parties, the last minute's traffic, the latest filings.
    /// Refreshed by the router thread about once a second; safe to call from any thread.
    public func snapshot() -> HubSnapshot {
        snapshots.value.withLock { $0 }
    }

    /// The endpoint the monitoring tap is bound to, or nil when the config has no tap.
    public func tapEndpoint() throws -> String? { try tap?.boundEndpoint() }

    /// The monitoring tap's figures so far (per observing party: copies published, copies
    /// dropped, subscriptions), or nil when the config has no tap.
    public func tapStatistics() -> TapStatistics? { tap?.statistics() }

    /// Starts serving.
    public func start() {
        zap.start()
        tap?.start()
        router.start()
    }

    /// Stops gracefully: refuses new submissions, commits and answers those in flight, saves
    /// acknowledgement positions, closes. Returns when everything has stopped.
    public func stop() {
        router.stop()
        tap?.stop()
        zap.stop()
        context.shutdown()
        logger.info("hub stopped")
    }
}
