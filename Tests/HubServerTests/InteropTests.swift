import Foundation
import HubThreads
import Testing

/// A client written from Schemas/ alone, in another language (pyzmq + Python protobuf),
/// talks to the hub.
@Suite("Interoperability with the Python client", .serialized, .timeLimit(.minutes(1)))
struct InteropTests {
    static let python = "/usr/bin/python3"

    /// The repository root: this file is <root>/Tests/HubServerTests/InteropTests.swift.
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct InteropResult: Decodable {
        let ok: Bool
        let seq: UInt64
        let deliveredSeq: UInt64

        enum CodingKeys: String, CodingKey {
            case ok, seq
            case deliveredSeq = "delivered_seq"
        }
    }

    @Test func pythonClientSubmitsAndReceives() async throws {
        let script = Self.repoRoot.appendingPathComponent("Tests/Interop/interop_client.py")
        try #require(FileManager.default.isReadableFile(atPath: script.path), "no \(script.path)")
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "no \(Self.python)")

        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])])
        try await hub.start()
        let sender = try #require(hub.partyKeys["enterprise"])
        let receiver = try #require(hub.partyKeys["customs"])

        let stdoutURL = hub.directory.appendingPathComponent("interop.stdout")
        let stderrURL = hub.directory.appendingPathComponent("interop.stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        // `--option=value`: a Z85 key may begin with "-", which argparse would take for an option.
        process.arguments = [
            script.path,
            "--endpoint=\(hub.endpoint)",
            "--hub-public-key=\(hub.hubKeys.publicKey)",
            "--sender-public=\(sender.publicKey)", "--sender-secret=\(sender.secretKey)",
            "--receiver-public=\(receiver.publicKey)", "--receiver-secret=\(receiver.secretKey)",
            "--receiver-party=customs",
            "--type=demo.Note",
            "--timeout=10",
        ]
        process.currentDirectoryURL = Self.repoRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try ProcessLaunch.run(process)

        let finished = try await Self.wait(for: process, within: .seconds(40))
        let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        try #require(finished, "interop_client.py did not finish within 40 s; stderr:\n\(stderr)")
        #expect(process.terminationStatus == 0, "exit status \(process.terminationStatus); stderr:\n\(stderr)")

        let line = try #require(
            stdout.split(separator: "\n").last { $0.hasPrefix("{") }, "no JSON line on stdout: \(stdout)\nstderr:\n\(stderr)")
        let result = try JSONDecoder().decode(InteropResult.self, from: Data(line.utf8))
        #expect(result.ok, "stderr:\n\(stderr)")
        #expect(result.seq > 0)
        #expect(result.deliveredSeq == result.seq, "stderr:\n\(stderr)")
        #expect(hub.isRunning)
    }

    /// Waits for `process` to exit; kills it and returns false after `limit`.
    static func wait(for process: Process, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                try await Task.sleep(for: .milliseconds(500))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                return false
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return true
    }
}
