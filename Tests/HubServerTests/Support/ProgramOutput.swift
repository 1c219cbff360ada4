import Foundation
import HubThreads

/// Runs a program to its end and returns its exit status, standard output and standard error
/// (each written to a file, so neither can fill a pipe and stall the child; standard input
/// is empty): `swhub` subcommands, headless Chromium's `--dump-dom`, the tools the tests
/// check files with. `environment` is added to this process's.
func programOutput(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, output: String, errors: String
) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let (out, err) = (scratch.appendingPathComponent("out"), scratch.appendingPathComponent("err"))
    for file in [out, err] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try ProcessLaunch.run(process)
    process.waitUntilExit()
    return (
        process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "",
        (try? String(contentsOf: err, encoding: .utf8)) ?? ""
    )
}
