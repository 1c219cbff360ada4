import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Testing
import ZeroMQ

/// Batches on the wire (PROTOCOL.md section 16) against a real `swhub serve`, with raw
/// DEALER peers speaking the frames as any client would: SUBMIT_BATCH answered by one
/// ACCEPTED_BATCH, DELIVER_BATCHes only for a session that asked, plain DELIVERs for one
/// that did not.
@Suite("Batches on the wire", .serialized, .timeLimit(.minutes(1)))
struct BatchWireTests {
    static let parties: [TestHub.PartySpec] = [
        .init(id: "enterprise"), .init(id: "bank"), .init(id: "customs", subscribes: ["demo.Note"]), .init(id: "post"),
    ]

    static func batchFrames(batch: UInt64, ids: [String], to recipients: [String]) -> (frames: [[UInt8]], bodies: [[UInt8]]) {
        var submit = WireSubmitBatch()
        submit.batch = batch
        var bodies: [[UInt8]] = []
        for (index, id) in ids.enumerated() {
            var header = WireHeader()
            header.id = id
            header.type = "demo.Note"
            header.recipients = recipients
            submit.headers.append(header)
            let body = Array("body \(index) ".utf8) + Array(repeating: UInt8(index % 251), count: index % 300)
            submit.bodySizes.append(UInt32(body.count))
            bodies.append(body)
        }
        return ([WireProtocol.frame(.submitBatch(submit)), bodies.flatMap { $0 }], bodies)
    }

    /// Receives until `count` messages arrived, as DELIVER_BATCHes (`batched`) or DELIVERs,
    /// acknowledging each frame set's last seq; fails on any other frame set.
    static func receive(_ peer: RawPeer, count: Int, batched: Bool) throws -> (deliveries: [Delivered], frameSets: Int) {
        var got: [Delivered] = []
        var frameSets = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while got.count < count, ContinuousClock.now < deadline {
            try peer.pingIfDue(everyMs: 250)
            guard let reply = try peer.receive(timeoutMs: 50) else { continue }
            switch reply.command.kind {
            case .pong:
                continue
            case .deliverBatch(let batch) where batched:
                guard reply.command.version == 2, reply.extra.count == 1 else { throw TestHubError("DELIVER_BATCH malformed: \(reply)") }
                guard batch.headers.count == batch.bodySizes.count, batch.headers.count <= 50 else {
                    throw TestHubError("DELIVER_BATCH of \(batch.headers.count) headers, \(batch.bodySizes.count) sizes")
                }
                var start = 0
                for (header, size) in zip(batch.headers, batch.bodySizes) {
                    got.append(Delivered(header: header, body: Array(reply.extra[0][start..<(start + Int(size))])))
                    start += Int(size)
                }
                guard start == reply.extra[0].count else { throw TestHubError("body sizes do not cover the bodies frame") }
                frameSets += 1
                try peer.ack(got[got.count - 1].seq)
            case .deliver(let deliver) where !batched:
                guard reply.command.version == 1 else { throw TestHubError("DELIVER with version \(reply.command.version)") }
                got.append(Delivered(header: deliver.header, body: reply.extra[0]))
                frameSets += 1
                try peer.ack(deliver.header.seq)
            default:
                throw TestHubError("unexpected \(reply)")
            }
        }
        return (got, frameSets)
    }

