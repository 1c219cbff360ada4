import Foundation
import HubClient
import HubProtocol
import Testing
import ZeroMQ

/// Who may replay whose stream and what of each body they see; refusals with their codes.
@Suite("Replay policy and refusals")
struct ReplayPolicyTests {
    static let buyerId = "110101199001011234"
    static let buyerName = "Zhang San"

    static func startHub() async throws -> TestHub {
        let hub = try TestHub(
            parties: [
                .init(id: "platform"),
                .init(id: "bank", subscribes: ["ceb.Order", "demo.Note"], hide: "{ceb.Order: [buyer_id_number, buyer_id_type]}"),
                .init(id: "inspector", hide: "{ceb.Order: [buyer_name]}", audit: "{parties: [bank]}"),
                .init(id: "viewer", audit: "{parties: [\"*\"], bodies: false}"),
                .init(id: "customs", subscribes: ["ceb.Order"]),
            ],
            types: ["demo.Note", "{name: ceb.Order, message: swhub.v1.Order}"])
        try await hub.start()
        return hub
    }

    static func order(_ number: String) throws -> [UInt8] {
        var order = BizOrder()
        order.orderNo = number
        order.ebpCode = "3301960001"
        order.buyerIDType = "1"
        order.buyerIDNumber = buyerId
        order.buyerName = buyerName
        return try order.serializedBytes()
    }

    @Test func auditorSeesAnotherStreamWithBothPartiesHiddenFieldsRemoved() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        defer { platform.close() }
        let first = try await platform.submit(type: "ceb.Order", body: try Self.order("order-1"), id: "o-1")
        _ = try await platform.submit(type: "demo.Note", body: Array("note for bank".utf8), id: "n-1")
        _ = try await platform.submit(type: "ceb.Order", body: try Self.order("order-2"), id: "o-2")

        let log = try await hub.replay("inspector", ReplayRequest(party: "bank"))
        #expect(log.seqs == (try hub.journalStream("bank").map(\.seq)))
        #expect(log.seqs.first == first.seq)
        #expect(log.statuses.first?.party == "bank")
        for delivery in log.deliveries {
            #expect(delivery.header.recipients == ["bank"])
            // Neither the bank's hidden fields nor the inspector's own, checked on the bytes.
            #expect(!delivery.body.contains(Array(Self.buyerId.utf8)))
            #expect(!delivery.body.contains(Array(Self.buyerName.utf8)))
        }
        let orders = try log.deliveries.filter { $0.header.type == "ceb.Order" }.map { try BizOrder(serializedBytes: $0.body) }
        #expect(orders.map(\.orderNo) == ["order-1", "order-2"])
        #expect(orders.allSatisfy { $0.ebpCode == "3301960001" && $0.buyerIDType.isEmpty && $0.buyerName.isEmpty })
        #expect(log.deliveries.first { $0.header.type == "demo.Note" }?.body == Array("note for bank".utf8))

        // customs' own stream: the order whole, since customs hides nothing.
        let own = try await hub.replay("customs", ReplayRequest(types: ["ceb.Order"]))
        #expect(own.deliveries.map(\.body) == [try Self.order("order-1"), try Self.order("order-2")])
    }

    @Test func auditorWithoutBodiesGetsHeadersOnly() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        defer { platform.close() }
        _ = try await platform.submit(type: "ceb.Order", body: try Self.order("order-1"), id: "o-1")
        _ = try await platform.submit(type: "demo.Note", body: Array("note".utf8), id: "n-1")
        let log = try await hub.replay("viewer", ReplayRequest(party: "bank"))
        #expect(log.deliveries.map(\.header.id) == ["o-1", "n-1"])
        #expect(log.deliveries.allSatisfy { $0.body.isEmpty })
    }

    @Test func nonAuditorIsRefused() async throws {
        let hub = try await Self.startHub()
        await #expect {
            _ = try await hub.replay("customs", ReplayRequest(party: "bank"))
        } throws: { error in
            (error as? HubClientError)?.hubCode == .notEntitled
        }
        // An auditor of the bank only may not replay customs.
        await #expect {
            _ = try await hub.replay("inspector", ReplayRequest(party: "customs"))
        } throws: { error in
            (error as? HubClientError)?.hubCode == .notEntitled
        }
    }

    /// Raw frames: each nonsense REPLAY gets exactly one ERROR with its code, and the
    /// connection keeps working.
    @Test func badRequestsGetTheirCodes() async throws {
        let hub = try await Self.startHub()
        let context = try ZMQContext()
        let peer = try RawPeer(hub, context: context, party: "bank")
        defer { peer.close() }
        let cases: [(WireCommand.OneOf_Kind, HubErrorCode)] = [
            (
                Self.replay {
                    $0.fromSeq = 3
                    $0.sinceUs = 1_700_000_000_000_000
                }, .badReplay
            ),
            (Self.replay { $0.sinceUs = -5 }, .badReplay),
            (Self.replay { $0.fromSeq = UInt64(Int64.max) + 1 }, .badReplay),
            (Self.replay { $0.party = "nobody" }, .unknownRecipient),
            (Self.replay { $0.types = ["demo.Note", "no.SuchType"] }, .unknownType),
            (Self.replay { $0.party = "customs" }, .notEntitled),
        ]
        for (command, code) in cases {
            let error = try await peer.io { peer in
                try peer.send(command)
                return try peer.expectError()
            }
            #expect(error.code == code.rawValue, "\(error.name): \(error.reason)")
            #expect(!error.reason.isEmpty)
        }
        let wrongFrames = try await peer.io { peer in
            try peer.sendFrames([WireProtocol.frame(Self.replay { _ in }), [1, 2]])
            return try peer.expectError()
        }
        #expect(wrongFrames.code == HubErrorCode.wrongFrameCount.rawValue)

        // A valid replay, then a second one on the same connection: 416; an ACK beyond: 410.
        let (started, second, badAck) = try await peer.io { peer -> (WireReplayStatus?, WireError, WireError) in
            try peer.send(Self.replay { $0.follow = true })
            let started: WireReplayStatus? = {
                guard let reply = try? peer.expectReply("STARTED"), case .replayStatus(let status) = reply.command.kind else { return nil }
                return status
            }()
            try peer.send(Self.replay { _ in })
            let second = try Self.nextError(peer)
            var ack = WireAck()
            ack.seq = 99
            try peer.send(.ack(ack))
            return (started, second, try Self.nextError(peer))
        }
        #expect(started?.phase == .started)
        #expect(second.code == HubErrorCode.badReplay.rawValue)
        #expect(badAck.code == HubErrorCode.badAck.rawValue)

        // A receiving session's connection may not replay.
        let receiver = try RawPeer(hub, context: context, party: "customs")
        defer { receiver.close() }
        let onReceiver = try await receiver.io { peer in
            _ = try peer.hello(credit: 10)
            try peer.send(Self.replay { _ in })
            return try peer.expectError()
        }
        #expect(onReceiver.code == HubErrorCode.badReplay.rawValue)
    }

    static func replay(_ build: (inout WireReplay) -> Void) -> WireCommand.OneOf_Kind {
        var request = WireReplay()
        build(&request)
        return .replay(request)
    }

    /// The next ERROR, skipping the replay's status frames (CAUGHT_UP may come first).
    static func nextError(_ peer: RawPeer) throws -> WireError {
        while true {
            let reply = try peer.expectReply("an ERROR")
            if case .replayStatus = reply.command.kind { continue }
            guard case .error(let error) = reply.command.kind else { throw TestHubError("expected ERROR, got \(reply)") }
            return error
        }
    }
}
