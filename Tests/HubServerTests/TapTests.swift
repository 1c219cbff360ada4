import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Testing
import ZeroMQ

/// The monitoring tap (PROTOCOL.md section 15) against a real `swhub serve` with CURVE on
/// the tap: every party sees its own deliveries, auditors what the policy grants them, and
/// nobody anything more.
@Suite("Monitoring tap")
struct TapTests {
    static func startHub(tapQueue: Int = 10_000) async throws -> TestHub {
        let hub = try TestHub(
            parties: [
                .init(id: "platform"),
                .init(id: "enterprise"),
                .init(id: "customs", subscribes: ["ceb.Order", "demo.Note"]),
                .init(id: "bank", subscribes: ["ceb.Order", "demo.Query"], hide: "{ceb.Order: [buyer_id_number, buyer_id_type]}"),
                .init(id: "auditor", hide: "{ceb.Order: [buyer_name]}", audit: "{parties: [bank]}"),
                .init(id: "inspector", audit: "{parties: [\"*\"], bodies: false}"),
            ],
            types: ["demo.Note", "demo.Query", "{name: ceb.Order, message: swhub.v1.Order}"], tapQueue: tapQueue)
        try await hub.start()
        return hub
    }

    @Test func aPartySeesOnTheTapExactlyTheMessagesDeliveredToIt() async throws {
        let hub = try await Self.startHub()
        let customs = try hub.client("customs", receive: true)
        let platform = try hub.client("platform")
        let enterprise = try hub.client("enterprise")
        defer {
            customs.close()
            platform.close()
            enterprise.close()
        }
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        let tap = try await hub.tapSubscriber("customs")

        // Notes reach customs (a subscriber); queries reach only the bank; an explicit note to
        // the bank reaches both; a note from customs itself does not come back to it.
        var toCustoms: [UInt64] = []
        for index in 0..<5 {
            toCustoms.append(try await platform.submit(type: "demo.Note", body: Array("note \(index)".utf8)).seq)
            _ = try await enterprise.submit(type: "demo.Query", body: Array("query \(index)".utf8))
        }
        toCustoms.append(try await enterprise.submit(type: "demo.Note", body: Array("to both".utf8), to: ["bank"]).seq)
        _ = try await customs.submit(type: "demo.Note", body: Array("from customs".utf8))
        toCustoms.append(try await platform.submit(type: "demo.Note", body: Array("last".utf8)).seq)

        let delivered = try await inbox.wait(for: toCustoms.count, within: .seconds(20))
        let copies = try tap.read(until: toCustoms.last!)
        #expect(copies.map(\.header.seq) == toCustoms)
        #expect(delivered.map(\.seq) == toCustoms)
        for (copy, delivery) in zip(copies, delivered) {
            #expect(copy.body == delivery.body)
            #expect(copy.header.id == delivery.header.id)
            #expect(copy.header.sender == delivery.header.sender)
            #expect(copy.header.recipients == ["customs"])
            #expect(copy.header.journaledAtUs == delivery.header.journaledAtUs)
            #expect(copy.topic == "customs/demo.Note/\(delivery.header.sender)/customs")
            #expect(copy.dropped == 0)
        }
    }

    @Test func subscribersFilterByTypeSenderAndRecipientPrefix() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        let enterprise = try hub.client("enterprise")
        defer {
            platform.close()
            enterprise.close()
        }
        let fromPlatform = try await hub.tapSubscriber("customs", filters: ["demo.Note/platform/"])
        let byType = try await hub.tapSubscriber("bank", filters: ["demo.Query/"])

