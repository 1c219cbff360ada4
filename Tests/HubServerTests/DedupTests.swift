import Foundation
import HubClient
import HubProtocol
import Testing
import ZeroMQ

/// Idempotent submission: `(sender, id)` is journaled once.
@Suite("Deduplication by (sender, message id)", .serialized, .timeLimit(.minutes(1)))
struct DedupTests {
    static let parties: [TestHub.PartySpec] = [
        .init(id: "enterprise"), .init(id: "bank"), .init(id: "customs", subscribes: ["demo.Note"]),
    ]

    @Test func sameIdTwiceIsJournaledOnceAndDeliveredOnce() async throws {
        // The raw receivers never PING: a long heartbeat keeps their sessions while a loaded
        // machine takes its time with the three commits.
        let hub = try TestHub(parties: Self.parties, heartbeatMs: 10_000)
        try await hub.start()
        // Raw receivers see the wire as it is (the SDK would hide a re-sent seq): one live
        // while the messages are submitted, one afterwards reading them from the journal.
        let context = try ZMQContext()
        let live = try RawPeer(hub, context: context, party: "customs")
        defer { live.close() }
        _ = try await live.io { try $0.hello(credit: 100) }

        let sender = try hub.client("enterprise")
        defer { sender.close() }
        let first = try await sender.submit(type: "demo.Note", body: Array("first".utf8), id: "dup-1")
        let second = try await sender.submit(type: "demo.Note", body: Array("second".utf8), id: "dup-1")
        #expect(first.duplicate == false)
        #expect(second.duplicate == true)
        #expect(second.seq == first.seq)
        #expect(second.recipients == first.recipients)
        let marker = try await sender.submit(type: "demo.Note", body: Array("marker".utf8), id: "marker")
        #expect(marker.seq == first.seq + 1, "the duplicate must not consume a seq")

        let liveDelivered = try await live.io { peer in
            try peer.receiveDelivers(withinMs: 5000) { $0.contains { $0.header.id == "marker" } }
                + peer.receiveDelivers(withinMs: 500)  // and nothing after it
        }
        let replay = try RawPeer(hub, context: context, party: "customs")
        defer { replay.close() }
        let replayed = try await replay.io { peer in
            _ = try peer.hello(credit: 100)
            return try peer.receiveDelivers(withinMs: 5000) { $0.contains { $0.header.id == "marker" } }
                + peer.receiveDelivers(withinMs: 500)
        }
        for (name, delivered) in [("live", liveDelivered), ("from the journal", replayed)] {
            #expect(delivered.map(\.header.id) == ["dup-1", "marker"], "\(name)")
            #expect(delivered.first?.seq == first.seq, "\(name)")
            #expect(delivered.first?.body == Array("first".utf8), "\(name): the original body is kept, the duplicate's dropped")
        }

        await hub.terminate()
        let journal = try hub.openJournal()
        #expect(try journal.headSeq() == marker.seq)
    }

    @Test func sameIdFromTwoSendersGetsTwoSeqs() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        let enterprise = try hub.client("enterprise")
        defer { enterprise.close() }
        let bank = try hub.client("bank")
        defer { bank.close() }
        let receiver = try hub.client("customs", receive: true)
        defer { receiver.close() }
        let inbox = DeliveryInbox(receiver)
        try await receiver.connect()

        let fromEnterprise = try await enterprise.submit(type: "demo.Note", body: Array("e".utf8), id: "shared-id")
        let fromBank = try await bank.submit(type: "demo.Note", body: Array("b".utf8), id: "shared-id")
        #expect(fromEnterprise.duplicate == false)
        #expect(fromBank.duplicate == false)
        #expect(fromEnterprise.seq != fromBank.seq)

        let delivered = try await inbox.wait(for: 2, within: .seconds(10))
        #expect(Set(delivered.map(\.seq)) == [fromEnterprise.seq, fromBank.seq])
        #expect(Set(delivered.map(\.header.sender)) == ["enterprise", "bank"])
        #expect(delivered.allSatisfy { $0.header.id == "shared-id" })
    }

    /// Two SUBMITs with the same id sent back to back without waiting land in one group
    /// commit: both are answered, with one seq, exactly one of them not a duplicate.
    @Test func sameIdPipelinedIsJournaledOnce() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        let context = try ZMQContext()
        let sender = try RawPeer(hub, context: context, party: "enterprise")
        defer { sender.close() }
        let replies = try await sender.io { peer -> [WireAccepted] in
            for _ in 0..<5 { try peer.submit(id: "pipelined") }
            return try (0..<5).map { _ in try peer.expectAccepted() }
        }
        #expect(replies.allSatisfy { $0.id == "pipelined" })
        #expect(Set(replies.map(\.seq)).count == 1, "seqs: \(replies.map(\.seq))")
        #expect(replies.filter { !$0.duplicate }.count == 1, "duplicate flags: \(replies.map(\.duplicate))")
        #expect(replies.first?.duplicate == false, "the first SUBMIT is the original")
        await hub.terminate()
        #expect(try hub.openJournal().headSeq() == 1)
    }
}
