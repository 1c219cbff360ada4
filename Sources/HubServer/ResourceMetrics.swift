import Foundation
import Metrics
import Synchronization

/// The process's resources and the SQLite journal's files as metrics, read when `/metrics`
/// is scraped (``update()``), the way Prometheus client libraries' process collectors do:
/// `process_cpu_seconds_total`, `process_resident_memory_bytes`,
/// `process_virtual_memory_bytes`, `process_open_fds`, `process_max_fds`,
/// `process_start_time_seconds` from `/proc/self` (Linux; elsewhere they stay absent), and,
/// for a SQLite journal, `swhub_journal_size_bytes{file}` (the database, its `-wal` and its
/// head record) and the free and total bytes of the file system holding it (`statvfs`).
/// A read that fails leaves the last value.
public final class ResourceMetrics: Sendable {
    private struct State {
        var cpuSeconds: Double = 0
    }

    private let journalPath: String?
    private let state = Mutex(State())
    private let cpu = FloatingPointCounter(label: "process_cpu_seconds_total")
    private let resident = Gauge(label: "process_resident_memory_bytes")
    private let virtual = Gauge(label: "process_virtual_memory_bytes")
    private let openFds = Gauge(label: "process_open_fds")
    private let maxFds = Gauge(label: "process_max_fds")
    private let startTime = Gauge(label: "process_start_time_seconds")
    private let journalFiles: [(suffix: String, gauge: Gauge)]
    private let filesystemAvail: Gauge?
    private let filesystemSize: Gauge?

    /// - Parameter journalPath: the SQLite journal's file, nil for a PostgreSQL store (whose
    ///   size and disk are the database server's to report).
    public init(journalPath: String?) {
        self.journalPath = journalPath
        if journalPath != nil {
            journalFiles = [("", "journal"), ("-wal", "wal"), ("-head", "head")].map { suffix, file in
                (suffix, Gauge(label: "swhub_journal_size_bytes", dimensions: [("file", file)]))
            }
            filesystemAvail = Gauge(label: "swhub_journal_filesystem_avail_bytes")
            filesystemSize = Gauge(label: "swhub_journal_filesystem_size_bytes")
        } else {
            journalFiles = []
            filesystemAvail = nil
            filesystemSize = nil
        }
        if let started = Self.startTime() { startTime.record(started) }
        update()
    }

    /// Reads everything again and sets the metrics.
    public func update() {
        if let stat = Self.selfStat() {
            state.withLock { state in
                if stat.cpuSeconds > state.cpuSeconds {
                    cpu.increment(by: stat.cpuSeconds - state.cpuSeconds)
                    state.cpuSeconds = stat.cpuSeconds
                }
            }
            virtual.record(stat.virtualBytes)
            resident.record(stat.residentPages * Double(Self.pageSize))
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFds.record(fds.count)
        }
        if let limit = Self.openFilesLimit() { maxFds.record(limit) }
        guard let journalPath else { return }
        for (suffix, gauge) in journalFiles {
            var info = stat()
            gauge.record(stat(journalPath + suffix, &info) == 0 ? Double(info.st_size) : 0)
        }
        var filesystem = statvfs()
        let directory = (journalPath as NSString).deletingLastPathComponent
        if statvfs(directory.isEmpty ? "." : directory, &filesystem) == 0 {
            filesystemAvail?.record(Double(filesystem.f_bavail) * Double(filesystem.f_frsize))
            filesystemSize?.record(Double(filesystem.f_blocks) * Double(filesystem.f_frsize))
        }
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// `/proc/self/stat`: CPU seconds (utime + stime), virtual size, resident pages.
    private static func selfStat() -> (cpuSeconds: Double, virtualBytes: Double, residentPages: Double)? {
        guard let fields = statFields() else { return nil }
        // After "(comm)": field 3 (state) is index 0; utime 14, stime 15, vsize 23, rss 24.
        guard fields.count > 21, let utime = Double(fields[11]), let stime = Double(fields[12]),
            let vsize = Double(fields[20]), let rss = Double(fields[21]), ticksPerSecond > 0
        else { return nil }
        return ((utime + stime) / ticksPerSecond, vsize, rss)
    }

    /// The process's start time since the epoch: its start in clock ticks after boot
    /// (`/proc/self/stat` field 22) plus the boot time (`btime` of `/proc/stat`).
    private static func startTime() -> Double? {
        guard let fields = statFields(), fields.count > 19, let ticks = Double(fields[19]), ticksPerSecond > 0,
            let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        else { return nil }
        return boot + ticks / ticksPerSecond
    }

    /// The soft limit of open files, from `/proc/self/limits` ("Max open files  SOFT  HARD  files").
    private static func openFilesLimit() -> Double? {
        guard let limits = try? String(contentsOfFile: "/proc/self/limits", encoding: .utf8),
            let line = limits.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
        else { return nil }
        let words = line.split(separator: " ")
        return words.count > 3 ? Double(words[3]) : nil
    }

    /// The fields of `/proc/self/stat` after the command name (which may hold spaces and
    /// parentheses, so the split starts after its last `)`).
    private static func statFields() -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }
}
