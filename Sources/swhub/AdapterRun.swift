import HubClient
import Logging
import ServiceLifecycle

/// How `swhub adapter` runs an adapter, simulated or on files: its one service until SIGTERM
/// or SIGINT, or until the hub stops its client (its key revoked: the adapter returns, which
/// the group reports as a service that finished unexpectedly), which ends the command with
/// that failure (exit 78 with the reason) rather than the group's.
enum AdapterRun {
    /// Runs `service`; `failure` is the adapter's client's own failure, if any.
    static func run(_ service: some Service, failure: () -> HubClientError?, logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw failure() ?? error
        }
        if let failure = failure() { throw failure }
    }
}
