import Foundation
import HubCore
import HubThreads
import LocalServers
import ZeroMQ

/// A child process of `swhub bench` (the hub, the zmq_proxy baseline, a peer's server),
/// with the measurements taken from outside: peak RSS from /proc.
final class BenchProcess {
    let process: Process

    /// Runs `executable` (by default this same executable) with `arguments`, output to
    /// `log` (after what it holds already with `append`, e.g. a node restarted).
    init(executable: URL? = nil, arguments: [String], log: URL, append: Bool = false) throws {
        process = Process()
        process.executableURL = executable ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        if !append || !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        if append { try handle.seekToEnd() }
        process.standardOutput = handle
        process.standardError = handle
        try ProcessLaunch.run(process)
    }

    /// Waits until `port` on loopback accepts connections.
    func waitForPort(_ port: Int) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if LoopbackPorts.canConnect(port) { return }
            guard process.isRunning else { throw BenchError("child process exited early (status \(process.terminationStatus))") }
            usleep(20_000)
        }
        throw BenchError("child process did not listen on port \(port)")
    }

    /// Peak resident set size so far, MiB (VmHWM).
    var peakRSSMegabytes: Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kb / 1024
    }

    /// CPU time used so far (user + system, every thread), seconds, from /proc.
    var cpuSeconds: Double? { Self.cpuSeconds(pid: process.processIdentifier) }

    /// CPU time (user + system) so far of each thread, seconds, summed by thread name
    /// (`/proc/PID/task/TID/stat`); a thread that has ended is no longer counted.
    var threadCPUSeconds: [String: Double] {
        let tasks = "/proc/\(process.processIdentifier)/task"
        var seconds: [String: Double] = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? [] {
            guard let (name, cpu) = Self.statCPU(path: "\(tasks)/\(task)/stat") else { continue }
            seconds[name, default: 0] += cpu
        }
        return seconds
    }

    /// The CPU each thread name spent since `before` (a `threadCPUSeconds` reading), per
    /// one of `count` items, µs; names under 0.05 µs are left out.
    func threadMicros(since before: [String: Double], per count: Int) -> [String: Double] {
        var split: [String: Double] = [:]
        for (name, seconds) in threadCPUSeconds {
            let micros = (seconds - (before[name] ?? 0)) / Double(max(count, 1)) * 1e6
            if micros >= 0.05 { split[name] = micros }
        }
        return split
    }

    /// CPU time (user + system) of process `pid` so far, seconds.
    static func cpuSeconds(pid: Int32) -> Double? {
        statCPU(path: "/proc/\(pid)/stat")?.seconds
    }

    /// The command name and CPU time (user + system, seconds) in a `stat` file of /proc:
    /// fields 14 and 15, counted after the command name (which may hold spaces).
    private static func statCPU(path: String) -> (name: String, seconds: Double)? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
            let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (String(stat[stat.index(after: open)..<close]), (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// SIGTERM and wait.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        // A child that does not end on SIGTERM (seen with simulated department adapters)
        // must not hang the bench: SIGKILL after 10 s.
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            Output.error(
                "swhub bench: \(process.executableURL?.lastPathComponent ?? "a child") \(process.arguments?.first ?? "") ignored SIGTERM; killed"
            )
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// SIGKILL (the loss of the machine: nothing is flushed, its connections are reset) and
    /// wait until it is gone.
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The bench's ports: 32000–32767, below the kernel's ephemeral ports (so no outgoing
    /// connection takes one before its server binds it), reserved against the other
    /// `swhub bench` runs of this machine (the tests start several at once) by a lock per
    /// port in `/tmp/swhub-port-locks` (``LoopbackPorts``; one place for every run, whatever
    /// its `TMPDIR`). Before the reservation, runs side by side picked the same ports from
    /// this range; letting the kernel pick instead risked an outgoing connection taking the
    /// port first.
    private static let ports = LoopbackPorts(32_000...32_767, lockDirectory: "/tmp/swhub-port-locks")

    /// A loopback TCP port for a child server to bind, never the same twice in one run nor
    /// one another bench run holds.
    static func freePort() throws -> Int {
        guard let port = ports.take() else { throw BenchError("no free loopback port in 32000...32767") }
        return port
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
