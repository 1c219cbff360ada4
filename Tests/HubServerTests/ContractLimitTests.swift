import Foundation
import HubProtocol
import Testing
import ZeroMQ

/// PROTOCOL.md sections 1, 3 and 6.1 on the wire: a client-chosen routing id, a HELLO on a
/// replay connection, and a HELLO that acknowledges more than the hub delivered.
@Suite("Contract limits from a raw DEALER", .serialized, .timeLimit(.minutes(2)))
struct ContractLimitTests {
    static let parties: [TestHub.PartySpec] = [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])]

    static func startHub() async throws -> TestHub {
        let hub = try TestHub(parties: parties, heartbeatMs: 10_000)
        try await hub.start()
        return hub
    }

    /// A DEALER that sets ZMQ_ROUTING_ID gets 418 for every frame set, nothing of it is
    /// journaled; one that takes a live connection's id gets nothing at all (libzmq drops
    /// it), and the live connection is undisturbed.
    @Test func clientChosenRoutingIdIsRefusedWith418() async throws {
        let hub = try await Self.startHub()
        let context = try ZMQContext()
        let chooser = try RawPeer(hub, context: context, party: "enterprise", routingId: Array("my-own-id".utf8))
        defer { chooser.close() }
        let errors = try await chooser.io { peer -> [WireError] in
            try peer.submit(id: "chosen-1")
            let first = try peer.expectError()
            try peer.send(.ping(WirePing()))
            return [first, try peer.expectError()]
        }
        #expect(errors.map(\.code) == [HubErrorCode.routingIdSet.rawValue, HubErrorCode.routingIdSet.rawValue])
        #expect(errors.allSatisfy { $0.name == "ROUTING_ID_SET" && $0.reason.contains("ZMQ_ROUTING_ID") })

        // A second connection with the same id: libzmq drops it before the hub sees it.
        let twin = try RawPeer(hub, context: context, party: "enterprise", routingId: Array("my-own-id".utf8))
        defer { twin.close() }
        let silence = try await twin.io { peer -> Reply? in
            try peer.send(.ping(WirePing()))
            return try peer.receive(timeoutMs: 1000)
        }
        #expect(silence == nil, "libzmq 4.3.4 drops a newcomer with a live id: \(String(describing: silence))")
        let still = try await chooser.io { peer -> WireError in
            try peer.send(.ping(WirePing()))
            return try peer.expectError()
        }
        #expect(still.code == HubErrorCode.routingIdSet.rawValue)

        // A well-behaved connection is served, and nothing of the above was journaled.
        let plain = try RawPeer(hub, context: context, party: "enterprise")
        defer { plain.close() }
        let accepted = try await plain.io { peer -> WireAccepted in
            try peer.submit(id: "plain-1")
            return try peer.expectAccepted()
        }
        #expect(accepted.seq == 1)
    }

    /// A HELLO on a connection that holds a replay: 416, and the replay goes on.
    @Test func helloOnAReplayConnectionIsRefusedWith416() async throws {
        let hub = try await Self.startHub()
        let context = try ZMQContext()
        _ = try await DeliveryTests.submitNotes(hub, context: context, count: 2, prefix: "r")
        let peer = try RawPeer(hub, context: context, party: "customs")
        defer { peer.close() }
        let (error, delivered) = try await peer.io { peer -> (WireError, [Delivered]) in
            var replay = WireReplay()
            replay.follow = true
            replay.credit = 10
            try peer.send(.replay(replay))
            var hello = WireHello()
            hello.receive = true
            try peer.send(.hello(hello))
            var error: WireError?
            var delivered: [Delivered] = []
            while error == nil || delivered.count < 2 {
                let reply = try peer.expectReply("REPLAY_STATUS, DELIVERs and an ERROR")
                switch reply.command.kind {
                case .error(let refusal): error = refusal
                case .deliver(let deliver): delivered.append(Delivered(header: deliver.header, body: reply.extra.first ?? []))
                case .welcome: throw TestHubError("a WELCOME on a replay connection")
                default: break
                }
            }
            return (error!, delivered)
        }
        #expect(error.code == HubErrorCode.badReplay.rawValue)
        #expect(delivered.map(\.seq) == [1, 2])
    }

    /// A HELLO beyond the journal head is refused with 410 and logged once as an alarm;
    /// one beyond what was delivered (but not beyond the head) is refused without alarm.
    @Test func helloAckedSeqBeyondTheHeadIsRefusedAndAlarmed() async throws {
        let hub = try await Self.startHub()
        let context = try ZMQContext()
        _ = try await DeliveryTests.submitNotes(hub, context: context, count: 3, prefix: "b")
        let peer = try RawPeer(hub, context: context, party: "customs")
        defer { peer.close() }
        let errors = try await peer.io { peer -> [WireError] in
            var errors: [WireError] = []
            for acked: UInt64 in [2, 50, 60] {
                var hello = WireHello()
                hello.receive = true
                hello.ackedSeq = acked
                try peer.send(.hello(hello))
                errors.append(try peer.expectError())
            }
            return errors
        }
        #expect(errors.map(\.code) == Array(repeating: HubErrorCode.badAck.rawValue, count: 3))
        #expect(errors[0].reason.contains("delivered"))
        #expect(errors[1].reason.contains("journal head"))
        let position = try await peer.io { try $0.ackPosition() }
        #expect(position == 0, "a refused HELLO must not move the position")
        let alarms = hub.log().components(separatedBy: "beyond the journal head: the journal may have lost").count - 1
        #expect(alarms == 1, "one alarm per party per run:\n\(hub.log())")
    }
}
