import Foundation
import HubTestSupport
import HubThreads
import Testing

/// A client that cannot reach its hub waits without spinning: `swhub submit` with a
/// `party:` to confirm, against an endpoint where nothing listens, polls its sockets every
/// 20 ms until its timeout (exit 4), instead of a loop that kept a core busy (its outbox,
/// held until the WELCOME, read as a batch whose linger had run out: poll timeout 0).
@Suite("A client without its hub", .timeLimit(.minutes(1)))
struct ClientIdleTests {
    @Test func swhubSubmitWaitsForAnAbsentHubWithoutSpinning() async throws {
        // Not started: nothing listens on its endpoint.
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])])
        let config = try hub.writeClientConfig("enterprise")
        let output = hub.directory.appendingPathComponent("submit.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        // bash's `times` prints the CPU time of the shell's children: the submit's.
        let script = """
            "$0" submit --config "$1" --type demo.Note --body x --timeout 4 >/dev/null 2>&1
            echo "status $?"
            times
            """
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", script, try TestHub.executable.path, config]
        shell.standardOutput = try FileHandle(forWritingTo: output)
        try ProcessLaunch.run(shell)
        try await waitUntil(.seconds(30), "swhub submit did not end") { !shell.isRunning }
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "status 4", "no hub: retry later (exit 4): \(lines)")
        // `times`: the shell's own user and system time, then its children's ("0m1.234s 0m0.567s").
        let children = try #require(lines.last).split(separator: " ").map { Self.seconds(String($0)) }
        let cpu = children.reduce(0, +)
        #expect(children.count == 2 && cpu < 1.5, "swhub submit used \(cpu) s of CPU in its 4 s wait: \(lines)")
    }

    /// Seconds of a `times` field, "1m2.345s".
    static func seconds(_ field: String) -> Double {
        let parts = field.dropLast().split(separator: "m")
        guard parts.count == 2, let minutes = Double(parts[0]), let seconds = Double(parts[1]) else { return .infinity }
        return minutes * 60 + seconds
    }
}
