import Foundation
import HubClient
import HubTestSupport
import Testing

/// `swhub tap` as a user runs it: a real `swhub` process with a client config file.
@Suite("swhub tap")
struct TapCommandTests {
    static func startHub() async throws -> TestHub {
        let hub = try TestHub(
            parties: [.init(id: "platform"), .init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note", "demo.Query"])],
            tapQueue: 1000)
        try await hub.start()
        return hub
    }

    @Test func printsOneReadableLinePerMessage() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        defer { platform.close() }
        let config = try hub.writeClientConfig("customs")
        let before = hub.appliedTapSubscriptions("customs/")
        let process = try hub.startSwhub(["tap", "--config", config, "--count", "3"], logName: "tap.log")
        try await waitUntil(.seconds(20), "swhub tap did not subscribe: \(hub.log()) \(hub.log(named: "tap.log"))") {
            hub.appliedTapSubscriptions("customs/") > before
        }
        var receipts: [SubmitReceipt] = []
        for index in 0..<3 {
            receipts.append(try await platform.submit(type: "demo.Note", body: Array("note \(index)".utf8), id: "note-\(index)"))
        }
        try await waitUntil(.seconds(20), "swhub tap did not stop after 3 messages: \(hub.log(named: "tap.log"))") {
            !process.isRunning
        }
        #expect(process.terminationStatus == 0)
        let lines = hub.log(named: "tap.log").split(separator: "\n").filter { $0.contains(" seq=") }
        #expect(lines.count == 3)
        for (line, receipt) in zip(lines, receipts) {
            #expect(line.contains("seq=\(receipt.seq) demo.Note platform → customs id=\(receipt.id) body=6 B"))
            #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "#, options: .regularExpression) != nil)
        }
    }

    @Test func filtersAndPrintsJSON() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        let enterprise = try hub.client("enterprise")
        defer {
            platform.close()
            enterprise.close()
        }
        let config = try hub.writeClientConfig("customs")
        let process = try hub.startSwhub(
            ["tap", "--config", config, "--filter", "demo.Query/enterprise/", "--json", "--count", "2"], logName: "tap.json")
        try await waitUntil(.seconds(20), "swhub tap did not subscribe: \(hub.log()) \(hub.log(named: "tap.json"))") {
            hub.appliedTapSubscriptions("customs/demo.Query/enterprise/") > 0
        }
        var expected: [UInt64] = []
        for index in 0..<2 {
            _ = try await enterprise.submit(type: "demo.Note", body: Array("note \(index)".utf8))
            _ = try await platform.submit(type: "demo.Query", body: Array("platform query \(index)".utf8))
            expected.append(try await enterprise.submit(type: "demo.Query", body: Array("query \(index)".utf8)).seq)
        }
        try await waitUntil(.seconds(20), "swhub tap did not stop: \(hub.log(named: "tap.json"))") { !process.isRunning }
        #expect(process.terminationStatus == 0)
        let objects = try hub.log(named: "tap.json").split(separator: "\n").filter { $0.hasPrefix("{") }.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(objects.map { ($0["seq"] as? NSNumber)?.uint64Value } == expected)
        for (index, object) in objects.enumerated() {
            #expect(object["type"] as? String == "demo.Query")
            #expect(object["sender"] as? String == "enterprise")
            #expect(object["recipient"] as? String == "customs")
            #expect(object["topic"] as? String == "customs/demo.Query/enterprise/customs")
            #expect((object["dropped"] as? NSNumber)?.intValue == 0)
            #expect(object["body_base64"] as? String == Data("query \(index)".utf8).base64EncodedString())
        }
    }
}
