import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Testing

/// The Swift SDK's batches (PROTOCOL.md section 16, README "Batches"): submissions go as
/// SUBMIT_BATCHes, each answered alone; `flush()` sends a lingering batch at once; with
/// batches off the SDK speaks version 1 and everything still works.
@Suite("HubClient batches", .serialized, .timeLimit(.minutes(1)))
struct ClientBatchTests {
    static let parties: [TestHub.PartySpec] = [
        .init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"]),
    ]

    @Test func aRefusedMessageInABatchFailsAloneAndTheOthersAreJournaledInOrder() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        let receiver = try hub.client("customs", receive: true)
        defer { receiver.close() }
        let inbox = DeliveryInbox(receiver)
        try await receiver.connect()
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        try await sender.connect()
        var messages = (0..<250).map { OutgoingMessage(type: "demo.Note", body: Array("m\($0)".utf8), id: "in-order-\($0)") }
        messages[100] = OutgoingMessage(type: "demo.Unknown", body: [], id: "refused")
        let results = await sender.submit(inOrder: messages)
        #expect(results.count == 250)
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let receipt):
                #expect(index != 100)
                #expect(receipt.id == messages[index].id)
            case .failure(let error):
                #expect(index == 100)
                #expect(error.hubCode == .unknownType)
            }
        }
        let seqs = results.compactMap { try? $0.get().seq }
        #expect(seqs == seqs.sorted() && Set(seqs).count == 249, "journaled in the order given, each once")
        let delivered = try await inbox.wait(for: 249, within: .seconds(30))
        #expect(delivered.map(\.id) == messages.map(\.id).filter { $0 != "refused" })
        #expect(delivered.map(\.body) == messages.filter { $0.id != "refused" }.map(\.body))
    }

    /// Submissions sent and unanswered when the hub dies go again on the new connection in
    /// the order they were first submitted (the hub journals a sender's messages in the
    /// order they arrive), never in the order of the SDK's table by id.
    @Test func unansweredSubmissionsAreResentInTheOrderFirstSent() async throws {
        let hub = try TestHub(parties: Self.parties, heartbeatMs: 10_000)
        try await hub.start()
        var configuration = hub.clientConfiguration("enterprise", receive: false, credit: 100)
        configuration.requestTimeout = .seconds(50)
        let sender = try hub.client(configuration: configuration, name: "enterprise")
        defer { sender.close() }
        try await sender.connect()
        // The hub reads nothing more: the submissions go onto the socket and stay unanswered.
        try await hub.freeze()
        let messages = (0..<40).map { OutgoingMessage(type: "demo.Note", body: Array("r\($0)".utf8), id: "resent-\($0)") }
        async let results = sender.submit(inOrder: messages)
        try await waitUntil(.seconds(20), "every submission is on the socket") { sender.pendingCount == 40 && sender.unsentCount == 0 }
        await hub.kill9()
        try await hub.start()
        let seqs = await results.compactMap { try? $0.get().seq }
        #expect(seqs == Array(1...40), "journaled in the order first submitted")
    }

    @Test func flushSendsALingeringBatchAtOnce() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        var configuration = hub.clientConfiguration("enterprise", receive: false, credit: 100)
        configuration.batchLinger = .seconds(3600)
        configuration.requestTimeout = .seconds(30)
        let sender = try hub.client(configuration: configuration, name: "enterprise")
        defer { sender.close() }
        try await sender.connect()
        // A batch of one lingers (for an hour); flush() sends it.
        async let receipt = sender.submit(type: "demo.Note", body: Array("now".utf8), id: "flushed")
        try await waitUntil(.seconds(10), "the submission is queued") { sender.pendingCount == 1 }
        sender.flush()
        #expect(try await receipt.seq == 1)
    }

    @Test func withBatchesOffTheClientSpeaksVersion1() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        var receiving = hub.clientConfiguration("customs", receive: true, credit: 100)
        receiving.batchDeliveries = 0
        let receiver = try hub.client(configuration: receiving, name: "customs")
        defer { receiver.close() }
        let inbox = DeliveryInbox(receiver)
        try await receiver.connect()
        var sending = hub.clientConfiguration("enterprise", receive: false, credit: 100)
        sending.batchSubmissions = 1
        let sender = try hub.client(configuration: sending, name: "enterprise")
        defer { sender.close() }
        let receipts = try await hub.submitConcurrently(sender, count: 120, idPrefix: "v1")
        #expect(Set(receipts.map(\.seq)).count == 120)
        let delivered = try await inbox.wait(for: 120, within: .seconds(30))
        #expect(delivered.map(\.seq) == delivered.map(\.seq).sorted())
    }
}
