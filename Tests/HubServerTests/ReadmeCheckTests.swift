import Foundation
import HubThreads
import Testing

/// `Scripts/readme-check.sh`, which Scripts/test.sh runs over README.md, on small READMEs:
/// an unmarked block that fails, or prints other than what is shown, fails the check with
/// its line; a marked block is not run; shown output matches with `<placeholders>` and `...`.
@Suite("The README check")
struct ReadmeCheckTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/readme-check.sh")

    /// Runs the check over `markdown` on a thread of its own (a process wait must not hold a
    /// cooperative thread); its status and output.
    static func check(_ markdown: String) async throws -> (status: Int32, output: String) {
        try await onThread { try checkBlocking(markdown) }
    }

    static func checkBlocking(_ markdown: String) throws -> (status: Int32, output: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let readme = folder.appendingPathComponent("README.md")
        try markdown.write(to: readme, atomically: true, encoding: .utf8)
        let log = folder.appendingPathComponent("log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, readme.path]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["SWHUB_BIN_DIR": try TestHub.executable.deletingLastPathComponent().path]) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try ProcessLaunch.run(process)
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    @Test func passingMarkedAndMatchingBlocks() async throws {
        let result = try await Self.check(
            """
            # T

            ```sh
            swift build
            test -f Deploy/hub.yaml && .build/debug/swhub keygen --out keys --name a >/dev/null && test -f keys/a.key
            ```

            <!-- not run: needs root -->

            ```bash
            exit 3
            ```

            ```console
            $ swhub keygen --out k --name b
            wrote k/b.key<anything>
            ...
            $ echo one; echo two; echo three
            one
            ...
            three
            $ sleep 30 &
            ```

            ```
            $ echo a transcript in a plain fence
            a transcript in <what>
            ```

            ```
            plain output, not a shell block
            ```
            """)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("line 10: not run (needs root)"), "\(result.output)")
        #expect(result.output.contains("3 block(s) run, 1 marked not run, 0 failed"), "\(result.output)")
    }

    @Test func anUnmarkedFailingBlockFailsTheCheck() async throws {
        let result = try await Self.check(
            """
            text
            <!-- not run: a marker followed by text is not the block's -->
            more text

            ```sh
            false
            ```
            """)
        #expect(result.status == 1)
        #expect(result.output.contains("line 5: FAILED: exited 1"), "\(result.output)")
    }

    @Test func aMarkerWithoutAReasonFailsTheCheck() async throws {
        let result = try await Self.check("<!-- not run: -->\n```sh\ntrue\n```\n")
        #expect(result.status == 1)
        #expect(result.output.contains("line 2: FAILED: marked not run without a reason"), "\(result.output)")
    }

    @Test func outputOtherThanShownFailsTheCheck() async throws {
        let result = try await Self.check(
            """
            ```console
            $ echo accepted seq=1 duplicate=false
            accepted seq=<seq> duplicate=true
            ```
            """)
        #expect(result.status == 1)
        #expect(result.output.contains("line 1: FAILED: command 1: $ echo accepted seq=1 duplicate=false"), "\(result.output)")
    }
}
