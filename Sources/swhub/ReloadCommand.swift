import ArgumentParser
import Foundation
import HubConfigKit
import HubCore

/// `swhub reload`: checks a hub config file as `swhub serve` would load it, then asks the
/// running hub (its pid in the run directory's `swhub.pid`) to reload it with SIGHUP, and
/// waits for the hub's answer in `swhub.reload`: exit 0 once applied, 78 when the file is
/// invalid or the hub refused it (the configuration in force stays), 4 when no hub answered.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make a running hub reload its config file (parties, keys, policy) without a restart.",
        discussion: """
            The file is checked first, with the same errors as `swhub config check`. The hub then reloads the \
            file it was started with: give the same --config (and --run-dir, if `swhub serve` had one).
            """)

    @Option(help: "The hub's config file, as given to `swhub serve`.")
    var config: String

    @Option(help: "The run directory `swhub serve` was given (default: the journal's folder; PostgreSQL: the config's).")
    var runDir: String?

    @Option(help: "How long to wait for the hub's answer, seconds.")
    var timeout: Double = 20

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds above 0") }
    }

    /// Whether process `pid` runs `swhub serve`: its executable's name and its arguments, as
    /// `/proc/<pid>/cmdline` gives them.
    static func isHub(_ pid: Int32) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let program = arguments.first else { return false }
        return URL(fileURLWithPath: program).lastPathComponent.hasPrefix("swhub") && arguments.dropFirst().contains("serve")
    }

    func run() async throws {
        let hubConfig = try HubConfig.load(path: config)
        let run = RunDirectory(explicit: runDir, configPath: config, config: hubConfig)
        guard let pid = run.readPid() else {
            guard !FileManager.default.fileExists(atPath: run.pidFile) else {
                throw CommandFailure(.retryLater, "no running hub: \(run.pidFile) does not hold a process id (damaged, or not a hub's)")
            }
            throw CommandFailure(
                .retryLater, "no running hub: \(run.pidFile) is missing (is `swhub serve` running with this config and run directory?)")
        }
        guard kill(pid, 0) == 0 else {
            throw CommandFailure(.retryLater, "no running hub: \(run.pidFile) names process \(pid), which is gone")
        }
        // A pid file a crashed hub left can name a process that reused its pid: signal only
        // a `swhub serve`.
        guard Self.isHub(pid) else {
            throw CommandFailure(
                .retryLater,
                "no running hub: \(run.pidFile) names process \(pid), which is not `swhub serve` (a pid file left by a hub that did not stop cleanly)"
            )
        }
        // The hub numbers its reloads from 0 (started) on; the answer is the next number.
        let before = run.readStatus().flatMap { $0.pid == pid ? $0.generation : nil } ?? 0
        guard kill(pid, SIGHUP) == 0 else {
            throw CommandFailure(.failed, "cannot signal the hub (process \(pid)): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = run.readStatus(), status.pid == pid, status.generation > before {
                if status.result == "ok" {
                    Output.line(
                        "reloaded \(config) (reload \(status.generation) of hub process \(pid); \(status.sessionsClosed ?? 0) session(s) closed for a removed party or revoked key)"
                    )
                    return
                }
                throw CommandFailure(
                    .configuration, "the hub refused the reload and keeps its configuration: \(status.reason ?? "no reason given")")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandFailure(.retryLater, "hub process \(pid) did not answer the reload within \(timeout) s (see its log)")
    }
}
