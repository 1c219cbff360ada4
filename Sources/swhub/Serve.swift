import ArgumentParser
import HubCore
import HubMonitor
import HubServer
import HubStore
import Logging
import ServiceLifecycle

/// `swhub serve`: runs the hub until SIGTERM or SIGINT, then drains gracefully. The hub's
/// parts and the web monitor are services of one `ServiceGroup`, in dependency order, so
/// shutdown runs in reverse: the monitor stops, the router drains, then the journal writer
/// and the rest stop. A part that ends unexpectedly shuts the others down the same way and
/// the command fails (exit status non-zero), so that systemd restarts the hub.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the hub with a config file.")

    @Option(help: "The hub's config file (see Deploy/hub.yaml).")
    var config: String

    @OptionGroup var log: LogOptions

    func run() async throws {
        MallocTuning.apply()
        let logger = log.bootstrap(label: "swhub")
        let registry = MetricsBootstrap.registry  // before the hub creates its metric handles
        let hubConfig = try HubConfig.load(path: config)
        // Every value checked before anything is opened: keys, token, journal folder, free endpoints.
        try HubPreflight(config: hubConfig).run()
        let keyPair = try Hub.loadKeyPair(path: hubConfig.settings.keyFile)
        let store = try SQLiteJournalStore(path: hubConfig.settings.journal, logger: logger)
        let hub = try Hub(config: hubConfig, keyPair: keyPair, store: store, logger: logger)
        logger.info(
            "starting hub",
            metadata: [
                "endpoint": "\(hubConfig.settings.endpoint)", "journal": "\(hubConfig.settings.journal)",
                "parties": "\(hubConfig.parties.count)", "types": "\(hubConfig.types.count)",
            ])
        // Shut down in reverse order: the monitor first, then the hub drains.
        var services = hub.services
        if let monitor = hubConfig.monitor {
            let inspector = try JournalInspector(path: hubConfig.settings.journal)
            let sources = MonitorService.Sources(
                snapshot: { hub.snapshot() }, metrics: registry,
                trace: { id in
                    do {
                        return try inspector.trace(id)
                    } catch let error as StoreError where error.code == .notFound {
                        return nil
                    }
                })
            let token = try monitor.tokenFile.map { try MonitorService.loadToken(path: $0) }
            services.append(
                .init(
                    service: MonitorService(host: monitor.host, port: monitor.port, sources: sources, token: token, logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
            logger.info("monitor enabled", metadata: ["url": "http://\(monitor.host):\(monitor.port)/"])
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("hub stopped: a part ended unexpectedly", metadata: ["error": "\(error)"])
            throw error
        }
        logger.info("hub stopped")
    }
}
