import Foundation
import HubConfigKit
import HubCore

/// Where a running hub leaves what `swhub reload` needs: `swhub.pid` (its process id, while
/// it runs and listens for SIGHUP) and `swhub.reload` (one JSON line about the last reload:
/// its number, `ok` or `refused`, the reason, what it did to the sessions). By default the
/// journal's folder (SQLite), else the config file's; `--run-dir` on both `swhub serve` and
/// `swhub reload` names another.
struct RunDirectory: Sendable {
    let path: String

    /// The run directory for `config` (loaded from `configPath`), or `explicit`.
    init(explicit: String?, configPath: String, config: HubConfig?) {
        if let explicit {
            path = explicit
        } else if let journal = config?.settings.journal, !journal.isEmpty, config?.postgres == nil {
            path = URL(fileURLWithPath: journal).deletingLastPathComponent().path
        } else {
            path = ConfigPath.directory(of: configPath)
        }
    }

    var pidFile: String { "\(path)/swhub.pid" }
    var statusFile: String { "\(path)/swhub.reload" }

    /// The last reload's outcome, as the hub wrote it.
    struct Status: Codable, Sendable, Equatable {
        /// The reload's number in this run of the hub (0: the hub started, no reload yet).
        var generation: UInt64
        /// `ok` (applied) or `refused` (the old configuration stays in force).
        var result: String
        /// The error, when refused.
        var reason: String?
        /// The hub's process id.
        var pid: Int32
        /// When, ISO 8601.
        var at: String
        /// Receiving and replay sessions closed because their key or party is gone.
        var sessionsClosed: Int?

        enum CodingKeys: String, CodingKey {
            case generation, result, reason, pid, at
            case sessionsClosed = "sessions_closed"
        }
    }

    /// Refuses (exit 78) a run directory whose pid file names another running `swhub serve`:
    /// two hubs sharing it (two journals in one folder) overwrote each other's pid file, and
    /// `swhub reload` signalled the wrong one.
    func refuseIfTaken() throws {
        guard let other = readPid(), other != getpid(), kill(other, 0) == 0, ReloadCommand.isHub(other) else { return }
        throw CommandFailure(
            .configuration,
            "another hub, process \(other), runs from the run directory \(path) (\(pidFile)): give this hub --run-dir a folder of its own")
    }

    /// Writes the pid file (the hub listens for SIGHUP from now on).
    func writePid() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
    }

    /// Removes the pid file if it is this process's.
    func removePid() {
        guard readPid() == getpid() else { return }
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    /// The pid the file names, if any.
    func readPid() -> Int32? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Writes the status (atomically: a reader sees the old one or the new one).
    func write(_ status: Status) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try (String(decoding: try encoder.encode(status), as: UTF8.self) + "\n").write(
            toFile: statusFile, atomically: true, encoding: .utf8)
    }

    /// The last status written, if any.
    func readStatus() -> Status? {
        guard let data = FileManager.default.contents(atPath: statusFile) else { return nil }
        return try? JSONDecoder().decode(Status.self, from: data)
    }
}
