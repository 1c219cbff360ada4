import Foundation
import HubThreads

/// A Debian program a report format runs (gnuplot for the charts, Chromium for the PDF),
/// found on `PATH`; missing, it is a ``ReportError`` `toolMissing` naming the package.
public struct ReportTool: Sendable {
    /// The program's name on `PATH`.
    public var name: String
    /// The Debian package that installs it.
    public var package: String

    /// gnuplot, for the charts (SVG).
    public static let gnuplot = ReportTool(name: "gnuplot", package: "gnuplot-nox")
    /// Chromium, headless, for the PDF.
    public static let chromium = ReportTool(name: "chromium", package: "chromium")

    /// The program's path.
    /// - Throws: ``ReportError`` `toolMissing`.
    public func locate() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw ReportError(.toolMissing, "\(name) is not installed (not on PATH): install Debian's \(package) (apt-get install \(package))")
    }

    /// Runs the program with `arguments` until it ends, at most `timeout`; its output (both
    /// streams) goes to `log`.
    /// - Throws: ``ReportError`` `toolMissing`, or `toolFailed` (non-zero exit, timeout) with
    ///   the end of its output.
    public func run(_ arguments: [String], log: URL, timeout: Duration = .seconds(120)) throws {
        let executable = try locate()
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        do {
            try ProcessLaunch.run(process)
        } catch {
            throw ReportError(.toolFailed, "\(name) could not be started: \(error)")
        }
        let seconds = Double(timeout.components.seconds)
        if ended.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            ended.wait()
            throw ReportError(.toolFailed, "\(name) did not end within \(Int(seconds)) s")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n").suffix(5).joined(separator: " | ")
            throw ReportError(.toolFailed, "\(name) failed (status \(process.terminationStatus)): \(tail)")
        }
    }
}
