import Foundation
import HubThreads

/// Runs a program to its end and returns its exit status and standard output (standard
/// error is discarded): `swhub` subcommands, headless Chromium's `--dump-dom`; `environment`
/// is added to this process's.
func programOutput(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, output: String
) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let pipe = ProcessLaunch.pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try ProcessLaunch.run(process)
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
