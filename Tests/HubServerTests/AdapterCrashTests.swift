import Foundation
import HubProtocol
import HubTestSupport
import Testing

/// A department adapter killed (-9) in the middle of a file: restarted, it reads the file
/// again and every message of it is journaled exactly once, then the file is archived.
@Suite("Department adapter crash", .serialized)
struct AdapterCrashTests {
    @Test func killedMidFileNeitherLosesNorDoublesAMessage() async throws {
        let hub = try TestHub(
            parties: [.init(id: "tax"), .init(id: "office", subscribes: ["credit.Notice"])],
            types: ["{name: credit.Notice, message: swhub.v1.CreditNotice}"])
        try await hub.start()
        let path = try hub.writeClientConfig("tax")
        try (try String(contentsOfFile: path, encoding: .utf8) + "adapter:\n  folder: tax\n  poll_ms: 20\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let inbox = hub.directory.appendingPathComponent("tax/in")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let count = 20000
        let lines = (1...count).map {
            "{\"type\": \"credit.Notice\", \"body\": {\"social_credit_code\": \"91330100MA\(String(format: "%07d", $0))X\", \"rating\": \"A\"}}"
        }
        try (lines.joined(separator: "\n") + "\n").write(
            to: hub.directory.appendingPathComponent("notices.json"), atomically: true, encoding: .utf8)

        let first = try hub.startSwhub(["adapter", "tax", "--config", path], logName: "adapter-1.log")
        try await waitUntil(.seconds(20), "the adapter did not connect") { hub.log(named: "adapter-1.log").contains("adapter tax as tax") }
        // The hub is frozen while the adapter reads the file and sends its messages, so no
        // ACCEPTED can come back; the adapter is killed with its messages in flight.
        let hubPid = try #require(hub.pid)
        try await hub.freeze()
        try FileManager.default.moveItem(
            at: hub.directory.appendingPathComponent("notices.json"), to: inbox.appendingPathComponent("notices.json"))
        // Killed once its messages are in flight: read, handed to the connection, unanswered
        // (some may sit in the frozen hub's TCP queue, others in the adapter's, or wait for a
        // reconnection once the adapter finds the hub silent: which, no test can tell apart).
        // Reading 20,000 lines takes a debug build a while on a loaded machine.
        try await waitUntil(.seconds(120), "the adapter did not start submitting: \(hub.log(named: "adapter-1.log").suffix(800))") {
            hub.log(named: "adapter-1.log").contains("submitting")
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        kill(hubPid, SIGCONT)
        #expect(
            FileManager.default.fileExists(atPath: inbox.appendingPathComponent("notices.json").path),
            "not archived: nothing was acknowledged")
        let journal = try hub.openJournal()
        let journaledBefore = try journal.records(types: ["credit.Notice"], after: 0, limit: count).count

        let second = try hub.startSwhub(["adapter", "tax", "--config", path], logName: "adapter-2.log")
        defer { second.terminate() }
        let archive = hub.directory.appendingPathComponent("tax/archive/notices.json")
        try await waitUntil(.seconds(60), "not archived after the restart: \(hub.log(named: "adapter-2.log").suffix(800))") {
            FileManager.default.fileExists(atPath: archive.path)
        }
        let records = try journal.records(types: ["credit.Notice"], after: 0, limit: count * 2)
        #expect(records.count == count, "every line once: \(records.count) (\(journaledBefore) were journaled before the restart)")
        #expect(Set(records.map(\.id)).count == count)
        let codes = Set(records.compactMap { try? BizCreditNotice(serializedBytes: $0.body).socialCreditCode })
        #expect(codes.count == count)
    }
}
