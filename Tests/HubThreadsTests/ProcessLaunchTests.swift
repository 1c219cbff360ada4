import Foundation
import HubThreads
import Synchronization
import Testing

/// `ProcessLaunch`: a child started while other threads start children and make pipes holds
/// none of their sockets or pipes; and every process of the project is started through it.
@Suite("ProcessLaunch", .serialized, .timeLimit(.minutes(2)))
struct ProcessLaunchTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The sockets and pipes process `pid` holds, by their `/proc/PID/fd` link.
    static func socketsAndPipes(of pid: Int32) -> [String] {
        let folder = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return entries.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\($0)") }
            .filter { $0.hasPrefix("socket:") || $0.hasPrefix("pipe:") }
    }

    /// Two threads start `/bin/true` with a pipe for its output, over and over; meanwhile 100
    /// `sleep`s are started, each holding its standard streams (/dev/null) and the one socket
    /// through which Foundation learns of its exit, and nothing else. About a thousand
    /// descriptors are open, as in the integration tests, which widens the window between
    /// Foundation's list of descriptors to close and its spawn: without the lock one start
    /// in a hundred or so inherits another child's socket or pipe.
    @Test func aChildHoldsNoOtherChildsSocketOrPipe() throws {
        let held = (0..<1000).map { _ in open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { for fd in held where fd >= 0 { close(fd) } }
        let stop = Atomic(false)
        let spinners = (0..<2).map { _ in
            Thread {
                while !stop.load(ordering: .relaxed) {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/true")
                    let pipe = ProcessLaunch.pipe()
                    process.standardOutput = pipe
                    process.standardError = FileHandle.nullDevice
                    guard (try? ProcessLaunch.run(process)) != nil else { continue }
                    _ = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                }
            }
        }
        for spinner in spinners { spinner.start() }
        defer { stop.store(true, ordering: .relaxed) }
        var strays: [String] = []
        for _ in 0..<100 {
            let sleeper = Process()
            sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
            sleeper.arguments = ["10"]
            sleeper.standardInput = FileHandle.nullDevice
            sleeper.standardOutput = FileHandle.nullDevice
            sleeper.standardError = FileHandle.nullDevice
            try ProcessLaunch.run(sleeper)
            let holds = Self.socketsAndPipes(of: sleeper.processIdentifier)
            if holds.count != 1 { strays.append("sleep \(sleeper.processIdentifier) holds \(holds)") }
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        #expect(strays.isEmpty, "\(strays)")
    }

    /// No `Process` of the project is started with its own `run()`, and no `Pipe` is made
    /// outside `ProcessLaunch`: one such start, from a thread beside the others, and the race
    /// this lock closes is open again.
    @Test func everyProcessOfTheProjectStartsThroughIt() throws {
        let pipe = "Pipe" + "()"
        let madePipe = try Regex(#"(^|[^\w.])Pipe\(\)"#)
        var offences: [String] = []
        for folder in ["Sources", "Tests", "Examples"] {
            let base = Self.root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in walker {
                if file.path.contains("/.build/") { walker.skipDescendants() }
                guard file.pathExtension == "swift", file.lastPathComponent != "ProcessLaunch.swift" else { continue }
                let text = try String(contentsOf: file, encoding: .utf8)
                let name = file.path.dropFirst(Self.root.path.count + 1)
                if text.contains(madePipe) { offences.append("\(name): \(pipe) outside ProcessLaunch.pipe()") }
                let processes = text.matches(of: #/(?:let|var)\s+(\w+)\s*(?::\s*Process\s*)?=\s*Process\(\)/#).map { String($0.output.1) }
                for process in processes where text.contains("\(process).run()") {
                    offences.append("\(name): \(process).run() instead of ProcessLaunch.run(\(process))")
                }
            }
        }
        #expect(offences.isEmpty, "\(offences.joined(separator: "\n"))")
    }
}
