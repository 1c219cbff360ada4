import Foundation
import HubThreads

/// Runs a program to its end and returns its exit status, its standard output and the end of
/// its standard error (the last 4 KiB, for a failing test to show): `swhub` subcommands,
/// headless Chromium's `--dump-dom`; `environment` is added to this process's.
func programOutput(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, output: String, errors: String
) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let pipe = ProcessLaunch.pipe()
    process.standardOutput = pipe
    // A file, not a pipe: nobody reads it while the program runs.
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let errors = try FileHandle(forWritingTo: errorFile)
    process.standardError = errors
    try ProcessLaunch.run(process)
    try? errors.close()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errorText = (try? Data(contentsOf: errorFile)).map { String(decoding: $0.suffix(4096), as: UTF8.self) } ?? ""
    return (process.terminationStatus, String(decoding: data, as: UTF8.self), errorText)
}
