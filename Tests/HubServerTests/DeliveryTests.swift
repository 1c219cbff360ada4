import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Testing
import ZeroMQ

/// At-least-once delivery in journal order per recipient, resumed after the durable
/// acknowledgement position, within the granted credit.
@Suite("Delivery order, resumption and credit", .serialized, .timeLimit(.minutes(1)))
struct DeliveryTests {
    static let parties: [TestHub.PartySpec] = [
        .init(id: "enterprise"), .init(id: "bank"), .init(id: "customs", subscribes: ["demo.Note"]), .init(id: "post"),
    ]

    /// `heartbeatMs`: raw peers that never PING need a long one on a loaded machine, or the
    /// hub rightly drops their sessions as silent.
    static func startHub(heartbeatMs: Int = 500) async throws -> TestHub {
        let hub = try TestHub(parties: parties, heartbeatMs: heartbeatMs)
        try await hub.start()
        return hub
    }

    @Test func perRecipientOrderIsJournalOrder() async throws {
        let hub = try await Self.startHub()
        let receiver = try hub.client("customs", receive: true)
        defer { receiver.close() }
        let inbox = DeliveryInbox(receiver)
        try await receiver.connect()
        let enterprise = try hub.client("enterprise")
        defer { enterprise.close() }
        let bank = try hub.client("bank")
        defer { bank.close() }

        async let fromEnterprise = hub.submitConcurrently(enterprise, count: 250, idPrefix: "e")
        async let fromBank = hub.submitConcurrently(bank, count: 250, to: ["customs"], idPrefix: "b")
        let receipts = try await fromEnterprise + fromBank
        #expect(receipts.count == 500)
        #expect(Set(receipts.map(\.seq)).count == 500)

        let delivered = try await inbox.wait(for: 500, within: .seconds(20))
        #expect(delivered.count == 500)
        let seqs = delivered.map(\.seq)
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 }, "seqs are not strictly increasing")
        #expect(seqs == receipts.map(\.seq).sorted(), "delivered seqs differ from the accepted ones")
        let seqById = Dictionary(uniqueKeysWithValues: receipts.map { ($0.id, $0.seq) })
        for delivery in delivered {
            #expect(seqById[delivery.header.id] == delivery.seq, "\(delivery.header.id) delivered under seq \(delivery.seq)")
            #expect(delivery.header.sender == (delivery.header.id.hasPrefix("e-") ? "enterprise" : "bank"))
        }
    }

    @Test func subscriptionAndExplicitRecipientBothDeliver() async throws {
        let hub = try await Self.startHub()
        let customs = try hub.client("customs", receive: true)
        defer { customs.close() }
        let customsInbox = DeliveryInbox(customs)
        let bank = try hub.client("bank", receive: true)
        defer { bank.close() }
        let bankInbox = DeliveryInbox(bank)
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        try await customs.connect()
        try await bank.connect()

        let both = try await sender.submit(type: "demo.Note", body: Array("note".utf8), to: ["bank"], id: "both")
        #expect(both.recipients == 2)
        // Naming a subscriber explicitly as well still delivers once.
        let named = try await sender.submit(type: "demo.Note", body: Array("named".utf8), to: ["customs", "bank", "customs"], id: "named")
        #expect(named.recipients == 2)
        // A type nobody subscribes to, to an explicit recipient only.
        let query = try await sender.submit(type: "demo.Query", body: Array("query".utf8), to: ["bank"], id: "query")
        #expect(query.recipients == 1)

        let toCustoms = try await customsInbox.wait(for: 2, within: .seconds(10))
        let toBank = try await bankInbox.wait(for: 3, within: .seconds(10))
        #expect(toCustoms.map(\.header.id) == ["both", "named"])
        #expect(toBank.map(\.header.id) == ["both", "named", "query"])
        #expect(toBank.first?.body == Array("note".utf8))
        let beforeMarker = try await customsInbox.deliveriesBeforeMarker(from: sender, to: "customs")
        #expect(beforeMarker.map(\.header.id) == ["both", "named"], "customs got a message it neither subscribes to nor is named in")
    }

    @Test func reconnectingRecipientResumesAfterItsAck() async throws {
        let hub = try await Self.startHub()
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        let receipts = try await hub.submitConcurrently(sender, count: 10, idPrefix: "r")
        let seqs = receipts.map(\.seq).sorted()

        let first = try hub.client("customs", receive: true)
        let firstInbox = DeliveryInbox(first, acknowledge: false)
        let got = try await firstInbox.wait(for: 10, within: .seconds(10))
        #expect(got.map(\.seq) == seqs)
        first.acknowledge(seqs[3])  // processed 4 of 10
        try await hub.waitForAckPosition("customs", atLeast: seqs[3])
        first.close()

        let second = try hub.client("customs", receive: true)
        defer { second.close() }
        let secondInbox = DeliveryInbox(second)
        let welcome = try await second.connect()
        #expect(welcome.ackedSeq == seqs[3])
        let resumed = try await secondInbox.wait(for: 6, within: .seconds(10))
        #expect(resumed.map(\.seq) == Array(seqs[4...]), "resumed at \(resumed.first?.seq ?? 0), expected \(seqs[4])")
        let beforeMarker = try await secondInbox.deliveriesBeforeMarker(from: sender, to: "customs")
        #expect(beforeMarker.map(\.seq) == Array(seqs[4...]), "nothing but the unacknowledged six comes again")
    }

    @Test func acknowledgementsSurviveAHubRestart() async throws {
        let hub = try await Self.startHub()
        let sender = try hub.client("enterprise")
        let receipts = try await hub.submitConcurrently(sender, count: 20, idPrefix: "d")
        sender.close()
        let seqs = receipts.map(\.seq).sorted()

        let receiver = try hub.client("customs", receive: true)
        let inbox = DeliveryInbox(receiver, acknowledge: false)
        _ = try await inbox.wait(for: 20, within: .seconds(10))
        receiver.acknowledge(seqs[11])
        try await hub.waitForAckPosition("customs", atLeast: seqs[11])
        receiver.close()

        #expect(await hub.terminate() == 0)
        #expect(try hub.openJournal().ackPositions()["customs"] == seqs[11])
        try await hub.start()

        let restarted = try hub.client("customs", receive: true)
        defer { restarted.close() }
        let restartedInbox = DeliveryInbox(restarted)
        let welcome = try await restarted.connect()
        #expect(welcome.ackedSeq == seqs[11])
        let resumed = try await restartedInbox.wait(for: 8, within: .seconds(10))
        #expect(resumed.map(\.seq) == Array(seqs[12...]))
        let beforeMarker = try await restartedInbox.deliveriesBeforeMarker(from: restarted, to: "customs")
        #expect(beforeMarker.map(\.seq) == Array(seqs[12...]), "nothing but the unacknowledged eight comes again")
    }

    @Test func offlineRecipientCatchesUpFromTheJournal() async throws {
        let hub = try await Self.startHub()
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        let receipts = try await withTimeout(.seconds(20), "2,000 submissions") {
            try await hub.submitConcurrently(sender, count: 2000, to: ["post"], idPrefix: "o")
        }
        let seqs = receipts.map(\.seq).sorted()
        #expect(Set(seqs).count == 2000)

        let receiver = try hub.client("post", receive: true, credit: 100)
        defer { receiver.close() }
        let inbox = DeliveryInbox(receiver)
        let welcome = try await receiver.connect()
        #expect(welcome.credit == 100)
        let delivered = try await inbox.wait(for: 2000, within: .seconds(20))
        #expect(delivered.map(\.seq) == seqs)
        let bodies = Dictionary(uniqueKeysWithValues: delivered.map { ($0.header.id, $0.body) })
        #expect(bodies["o-1234"] == Array("message 1234".utf8))
    }

    enum CreditPath: String, Sendable, CaseIterable { case fromJournal, live }

    /// A receiver that never acknowledges gets exactly its credit, then the next ones as it
    /// acknowledges.
    @Test(arguments: CreditPath.allCases)
    func creditIsRespected(_ path: CreditPath) async throws {
        let hub = try await Self.startHub(heartbeatMs: 10_000)
        let context = try ZMQContext()
        let sender = try RawPeer(hub, context: context, party: "enterprise")
        defer { sender.close() }
        let receiver = try RawPeer(hub, context: context, party: "customs")
        defer { receiver.close() }
        @Sendable func submit14() async throws {
            try await sender.io { peer in
                for index in 1...14 { try peer.submit(id: "c\(index)") }
                for _ in 1...14 { _ = try peer.expectAccepted() }
            }
        }

        if path == .fromJournal { try await submit14() }
        let welcome = try await receiver.io { try $0.hello(credit: 5) }
        #expect(welcome.credit == 5)
        if path == .live { try await submit14() }

        // Exactly 5, and nothing more within a second (the receiver PINGs meanwhile).
        let firstRound = try await receiver.io { try $0.receiveDelivers(withinMs: 5000) { $0.count == 5 } }
        #expect(firstRound.map(\.seq) == [1, 2, 3, 4, 5])
        let overrun = try await receiver.io { try $0.receiveDelivers(withinMs: 1000) }
        #expect(overrun.isEmpty, "delivered beyond the credit: \(overrun.map(\.seq))")

        // ACK of the 5th frees the credit: the next five, and again nothing beyond.
        let secondRound = try await receiver.io { peer -> [Delivered] in
            try peer.ack(5)
            return try peer.receiveDelivers(withinMs: 5000) { $0.count == 5 }
        }
        #expect(secondRound.map(\.seq) == [6, 7, 8, 9, 10])
        let overrun2 = try await receiver.io { try $0.receiveDelivers(withinMs: 500) }
        #expect(overrun2.isEmpty, "delivered beyond the credit: \(overrun2.map(\.seq))")

        // A partial ACK frees only part of the credit: two of the four left.
        let thirdRound = try await receiver.io { peer -> [Delivered] in
            try peer.ack(7)
            return try peer.receiveDelivers(withinMs: 1000)
        }
        #expect(thirdRound.map(\.seq) == [11, 12])
    }

    @Test func senderIsNotItsOwnSubscriberUnlessNamed() async throws {
        let hub = try await Self.startHub()
        let customs = try hub.client("customs", receive: true)
        defer { customs.close() }
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        let own = try await customs.submit(type: "demo.Note", body: Array("own".utf8), id: "own")
        #expect(own.recipients == 0, "accepted and journaled, but for nobody")
        let named = try await customs.submit(type: "demo.Note", body: Array("named".utf8), to: ["customs"], id: "to-self")
        #expect(named.recipients == 1)
        let delivered = try await inbox.wait(for: 1, within: .seconds(5))
        #expect(delivered.first?.header.id == "to-self")
        let beforeMarker = try await inbox.deliveriesBeforeMarker(from: customs, to: "customs")
        #expect(beforeMarker.map(\.header.id) == ["to-self"])
        await hub.terminate()
        #expect(try hub.openJournal().record(sender: "customs", id: "own")?.recipients == [])
    }

    /// Submits `count` notes for customs from a raw enterprise connection; returns the seqs.
    static func submitNotes(_ hub: TestHub, context: ZMQContext, count: Int, prefix: String) async throws -> [UInt64] {
        let sender = try RawPeer(hub, context: context, party: "enterprise")
        defer { sender.close() }
        return try await sender.io { peer in
            for index in 1...count { try peer.submit(id: "\(prefix)\(index)", body: Array("\(prefix) body \(index)".utf8)) }
            return try (1...count).map { _ in try peer.expectAccepted().seq }
        }
    }

    /// "The hub drops a receiving session after 3 intervals without any traffic from it"
    /// (heartbeat_ms is 500 here); any frame set counts, PINGs included.
    @Test func silentSessionIsDroppedAndItsDeliveriesComeAgain() async throws {
        let hub = try await Self.startHub()
        let context = try ZMQContext()
        let receiver = try RawPeer(hub, context: context, party: "customs")
        defer { receiver.close() }
        _ = try await receiver.io { try $0.hello(credit: 10) }
        let seqs = try await Self.submitNotes(hub, context: context, count: 4, prefix: "s")

        let (first, keptAlive) = try await receiver.io { peer -> ([Delivered], UInt64) in
            let first = try peer.receiveDelivers(withinMs: 5000) { $0.count == 4 }
            // 2 s of PINGs only (no ACK): the session stays.
            _ = try peer.receiveDelivers(withinMs: 2000, pingEveryMs: 200)
            try peer.ack(first[1].seq)  // valid: no reply
            return (first, try peer.ackPosition())
        }
        #expect(first.map(\.seq) == seqs)
        #expect(keptAlive == seqs[1], "a session kept alive by PINGs must accept ACKs")

        // Silence: dropped once three heartbeats pass (the hub logs why). An ACK then gets
        // 409, and a new HELLO gets the rest again.
        try await waitUntil(.seconds(10), "the silent session was not dropped: \(hub.log().suffix(1500))") {
            hub.log().contains("reason=no heartbeat") || hub.log().contains("\"reason\":\"no heartbeat\"")
        }
        let (afterSilence, welcome, again) = try await receiver.io { peer -> (WireError, WireWelcome, [Delivered]) in
            try peer.ack(seqs[3])
            let error = try peer.expectError()
            let welcome = try peer.hello(credit: 10)
            return (error, welcome, try peer.receiveDelivers(withinMs: 5000) { $0.count == 2 })
        }
        #expect(afterSilence.code == HubErrorCode.noSession.rawValue)
        #expect(welcome.ackedSeq == seqs[1])
        #expect(again.map(\.seq) == Array(seqs[2...]))
    }

    /// A new HELLO replaces the party's receiving connection: the old one gets 409 for its
    /// ACKs, and what was outstanding there comes again on the new one, with the same seq,
    /// header and body (PROTOCOL.md §6.1, §6.2).
    @Test func newHelloReplacesThePreviousSession() async throws {
        let hub = try await Self.startHub(heartbeatMs: 10_000)
        let context = try ZMQContext()
        let old = try RawPeer(hub, context: context, party: "customs")
        defer { old.close() }
        let new = try RawPeer(hub, context: context, party: "customs")
        defer { new.close() }
        _ = try await old.io { try $0.hello(credit: 10) }
        let seqs = try await Self.submitNotes(hub, context: context, count: 3, prefix: "x")
        let live = try await old.io { try $0.receiveDelivers(withinMs: 5000) { $0.count == 3 } }
        #expect(live.map(\.seq) == seqs)

        let (welcome, replayed) = try await new.io { peer -> (WireWelcome, [Delivered]) in
            let welcome = try peer.hello(credit: 10)
            return (welcome, try peer.receiveDelivers(withinMs: 5000, ackEach: true) { $0.count == 3 })
        }
        #expect(welcome.ackedSeq == 0)
        #expect(replayed.map(\.seq) == seqs)
        for (a, b) in zip(live, replayed) {
            #expect(a.header == b.header, "seq \(a.seq): live header \(a.header) vs redelivered \(b.header)")
            #expect(a.body == b.body)
        }

        let (stale, nothingMore) = try await old.io { peer -> (WireError, [Delivered]) in
            try peer.ack(seqs[2])
            let error = try peer.expectError()
            return (error, try peer.receiveDelivers(withinMs: 300))
        }
        #expect(stale.code == HubErrorCode.noSession.rawValue)
        #expect(nothingMore.isEmpty)
        let position = try await new.io { try $0.ackPosition() }
        #expect(position == seqs[2])
    }

    /// `Hello.acked_seq` counts as a cumulative ACK, up to what was delivered (PROTOCOL.md §6.1).
    @Test func helloAckedSeqMovesThePosition() async throws {
        let hub = try await Self.startHub(heartbeatMs: 10_000)
        let context = try ZMQContext()
        let seqs = try await Self.submitNotes(hub, context: context, count: 5, prefix: "h")
        // A first connection receives all five and never ACKs (its ACK was lost).
        let lost = try RawPeer(hub, context: context, party: "customs")
        defer { lost.close() }
        let first = try await lost.io { peer -> [Delivered] in
            _ = try peer.hello(credit: 10)
            return try peer.receiveDelivers(withinMs: 5000) { $0.count == 5 }
        }
        #expect(first.map(\.seq) == seqs)
        let receiver = try RawPeer(hub, context: context, party: "customs")
        defer { receiver.close() }
        let (welcome, delivered, position) = try await receiver.io { peer -> (WireWelcome, [Delivered], UInt64) in
            let welcome = try peer.hello(credit: 10, ackedSeq: seqs[2])
            let delivered = try peer.receiveDelivers(withinMs: 5000) { $0.count == 2 }
            return (welcome, delivered, try peer.ackPosition())
        }
        #expect(welcome.ackedSeq == seqs[2])
        #expect(delivered.map(\.seq) == Array(seqs[3...]))
        #expect(position == seqs[2])
    }

    /// The delivered header as PROTOCOL.md §5 describes it: as submitted, with sender,
    /// journaled_at_us and seq set by the hub (client values for those are ignored).
    @Test func deliveredHeaderIsCompletedByTheHub() async throws {
        let hub = try await Self.startHub(heartbeatMs: 10_000)
        let context = try ZMQContext()
        let receiver = try RawPeer(hub, context: context, party: "bank")
        defer { receiver.close() }
        _ = try await receiver.io { try $0.hello(credit: 10) }
        let sender = try RawPeer(hub, context: context, party: "enterprise")
        defer { sender.close() }
        let before = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let accepted = try await sender.io { peer -> WireAccepted in
            var header = WireHeader()
            header.id = "h-1"
            header.type = "demo.Query"
            header.recipients = ["bank"]
            header.correlationID = "corr-7"
            header.createdAtUs = 1_700_000_000_000_000
            header.journaledAtUs = 5  // ignored
            header.seq = 999  // ignored
            var submit = WireSubmit()
            submit.header = header
            try peer.sendFrames([WireProtocol.frame(.submit(submit)), [0, 1, 2, 255]])
            return try peer.expectAccepted()
        }
        let after = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let delivered = try await receiver.io { try $0.receiveDelivers(withinMs: 5000) { $0.count == 1 } }
        let header = try #require(delivered.first?.header)
        #expect(header.id == "h-1")
        #expect(header.type == "demo.Query")
        #expect(header.sender == "enterprise")
        #expect(header.correlationID == "corr-7")
        #expect(header.createdAtUs == 1_700_000_000_000_000)
        #expect(header.seq == accepted.seq)
        #expect(header.journaledAtUs >= before && header.journaledAtUs <= after, "journaled_at_us \(header.journaledAtUs)")
        #expect(delivered.first?.body == [0, 1, 2, 255])
    }

    /// PROTOCOL.md §5: on DELIVER, `recipients` names only the receiving party: a recipient
    /// learns that it is one, not who else is.
    @Test func deliveredRecipientsNameOnlyTheReceiver() async throws {
        let hub = try await Self.startHub(heartbeatMs: 10_000)
        let bank = try hub.client("bank", receive: true)
        defer { bank.close() }
        let inbox = DeliveryInbox(bank)
        try await bank.connect()
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        _ = try await sender.submit(type: "demo.Query", body: [], to: ["bank", "post"], id: "r-1")
        let delivered = try await inbox.wait(for: 1, within: .seconds(5))
        #expect(delivered.first?.header.recipients == ["bank"])
    }
}
