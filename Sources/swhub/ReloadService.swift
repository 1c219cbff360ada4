import Foundation
import HubConfigKit
import HubCore
import HubServer
import Logging
import Metrics
import ServiceLifecycle
import UnixSignals

/// Reloads the hub's configuration on SIGHUP (what `swhub reload` sends): the file is read
/// and checked by `HubConfig.load`, exactly as at start-up, then handed to the running hub
/// (`Hub.reload`). A file that does not load, or that changes a setting only a restart
/// applies, is refused and the configuration in force stays. Every outcome is logged, counted
/// (`swhub_config_reloads_total{result="ok|refused"}`) and written to the run directory's
/// `swhub.reload` for `swhub reload` to report; the pid file is written once SIGHUP is trapped.
struct ReloadService: Service {
    let hub: Hub
    let configPath: String
    let runDirectory: RunDirectory
    let logger: Logger

    private static let applied = Counter(label: "swhub_config_reloads_total", dimensions: [("result", "ok")])
    private static let refused = Counter(label: "swhub_config_reloads_total", dimensions: [("result", "refused")])

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        do {
            // A run directory that cannot be written costs `swhub reload`, never the hub: SIGHUP still reloads.
            try write(RunDirectory.Status(generation: 0, result: "ok", reason: nil, pid: getpid(), at: Self.now(), sessionsClosed: nil))
            try runDirectory.writePid()
            logger.info("reload on SIGHUP enabled", metadata: ["pid_file": "\(runDirectory.pidFile)"])
        } catch {
            logger.error(
                "cannot write the run directory: swhub reload will not find this hub (SIGHUP still reloads; give --run-dir a writable folder)",
                metadata: ["run_dir": "\(runDirectory.path)", "error": "\(error)"])
        }
        defer { runDirectory.removePid() }
        var generation: UInt64 = 0
        for await _ in signals.cancelOnGracefulShutdown() {
            generation += 1
            await reload(attempt: generation)
        }
    }

    /// One reload: load, apply, report.
    private func reload(attempt: UInt64) async {
        var status = RunDirectory.Status(generation: attempt, result: "ok", reason: nil, pid: getpid(), at: Self.now(), sessionsClosed: nil)
        do {
            let config = try HubConfig.load(path: configPath)
            let (_, effect) = try await hub.reload(config: config)
            status.sessionsClosed = effect.closedForKey + effect.closedForAudit
            Self.applied.increment()
            logger.info(
                "reload applied",
                metadata: [
                    "config": "\(configPath)", "reload": "\(attempt)", "sessions_closed": "\(effect.closedForKey + effect.closedForAudit)",
                ])
        } catch {
            status.result = "refused"
            status.reason = "\(error)"
            Self.refused.increment()
            logger.error(
                "reload refused; the configuration in force stays",
                metadata: ["config": "\(configPath)", "reload": "\(attempt)", "error": "\(error)"])
        }
        status.at = Self.now()
        do {
            try write(status)
        } catch {
            logger.error("cannot write the reload status", metadata: ["file": "\(runDirectory.statusFile)", "error": "\(error)"])
        }
    }

    private func write(_ status: RunDirectory.Status) throws { try runDirectory.write(status) }

    private static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
