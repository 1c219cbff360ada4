import Foundation
import HubProtocol
import Testing

/// A department adapter killed (-9) in the middle of a file: restarted, it reads the file
/// again and every message of it is journaled exactly once, then the file is archived.
@Suite("Department adapter crash", .serialized)
struct AdapterCrashTests {
    @Test func killedMidFileNeitherLosesNorDoublesAMessage() async throws {
        let hub = try TestHub(
            parties: [.init(id: "tax"), .init(id: "office", subscribes: ["credit.Notice"])],
            types: ["{name: credit.Notice, message: swhub.v1.CreditNotice}"])
        try hub.start()
        let path = try hub.writeClientConfig("tax")
        try (try String(contentsOfFile: path, encoding: .utf8) + "adapter:\n  folder: tax\n  poll_ms: 20\n").write(toFile: path, atomically: true, encoding: .utf8)
        let inbox = hub.directory.appendingPathComponent("tax/in")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let count = 20000
        let lines = (1...count).map { "{\"type\": \"credit.Notice\", \"body\": {\"social_credit_code\": \"91330100MA\(String(format: "%07d", $0))X\", \"rating\": \"A\"}}" }
        try (lines.joined(separator: "\n") + "\n").write(to: inbox.appendingPathComponent("notices.json"), atomically: true, encoding: .utf8)

        let first = try hub.startSwhub(["adapter", "tax", "--config", path], logName: "adapter-1.log")
        let journal = try hub.openJournal()
        // Kill it once part of the file is journaled, before it could archive it.
        try await waitUntil(.seconds(30), "nothing journaled") {
            (try? journal.records(types: ["credit.Notice"], after: 0, limit: count).count) ?? 0 >= count / 10
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let journaledBefore = try journal.records(types: ["credit.Notice"], after: 0, limit: count).count
        #expect(journaledBefore < count, "the adapter was killed mid-file (\(journaledBefore) of \(count) journaled)")
        #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("notices.json").path), "not archived before all were journaled")

        let second = try hub.startSwhub(["adapter", "tax", "--config", path], logName: "adapter-2.log")
        defer { second.terminate() }
        let archive = hub.directory.appendingPathComponent("tax/archive/notices.json")
        try await waitUntil(.seconds(60), "not archived after the restart: \(hub.log(named: "adapter-2.log").suffix(800))") {
            FileManager.default.fileExists(atPath: archive.path)
        }
        let records = try journal.records(types: ["credit.Notice"], after: 0, limit: count * 2)
        #expect(records.count == count, "every line once: \(records.count)")
        #expect(Set(records.map(\.id)).count == count)
        let codes = Set(records.compactMap { try? BizCreditNotice(serializedBytes: $0.body).socialCreditCode })
        #expect(codes.count == count)
    }
}
