import Foundation
import HubClient
import HubProtocol
import HubStore
import Logging
import Testing

@Suite("Submit and deliver against a real hub process")
struct SubmitTests {
    @Test func acceptedMessageIsDurableAndDelivered() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])])
        try hub.start()
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        let receipt = try await sender.submit(type: "demo.Note", body: Array("hello".utf8), id: "m-1")
        #expect(receipt.seq == 1)
        #expect(receipt.duplicate == false)
        #expect(receipt.recipients == 1)

        // Accepted means durable: kill the hub at once and read the journal file directly.
        hub.kill9()
        let store = try SQLiteJournalStore(path: hub.journalPath, logger: Logger(label: "test"))
        let record = try #require(try store.record(sender: "enterprise", id: "m-1"))
        #expect(record.seq == receipt.seq)
        #expect(record.body == Array("hello".utf8))
        #expect(record.recipients == ["customs"])

        try hub.start()
        let receiver = try hub.client("customs", receive: true)
        defer { receiver.close() }
        try await receiver.connect()
        let delivery = try #require(await receiver.deliveries.first { _ in true })
        #expect(delivery.seq == 1)
        #expect(delivery.header.sender == "enterprise")
        #expect(delivery.header.id == "m-1")
        #expect(delivery.body == Array("hello".utf8))
    }
}
