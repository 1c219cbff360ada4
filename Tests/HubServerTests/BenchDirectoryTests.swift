import Foundation
import Testing

/// Where `swhub bench` leaves its journals: a run writes a gigabyte or more, so a directory
/// the bench made itself under the temporary directory goes when the run succeeds; one the
/// user named with `--dir` stays.
@Suite("swhub bench's working directory")
struct BenchDirectoryTests {
    @Test func aDirectoryOfItsOwnGoesANamedOneStays() async throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-bench-dir-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let executable = try TestHub.executable
        let arguments = ["bench", "--latency-only", "--count", "500", "--json"]

        let own = try await onThread { try programOutput(executable, arguments, environment: ["TMPDIR": temporary.path]) }
        #expect(own.status == 0, "\(own.output)\nstandard error:\n\(own.errors)")
        #expect(own.output.contains("\"submit_latency\""), "\(own.output)")
        let left = try FileManager.default.contentsOfDirectory(atPath: temporary.path).filter { $0.hasPrefix("swhub-bench-") }
        #expect(left.isEmpty, "left behind: \(left)")

        let named = temporary.appendingPathComponent("named")
        let kept = try await onThread {
            try programOutput(executable, arguments + ["--dir", named.path], environment: ["TMPDIR": temporary.path])
        }
        #expect(kept.status == 0, "\(kept.output)\nstandard error:\n\(kept.errors)")
        #expect(FileManager.default.fileExists(atPath: named.appendingPathComponent("bench-journal.sqlite").path))
    }
}
