import Foundation
import HubClient
import HubProtocol
import SwiftProtobuf
import Testing

/// `swhub replay` as a user runs it: a real process against a real hub, writing JSON lines
/// and a length-delimited protobuf file.
@Suite("swhub replay")
struct ReplayCommandTests {
    static func runReplay(_ hub: TestHub, _ arguments: [String], logName: String) async throws -> (status: Int32, log: String) {
        let process = try hub.startSwhub(["replay"] + arguments, logName: logName)
        try await onThread { process.waitUntilExit() }
        return (process.terminationStatus, hub.log(named: logName))
    }

    @Test func writesJSONLinesAndAProtoFileThatReadsBack() async throws {
        let hub = try TestHub(
            parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note", "ceb.Order"])],
            types: ["demo.Note", "{name: ceb.Order, message: swhub.v1.Order}"])
        try await hub.start()
        let platform = try hub.client("platform")
        defer { platform.close() }
        var order = BizOrder()
        order.orderNo = "order-42"
        order.buyerName = "Li Si"
        let orderBody: [UInt8] = try order.serializedBytes()
        let note = try await platform.submit(type: "demo.Note", body: Array("first note".utf8), id: "n-1", correlationId: "c-1")
        let ordered = try await platform.submit(type: "ceb.Order", body: orderBody, id: "o-1")
        _ = try await platform.submit(type: "demo.Note", body: Array("second note".utf8), id: "n-2")
        let config = try hub.writeClientConfig("customs")

        // JSON lines, from the order's seq on.
        let jsonPath = hub.directory.appendingPathComponent("replay.jsonl").path
        let json = try await Self.runReplay(
            hub, ["--config", config, "--from-seq", "\(ordered.seq)", "--to", jsonPath, "--log-level", "warning"],
            logName: "replay-json.log")
        #expect(json.status == 0, "\(json.log)")
        let lines = try String(contentsOfFile: jsonPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["seq"] as? Int } == [Int(ordered.seq), Int(ordered.seq + 1)])
        #expect(objects[0]["type"] as? String == "ceb.Order")
        #expect(objects[0]["sender"] as? String == "platform")
        #expect(objects[0]["recipient"] as? String == "customs")
        let body = try #require(objects[0]["body"] as? [String: Any])
        #expect(body["order_no"] as? String == "order-42")
        #expect(body["buyer_name"] as? String == "Li Si")
        #expect(objects[1]["body_base64"] as? String == Data("second note".utf8).base64EncodedString())
        #expect((objects[1]["journaled_at"] as? String)?.hasSuffix("Z") == true)
        #expect(objects[1]["journaled_at_us"] as? Int ?? 0 > 0)
        #expect(json.log.contains("replayed 2 messages"))

        // Length-delimited JournalEntry, since a time before everything.
        let protoPath = hub.directory.appendingPathComponent("replay.bin").path
        let proto = try await Self.runReplay(
            hub, ["--config", config, "--since", "2020-01-01T00:00:00Z", "--format", "proto", "--to", protoPath, "--log-level", "warning"],
            logName: "replay-proto.log")
        #expect(proto.status == 0, "\(proto.log)")
        let input = try #require(InputStream(fileAtPath: protoPath))
        input.open()
        defer { input.close() }
        var entries: [WireJournalEntry] = []
        do {
            while true { entries.append(try BinaryDelimited.parse(messageType: WireJournalEntry.self, from: input)) }
        } catch is SwiftProtobufError {
            // The clean end of the file (no byte where the next length would begin); a
            // truncated entry throws BinaryDelimited.Error.truncated instead.
        }
        #expect(entries.map(\.header.seq) == [note.seq, ordered.seq, ordered.seq + 1])
        #expect(entries.map { [UInt8]($0.body) } == [Array("first note".utf8), orderBody, Array("second note".utf8)])
        #expect(entries[0].header.correlationID == "c-1")
        #expect(entries[0].header.id == "n-1")
        #expect(entries.allSatisfy { $0.header.recipients == ["customs"] })
    }

    /// The exit codes by class (README, "Exit codes"): a replay the hub refuses is refused
    /// input (2) without the usage text; a command line that does not parse is a usage
    /// error (64) with it; an unreadable client config is a configuration error (78).
    @Test func refusalAndBadArgumentsExitWithTheirClass() async throws {
        let hub = try TestHub(parties: [.init(id: "platform"), .init(id: "customs")])
        try await hub.start()
        let config = try hub.writeClientConfig("customs")
        let refused = try await Self.runReplay(hub, ["--config", config, "--party", "platform", "--from-seq", "1"], logName: "refused.log")
        #expect(refused.status == 2, "refused input: \(refused.log)")
        #expect(refused.log.contains("415"))
        #expect(!refused.log.contains("Usage:"), "a refusal at run time is no usage error: \(refused.log)")
        let both = try await Self.runReplay(hub, ["--config", config, "--from-seq", "1", "--since", "0"], logName: "both.log")
        #expect(both.status == 64)
        #expect(both.log.contains("exactly one of --from-seq and --since") && both.log.contains("Usage:"))
        let missing = hub.directory.appendingPathComponent("no-such-client.yaml").path
        let unconfigured = try await Self.runReplay(hub, ["--config", missing, "--from-seq", "1"], logName: "unconfigured.log")
        #expect(unconfigured.status == 78, "configuration error: \(unconfigured.log)")
        #expect(unconfigured.log.contains("no-such-client.yaml") && !unconfigured.log.contains("Usage:"))
    }
}