        var expectedNotes: [UInt64] = []
        var expectedQueries: [UInt64] = []
        for index in 0..<3 {
            expectedNotes.append(try await platform.submit(type: "demo.Note", body: Array("p\(index)".utf8)).seq)
            _ = try await enterprise.submit(type: "demo.Note", body: Array("e\(index)".utf8))
            // customs subscribes to demo.Note: it gets this one too.
            expectedNotes.append(try await platform.submit(type: "demo.Note", body: Array("b\(index)".utf8), to: ["bank"]).seq)
            expectedQueries.append(try await enterprise.submit(type: "demo.Query", body: Array("q\(index)".utf8)).seq)
        }
        let notes = try fromPlatform.read(until: expectedNotes.last!)
        #expect(notes.map(\.header.seq) == expectedNotes)
        #expect(notes.allSatisfy { $0.topic.hasPrefix("customs/demo.Note/platform/") })
        let queries = try byType.read(until: expectedQueries.last!)
        #expect(queries.map(\.header.seq) == expectedQueries)
        #expect(queries.allSatisfy { $0.header.type == "demo.Query" && $0.recipient == "bank" })
    }

    /// Batches go to a prefix's channel (prefix + zero byte): a subscriber of `customs/`
    /// gets each copy once, not again in the batches made for a narrower prefix, and a
    /// subscriber holding both prefixes gets a copy once per prefix it matches.
    @Test func nestedPrefixesEachGetExactlyTheirCopies() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        let enterprise = try hub.client("enterprise")
        defer {
            platform.close()
            enterprise.close()
        }
        let whole = try await hub.tapSubscriber("customs")
        let narrow = try await hub.tapSubscriber("customs", filters: ["demo.Note/platform/"])
        let both = try await hub.tapSubscriber("customs", filters: ["", "demo.Note/platform/"])

        var all: [UInt64] = []
        var fromPlatform: [UInt64] = []
        for index in 0..<3 {
            let mine = try await platform.submit(type: "demo.Note", body: Array("p\(index)".utf8)).seq
            let theirs = try await enterprise.submit(type: "demo.Note", body: Array("e\(index)".utf8)).seq
            all += [mine, theirs]
            fromPlatform.append(mine)
        }
        let last = try await platform.submit(type: "demo.Note", body: Array("last".utf8)).seq
        all.append(last)
        fromPlatform.append(last)

        #expect(try whole.read(until: last).map(\.header.seq) == all)
        #expect(try narrow.read(until: last).map(\.header.seq) == fromPlatform)
        var doubled: [UInt64] = []
        while doubled.count < all.count + fromPlatform.count, let copy = try both.next(timeout: .seconds(20)) {
            doubled.append(copy.header.seq)
        }
        #expect(doubled.sorted() == (all + fromPlatform).sorted())
        // Nothing more: no copy reached a subscriber through another prefix's channel.
        for tap in [whole, narrow, both] {
            #expect(try tap.next(timeout: .milliseconds(300)) == nil)
        }
    }

    @Test func auditorsSeeTheirPartiesTrafficRedactedOrHeadersOnly() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        defer { platform.close() }
        let auditor = try await hub.tapSubscriber("auditor")
        let inspector = try await hub.tapSubscriber("inspector")

        let body = try RedactionTests.order("order-tap-1")
        let order = try await platform.submit(type: "ceb.Order", body: body)
        #expect(order.recipients == 2)
        let marker = try await platform.submit(type: "demo.Note", body: Array("marker".utf8), to: ["bank"])

        // The auditor audits the bank only: the bank's copy, without the bank's hidden fields
        // nor its own, and nothing delivered to customs.
        let audited = try auditor.read(until: marker.seq)
        #expect(audited.map(\.recipient) == ["bank", "bank"])
        let copy = try #require(audited.first)
        #expect(copy.header.seq == order.seq && copy.header.sender == "platform")
        #expect(copy.topic == "auditor/ceb.Order/platform/bank")
        #expect(!copy.body.contains(Array(RedactionTests.buyerId.utf8)))
        #expect(!copy.body.contains(Array("Zhang San".utf8)))
        let seen = try BizOrder(serializedBytes: copy.body)
        #expect(seen.orderNo == "order-tap-1" && seen.buyerIDNumber.isEmpty && seen.buyerIDType.isEmpty && seen.buyerName.isEmpty)
        #expect(seen.orderList.first?.itemName == "green tea")

        // The inspector audits everyone, headers only.
        let inspected = try inspector.read(until: marker.seq)
        #expect(Set(inspected.filter { $0.header.seq == order.seq }.map(\.recipient)) == ["customs", "bank"])
        #expect(inspected.allSatisfy { $0.body.isEmpty })
        #expect(inspected.allSatisfy { $0.topic.hasPrefix("inspector/") })
    }

    @Test func anotherPartysPrefixOrAnUnknownKeyGetsNothing() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        defer { platform.close() }
        let customsTap = try await hub.tapSubscriber("customs")

        // The bank asks, on one connection, for customs' topics and for its own: only its own
        // are applied.
        let context = try ZMQContext()
        defer { context.shutdown() }
        let sneaky = try ZMQSocket(context: context, type: .sub)
        defer { sneaky.close() }
        try sneaky.makeCurveClient(keyPair: hub.partyKeys["bank"]!, serverPublicKey: hub.tapKeys!.publicKey)
        try sneaky.linger(ms: 0)
        try sneaky.receiveTimeout(ms: 20_000)
        let (appliedBefore, refusedBefore) = (hub.appliedTapSubscriptions("bank/"), hub.refusedTapSubscriptions("customs/"))
        try sneaky.connect(hub.tapEndpoint!)
        try sneaky.subscribe(Array("customs/".utf8))
        try sneaky.subscribe(Array("".utf8))
        try sneaky.subscribe(Array("bank/".utf8))
        try await waitUntil(.seconds(20), "the bank's subscriptions were not handled: \(hub.log())") {
            hub.appliedTapSubscriptions("bank/") > appliedBefore && hub.refusedTapSubscriptions("customs/") > refusedBefore
                && hub.refusedTapSubscriptions("") > 0
        }
        // A key the hub does not know is refused at the handshake.
        let stranger = try CurveKeyPair.generate()
        var strangerConfig = hub.clientConfiguration("customs")
        strangerConfig.keyPair = stranger
        let strangerTap = try HubTap(configuration: strangerConfig, party: "customs")
        try strangerTap.subscribe()
        try await waitUntil(.seconds(20), "the stranger's key was not refused: \(hub.log())") {
            hub.log().contains("refused unknown CURVE key") && hub.log().contains(stranger.publicKey)
        }

        let note = try await platform.submit(type: "demo.Note", body: Array("for customs".utf8))
        let query = try await platform.submit(type: "demo.Query", body: Array("for the bank".utf8))
        #expect(try customsTap.read(until: note.seq).map(\.header.seq) == [note.seq])
        // Copies leave the tap in seq order on one connection: had the customs copy been sent
        // to the bank, it would have come before the query's.
        let frames = try #require(try sneaky.receiveMultipart())
        #expect(frames[0].bytes == Array("bank/\0".utf8))
        let batch = try WireTapBatch(serializedBytes: frames[1].bytes)
        #expect(batch.copies.map(\.topic) == ["bank/demo.Query/platform/bank"])
        #expect(batch.copies.map(\.header.seq) == [query.seq])
        // The stranger's tap got nothing, and says why instead of waiting for good.
        var strangerEnd: HubClientError?
        try await waitUntil(.seconds(10), "the stranger's tap never said it was refused") {
            do {
                _ = try strangerTap.next(timeout: .zero)
                return false
            } catch let error as HubClientError {
                strangerEnd = error
                return true
            }
        }
        #expect(strangerEnd?.code == .authenticationFailed)
    }
}
