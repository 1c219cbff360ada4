internal import Foundation
internal import HubThreads

/// Runs a master key command: no shell, standard input empty, standard output read (at most
/// 64 KiB), a bounded time, exit status 0 required. What it prints is never put in an error.
struct MasterKeyCommand {
    var argv: [String]
    var timeout: Double

    /// The command's standard output.
    func run() throws(CryptoError) -> String {
        guard let name = argv.first, !name.isEmpty else {
            throw CryptoError(.masterKeyUnavailable, "the master key command is empty")
        }
        guard let executable = Self.locate(name) else {
            throw CryptoError(.masterKeyUnavailable, "master key command \(name) is not an executable file (nor found on PATH)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        let output = ProcessLaunch.pipe()
        let errors = ProcessLaunch.pipe()
        process.standardOutput = output
        process.standardError = errors
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        let stdout = PipeReader(output.fileHandleForReading, limit: 65_536)
        let stderr = PipeReader(errors.fileHandleForReading, limit: 4096)
        do {
            try ProcessLaunch.run(process)
        } catch {
            throw CryptoError(.masterKeyUnavailable, "master key command \(name) could not be started: \(error.localizedDescription)")
        }
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            throw CryptoError(.masterKeyUnavailable, "master key command \(name) did not finish within \(timeout) s (killed)")
        }
        // A child of the command that kept the pipes open must not hold the hub up.
        let text = stdout.result(waitingUpTo: 5)
        let problem = stderr.result(waitingUpTo: 1).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let lastLine =
            problem.split(whereSeparator: \.isNewline).last.map { String($0.prefix(200)) }.map { ": \($0)" } ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how =
                process.terminationReason == .exit
                ? "exited with status \(process.terminationStatus)" : "was ended by signal \(process.terminationStatus)"
            throw CryptoError(.masterKeyUnavailable, "master key command \(name) \(how)\(lastLine)")
        }
        guard let text else {
            throw CryptoError(.masterKeyUnavailable, "master key command \(name): its standard output was over 64 KiB or not closed")
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `name` if it holds a `/`, else the first executable `name` in `PATH`.
    static func locate(_ name: String) -> String? {
        let files = FileManager.default
        if name.contains("/") { return files.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { files.isExecutableFile(atPath: $0) }
    }
}

/// Reads a pipe to its end on a thread of its own, keeping at most `limit` bytes.
private final class PipeReader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written by the reading thread before `done` is signalled, read after.
    private var bytes = Data()
    private var overflow = false

    init(_ handle: FileHandle, limit: Int) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                if bytes.count + chunk.count > limit { overflow = true } else { bytes.append(chunk) }
            }
            try? handle.close()
            done.signal()
        }.start()
    }

    /// What was read, nil when the pipe was not closed in time or held more than the limit.
    func result(waitingUpTo seconds: Double) -> Data? {
        guard done.wait(timeout: .now() + seconds) == .success, !overflow else { return nil }
        return bytes
    }
}
