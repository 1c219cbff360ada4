import Foundation
import HubConfigKit
import HubCore
import HubTestSupport
import HubThreads

/// `swhub-c-driver`, the C adapter kit's command-line driver, as a child process: commands
/// go to its standard input one line at a time, and each answers one line ("ok ..." or
/// "error CODE NAME: text").
final class CDriver: @unchecked Sendable {
    let process = Process()
    private let input = ProcessLaunch.pipe()
    private let output = ProcessLaunch.pipe()
    private let lines = Locked<(buffer: String, lines: [String])>(("", []))

    /// Starts the driver (or `executable` with the same arguments) against `hub`, or against
    /// `endpoint` (e.g. a comma-separated list of hub nodes) with `hub`'s keys and folder.
    /// `hubKeyFiles`, when given, is the hub key argument instead of `hub`'s public key file
    /// (e.g. two files separated by a comma while the hub's key is rotated).
    init(hub: TestHub, endpoint: String? = nil, executable: URL? = nil, hubKeyFiles: String? = nil) throws {
        process.executableURL = try executable ?? CDriver.built("swhub-c-driver")
        process.arguments = [endpoint ?? hub.endpoint, try hubKeyFiles ?? hub.writeHubPublicKey()]
        process.currentDirectoryURL = hub.directory
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let lines = lines
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            lines.withLock { state in
                state.buffer += String(decoding: data, as: UTF8.self)
                while let newline = state.buffer.firstIndex(of: "\n") {
                    state.lines.append(String(state.buffer[..<newline]))
                    state.buffer = String(state.buffer[state.buffer.index(after: newline)...])
                }
            }
        }
        try ProcessLaunch.run(process)
    }

    deinit {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Sends one command and waits for its answer line.
    @discardableResult
    func run(_ command: String, within limit: Duration = .seconds(30)) async throws -> String {
        try input.fileHandleForWriting.write(contentsOf: Data((command + "\n").utf8))
        var answer: String?
        try await waitUntil(limit, "swhub-c-driver did not answer '\(command)'") {
            answer = lines.withLock { $0.lines.isEmpty ? nil : $0.lines.removeFirst() }
            return answer != nil || !process.isRunning
        }
        guard let answer else { throw TestHubError("swhub-c-driver exited (status \(process.terminationStatus)) on '\(command)'") }
        return answer
    }

    /// Closes standard input (the driver closes its client and exits) and waits.
    func finish() async throws -> Int32 {
        try input.fileHandleForWriting.close()
        try await waitUntil(.seconds(30), "swhub-c-driver did not exit") { !process.isRunning }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A value `key=VALUE` of an answer line.
    static func field(_ key: String, in line: String) -> String? {
        line.split(separator: " ").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// An executable of this package, built beside `swhub`.
    static func built(_ name: String) throws -> URL {
        let url = try TestHub.executable.deletingLastPathComponent().appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestHubError("\(name) is not built at \(url.path): run `swift build` first")
        }
        return url
    }
}

extension TestHub {
    /// Writes `hub.key` (the hub's public key, as `swhub keygen` writes it) into the test
    /// directory and returns its path.
    func writeHubPublicKey() throws -> String {
        let path = directory.appendingPathComponent("hub.key").path
        try KeyFile(publicKey: hubKeys.publicKey, secretKey: nil).render(name: "hub", includingSecret: false)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Writes `PARTY.key_secret` into the test directory and returns its path.
    func writeKeyPair(_ party: String) throws -> String {
        guard let keys = partyKeys[party] else { throw TestHubError("no party \(party)") }
        let path = directory.appendingPathComponent("\(party).key_secret").path
        try KeyFile(publicKey: keys.publicKey, secretKey: keys.secretKey).render(name: party, includingSecret: true)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
