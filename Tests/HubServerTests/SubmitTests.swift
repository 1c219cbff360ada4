import Foundation
import HubClient
import HubProtocol
import HubStore
import HubTestSupport
import Logging
import Testing

@Suite("Submit and deliver against a real hub process")
struct SubmitTests {
    @Test func acceptedMessageIsDurableAndDelivered() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])])
        try await hub.start()
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        let receipt = try await sender.submit(type: "demo.Note", body: Array("hello".utf8), id: "m-1")
        #expect(receipt.seq == 1)
        #expect(receipt.duplicate == false)
        #expect(receipt.recipients == 1)

        // Accepted means durable: kill the hub at once and read the journal file directly.
        await hub.kill9()
        let store = try hub.openJournal()
        let record = try #require(try store.record(sender: "enterprise", id: "m-1"))
        #expect(record.seq == receipt.seq)
        #expect(record.body == Array("hello".utf8))
        #expect(record.recipients == ["customs"])

        try await hub.start()
        let receiver = try hub.client("customs", receive: true)
        defer { receiver.close() }
        try await receiver.connect()
        let delivery = try #require(await receiver.deliveries.first { _ in true })
        #expect(delivery.seq == 1)
        #expect(delivery.header.sender == "enterprise")
        #expect(delivery.header.id == "m-1")
        #expect(delivery.body == Array("hello".utf8))
    }

    /// `swhub submit` exits with the class of the answer (README, "Exit codes"): 0 accepted,
    /// 2 refused (4xx, or a body file it cannot read, without the usage text), 4 no answer
    /// in time (retry later).
    @Test func swhubSubmitExitsWithTheClassOfTheAnswer() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])])
        try await hub.start()
        let config = try hub.writeClientConfig("enterprise")
        // Longer than submit's own 30 s wait for a reply, so that a hub that does not answer
        // shows as submit's exit 4 and its output, not as a test that gave up first.
        func submit(_ arguments: [String], log: String) async throws -> (status: Int32, output: String) {
            let process = try hub.startSwhub(["submit", "--config", config] + arguments, logName: log)
            try await waitUntil(.seconds(60), "swhub submit \(arguments) did not finish; its output: \(hub.log(named: log))") {
                !process.isRunning
            }
            return (process.terminationStatus, hub.log(named: log))
        }
        let accepted = try await submit(["--type", "demo.Note", "--body", "hi", "--id", "s-1"], log: "accepted.log")
        #expect(accepted.status == 0 && accepted.output.contains("accepted"), "\(accepted.output)")
        let unknownType = try await submit(["--type", "no.SuchType", "--body", "hi"], log: "unknown-type.log")
        #expect(unknownType.status == 2 && unknownType.output.contains("404 UNKNOWN_TYPE"), "\(unknownType.output)")
        let missing = hub.directory.appendingPathComponent("no-such-body").path
        let unreadable = try await submit(["--type", "demo.Note", "--body-file", missing], log: "unreadable.log")
        #expect(unreadable.status == 2 && unreadable.output.contains("cannot read"), "\(unreadable.output)")
        #expect(!unreadable.output.contains("Usage:"), "\(unreadable.output)")
        await hub.terminate()
        let down = try await submit(["--type", "demo.Note", "--body", "hi", "--timeout", "2"], log: "down.log")
        #expect(down.status == 4, "retry later: \(down.output)")
    }
}
