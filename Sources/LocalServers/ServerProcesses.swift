import Foundation
import HubThreads

/// What a program run to its end printed, and how it ended.
struct CommandResult: Sendable {
    var status: Int32
    var output: String
    var errors: String
}

/// Starting, running and killing the programs of the PostgreSQL harness (servers as the
/// ``ServerAccount``, tools as the tests' user), free loopback ports, and waits on
/// conditions with deadlines.
enum ServerProcesses {
    /// Runs a program to its end, its output and errors going to temporary files (no pipe
    /// to fill), and waits for it at most `timeout`: past that it is killed and this throws.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], as account: ServerAccount? = nil,
        timeout: Duration = .seconds(120)
    ) throws -> CommandResult {
        let (path, args) = account?.wrap(executable, arguments) ?? (executable, arguments)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-cmd-\(UUID().uuidString)")
        let outPath = scratch.path + ".out"
        let errPath = scratch.path + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw PostgresHarnessError(.commandFailed, "cannot create output files for \(executable)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try ProcessLaunch.run(process)
        try? out.close()
        try? err.close()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if done.wait(timeout: .now() + seconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            done.wait()
            let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw PostgresHarnessError(
                .timeout, "\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)", logTail: errors)
        }
        return CommandResult(
            status: process.terminationStatus,
            output: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Runs a program and throws ``PostgresHarnessError/Code/commandFailed`` (with its
    /// standard error) unless it exits with status 0; returns its standard output.
    @discardableResult
    static func check(
        _ executable: String, _ arguments: [String], environment: [String: String], as account: ServerAccount? = nil,
        timeout: Duration = .seconds(120)
    ) throws -> String {
        let result = try run(executable, arguments, environment: environment, as: account, timeout: timeout)
        guard result.status == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw PostgresHarnessError(
                .commandFailed, "\(name) exited with status \(result.status)", logTail: (result.errors + result.output).trimmed)
        }
        return result.output
    }

    /// Starts a long-running program (a server) as `account`, its output and errors appended
    /// to `logPath`. The process returned is the server itself (`setpriv` execs).
    static func launch(
        _ executable: String, _ arguments: [String], environment: [String: String], as account: ServerAccount?, logPath: String
    ) throws -> Process {
        let (path, args) = account?.wrap(executable, arguments) ?? (executable, arguments)
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw PostgresHarnessError(.startFailed, "cannot open the log \(logPath)")
        }
        defer { try? log.close() }
        _ = try? log.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try runUnmasked(process)
        return process
    }

    /// Starts `process` from a thread of its own with no signal blocked. A child inherits
    /// the mask of the thread that spawns it, and Dispatch and Swift-concurrency threads
    /// block signals: Patroni started from one never saw SIGTERM.
    private static func runUnmasked(_ process: Process) throws {
        final class Outcome: @unchecked Sendable { var error: (any Error)? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            do { try ProcessLaunch.run(process) } catch { outcome.error = error }
            done.signal()
        }.start()
        done.wait()
        if let error = outcome.error { throw error }
    }

    /// The processes whose parent is `pid` (a postmaster's backends and helpers).
    static func children(of pid: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let child = pid_t(entry), let stat = self.stat(child), stat.parent == pid else { return nil }
            return child
        }
    }

    /// True when `pid` no longer runs: no such process, or a zombie (an orphan whose
    /// reaper does not reap counts as gone: it holds no port, file or memory).
    static func isGone(_ pid: pid_t) -> Bool {
        guard let stat = stat(pid) else { return true }
        return stat.state == "Z" || stat.state == "X"
    }

    /// SIGKILLs `pids` in the order given.
    static func killAll(_ pids: [pid_t]) {
        for pid in pids where pid > 1 { kill(pid, SIGKILL) }
    }

    /// Waits until every one of `pids` is gone.
    static func waitGone(_ pids: [pid_t], within limit: Duration, _ what: String) async throws {
        try await pollUntil(limit, "\(what): processes \(pids.filter { !isGone($0) }) still run") {
            pids.allSatisfy(isGone)
        }
    }

    /// The first line of a postmaster.pid file: the postmaster's pid.
    static func postmasterPid(dataDirectory: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let line = text.split(separator: "\n").first
        else { return nil }
        return pid_t(line.trimmingCharacters(in: .whitespaces))
    }

    /// A process's state letter and parent, from /proc/<pid>/stat.
    private static func stat(_ pid: pid_t) -> (state: Character, parent: pid_t)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count >= 2, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        return (state, parent)
    }

    /// Polls `condition` every few milliseconds until it holds; throws a
    /// ``PostgresHarnessError/Code/timeout`` with `what()` (evaluated then) after `limit`.
    static func pollUntil(
        _ limit: Duration, _ what: @autoclosure () -> String, logTail: @autoclosure () -> String = "",
        _ condition: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while try !condition() {
            if ContinuousClock.now >= deadline {
                throw PostgresHarnessError(.timeout, "\(what()) (waited \(limit))", logTail: logTail())
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs blocking work (a program run to its end) on a thread of its own, never on the
    /// small cooperative pool of a 2-core test host.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// The last `lines` lines of a text file ("" when it cannot be read).
    static func tail(_ path: String, lines: Int) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n").trimmed
    }

    /// Loopback ports for the servers of this process: 10000...19999, below Linux's
    /// ephemeral range and apart from the ports `TestHub` hands out.
    private static let ports = LoopbackPorts(10_000...19_999)

    /// A loopback TCP port nothing listens on (``LoopbackPorts``): two servers of one
    /// process never get the same port.
    static func freePort() throws -> Int {
        guard let port = ports.take() else {
            throw PostgresHarnessError(.noFreePort, "no free loopback port in 10000...19999")
        }
        return port
    }
}

extension String {
    /// Without leading and trailing whitespace and newlines.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