    @Test func aBatchIsAcceptedAsOneAnswerAndDeliveredAsBatchesOnlyToWhoAsked() async throws {
        // Raw peers PING only while they read: a long heartbeat keeps their sessions on a loaded machine.
        let hub = try TestHub(parties: Self.parties, heartbeatMs: 10_000)
        try await hub.start()
        let context = try ZMQContext()
        let sender = try RawPeer(hub, context: context, party: "enterprise")
        let customs = try RawPeer(hub, context: context, party: "customs")
        let bank = try RawPeer(hub, context: context, party: "bank")
        defer {
            sender.close()
            customs.close()
            bank.close()
        }
        // customs asks for batches of up to 50 with a credit of 120; bank speaks version 1.
        let welcome = try await customs.io { peer -> WireWelcome in
            var hello = WireHello()
            hello.receive = true
            hello.credit = 120
            hello.batchDeliveries = 50
            try peer.send(.hello(hello))
            let reply = try peer.expectReply("WELCOME")
            guard case .welcome(let welcome) = reply.command.kind else { throw TestHubError("expected WELCOME, got \(reply)") }
            return welcome
        }
        #expect(welcome.protocolVersion == 2 && welcome.maxBatchEntries == 1000 && welcome.credit == 120)
        _ = try await bank.io { try $0.hello(credit: 1000) }

        let ids = (0..<300).map { "batch-\($0)" }
        let (frames, bodies) = Self.batchFrames(batch: 42, ids: ids, to: ["bank"])
        // The receivers read (and so PING) from now on, while the batch is journaled.
        async let customsGot = customs.io { try Self.receive($0, count: 300, batched: true) }
        async let bankGot = bank.io { try Self.receive($0, count: 300, batched: false) }
        let answer = try await sender.io { peer -> Reply in
            try peer.sendFrames(frames)
            return try peer.expectReply("ACCEPTED_BATCH")
        }
        guard case .acceptedBatch(let accepted) = answer.command.kind else {
            Issue.record("expected ACCEPTED_BATCH, got \(answer)")
            return
        }
        #expect(answer.command.version == 2)
        #expect(accepted.batch == 42)
        let answeredInOrder =
            accepted.results.map(\.accepted.id) == ids && accepted.results.map(\.accepted.seq) == Array(1...300).map(UInt64.init)
        #expect(answeredInOrder, "one result per entry, in order, seqs 1...300")
        #expect(accepted.results.allSatisfy { $0.accepted.recipients == 2 })

        let (batched, single) = try await (customsGot, bankGot)
        // Compared first: a failed expectation on the arrays would print them whole.
        let inOrder = batched.deliveries.map(\.seq) == Array(1...300).map(UInt64.init)
        let sameBodies = batched.deliveries.map(\.body) == bodies
        #expect(inOrder && sameBodies, "each body byte for byte, in seq order (\(batched.deliveries.count) received)")
        #expect(batched.deliveries.allSatisfy { $0.header.recipients == ["customs"] && $0.header.sender == "enterprise" })
        // Each entry's header written from the bytes shared by its message's two recipients.
        let headersWhole = batched.deliveries.map(\.header.id) == ids && batched.deliveries.allSatisfy { $0.header.journaledAtUs > 0 }
        #expect(headersWhole, "each entry's own id and journal time")
        #expect(batched.frameSets < 300, "customs got its messages in batches (\(batched.frameSets) frame sets)")
        let singleBodies = single.deliveries.map(\.body) == bodies
        #expect(singleBodies, "\(single.deliveries.count) received")
        #expect(single.frameSets == 300, "bank, which did not ask, got one DELIVER per message")

        // The same batch again: every entry a duplicate of its original.
        let again = try await sender.io { peer -> Reply in
            try peer.sendFrames(frames)
            return try peer.expectReply("ACCEPTED_BATCH")
        }
        guard case .acceptedBatch(let repeated) = again.command.kind else {
            Issue.record("expected ACCEPTED_BATCH, got \(again)")
            return
        }
        #expect(repeated.results.allSatisfy { $0.accepted.duplicate })
        let sameSeqs = repeated.results.map(\.accepted.seq) == accepted.results.map(\.accepted.seq)
        #expect(sameSeqs, "duplicates carry their original seqs")
    }

    @Test func aMalformedBatchGetsOneErrorNamingIt() async throws {
        // Raw peers PING only while they read: a long heartbeat keeps their sessions on a loaded machine.
        let hub = try TestHub(parties: Self.parties, heartbeatMs: 10_000)
        try await hub.start()
        let context = try ZMQContext()
        let sender = try RawPeer(hub, context: context, party: "enterprise")
        defer { sender.close() }
        var (bad, _) = Self.batchFrames(batch: 9, ids: ["m1", "m2"], to: [])
        bad[1].append(0)
        let frames = bad
        let error = try await sender.io { peer -> WireError in
            try peer.sendFrames(frames)
            return try peer.expectError()
        }
        #expect(error.code == HubErrorCode.badBatch.rawValue && error.name == "BAD_BATCH")
        #expect(error.batch == 9 && error.id.isEmpty)
        // The connection goes on: a good batch right after is accepted.
        let (good, _) = Self.batchFrames(batch: 10, ids: ["m1", "m2"], to: [])
        let answer = try await sender.io { peer -> Reply in
            try peer.sendFrames(good)
            return try peer.expectReply("ACCEPTED_BATCH")
        }
        guard case .acceptedBatch(let accepted) = answer.command.kind else {
            Issue.record("expected ACCEPTED_BATCH, got \(answer)")
            return
        }
        #expect(accepted.batch == 10 && accepted.results.map(\.accepted.seq) == [1, 2])
    }
}
