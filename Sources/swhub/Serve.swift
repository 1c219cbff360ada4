import ArgumentParser
import HubCore
import HubServer
import HubStore
import Logging
import ServiceLifecycle

/// `swhub serve`: runs the hub until SIGTERM or SIGINT, then drains gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the hub with a config file.")

    @Option(help: "The hub's config file (see Deploy/hub.yaml).")
    var config: String

    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = log.bootstrap(label: "swhub")
        let hubConfig = try HubConfig.load(path: config)
        let keyPair = try Hub.loadKeyPair(path: hubConfig.settings.keyFile)
        let store = try SQLiteJournalStore(path: hubConfig.settings.journal, logger: logger)
        let hub = try Hub(config: hubConfig, keyPair: keyPair, store: store, logger: logger)
        logger.info(
            "starting hub",
            metadata: [
                "endpoint": "\(hubConfig.settings.endpoint)", "journal": "\(hubConfig.settings.journal)",
                "parties": "\(hubConfig.parties.count)", "types": "\(hubConfig.types.count)",
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: HubService(hub: hub))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
