import HubProtocol
import HubRouting
import HubTestSupport
import Testing

/// The contract rules of PROTOCOL.md sections 3, 4, 6.1 and 8 that guard the hub against
/// oversized headers, invented acknowledgements, a HELLO on a replay connection, ids that
/// are not UTF-8, client-chosen routing ids and an overfull journal queue.
@Suite("RouterCore: contract limits")
struct ContractTests {
    /// A SUBMIT command frame with an id given as raw bytes (protobuf encoders refuse to
    /// write a `string` that is not UTF-8): `Command{version 1, submit{header{id, type}}}`.
    static func submitFrame(rawId: [UInt8], rawType typeBytes: [UInt8] = Array("demo.Note".utf8)) -> [UInt8] {
        let header = [0x0A, UInt8(rawId.count)] + rawId + [0x12, UInt8(typeBytes.count)] + typeBytes
        let submit = [0x0A, UInt8(header.count)] + header
        return [0x08, 0x01, 0x62, UInt8(submit.count)] + submit
    }

    static func submitFrames(_ header: WireHeader) -> [[UInt8]] {
        var submit = WireSubmit()
        submit.header = header
        return [WireProtocol.frame(.submit(submit)), Array("body".utf8)]
    }

    @Test func commandFrameOverFourKiBIsRefusedWith417() throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("enterprise")
        var header = WireHeader()
        header.id = "big-header"
        header.type = "demo.Note"
        header.recipients = Array(repeating: "customs", count: 600)
        let frames = Self.submitFrames(header)
        #expect(frames[0].count > RouterCore.maxCommandBytes)
        hub.send(peer, frames)
        #expect(peer.errors.map(\.code) == [HubErrorCode.headerTooLarge.rawValue])
        #expect(peer.errors.first?.id == "big-header")
        // A header just under the limit is read as usual.
        header.id = "fits"
        header.recipients = Array(repeating: "customs", count: 400)
        #expect(Self.submitFrames(header)[0].count <= RouterCore.maxCommandBytes)
        hub.send(peer, Self.submitFrames(header))
        #expect(peer.accepted.map(\.id) == ["fits"])
        #expect(try hub.store.headSeq() == 1)
    }

    @Test(arguments: [128, 129, 60_000])
    func correlationIdOver128BytesIsRefusedWith417(_ length: Int) throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("enterprise")
        var header = WireHeader()
        header.id = "corr-\(length)"
        header.type = "demo.Note"
        header.correlationID = String(repeating: "c", count: length)
        hub.send(peer, Self.submitFrames(header))
        if length <= RouterCore.maxCorrelationIdBytes {
            #expect(peer.accepted.map(\.id) == [header.id])
        } else {
            #expect(peer.errors.map(\.code) == [HubErrorCode.headerTooLarge.rawValue])
            #expect(peer.errors.first?.id == header.id)
            #expect(try hub.store.headSeq() == 0)
        }
    }

    @Test func idThatIsNotUTF8IsRefusedWith405AndOtherBadStringsWith400() throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("enterprise")
        hub.send(peer, [Self.submitFrame(rawId: [0x6F, 0x6B, 0xC3, 0x28]), Array("body".utf8)])
        #expect(peer.errors.map(\.code) == [HubErrorCode.missingId.rawValue])
        #expect(peer.errors.first?.id == "", "an id that is not UTF-8 cannot be echoed in a string")
        // The same frame with a valid id is accepted: the hand-made encoding is right.
        hub.send(peer, [Self.submitFrame(rawId: Array("ok".utf8)), Array("body".utf8)])
        #expect(peer.accepted.map(\.id) == ["ok"])
        // A bad type (not the id) leaves the frame undecodable: 400.
        peer.clear()
        hub.send(peer, [Self.submitFrame(rawId: Array("ok2".utf8), rawType: [0x64, 0xFF]), Array("b".utf8)])
        #expect(peer.errors.map(\.code) == [HubErrorCode.malformedFrame.rawValue])
    }

    /// Every truncation of a SUBMIT whose id is not UTF-8, and the frame with its length
    /// bytes made absurd, get exactly one ERROR (400, or 405 while the id is whole): the
    /// wire walk behind 405 reads only within the frame.
    @Test func truncatedAndCorruptFramesGetOneError() throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("enterprise")
        let frame = Self.submitFrame(rawId: [0x6F, 0xC3, 0x28])
        var variants = (0..<frame.count).map { Array(frame.prefix($0)) }
        for index in frame.indices {
            var corrupt = frame
            corrupt[index] = 0xFF
            variants.append(corrupt)
        }
        for variant in variants {
            peer.clear()
            hub.send(peer, [variant, Array("body".utf8)])
            #expect(peer.received.count == 1, "one reply to \(variant)")
            let codes: Set<UInt32> = [
                HubErrorCode.malformedFrame.rawValue, HubErrorCode.missingId.rawValue, HubErrorCode.unsupportedVersion.rawValue,
                HubErrorCode.unexpectedCommand.rawValue, HubErrorCode.unknownType.rawValue,
            ]
            #expect(peer.errors.count == 1 && codes.contains(peer.errors[0].code), "\(variant): \(peer.received)")
        }
        #expect(try hub.store.headSeq() == 0)
    }

    @Test(arguments: [Array("chosen".utf8), [1, 2, 3, 4, 5], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5]] as [[UInt8]])
    func clientChosenRoutingIdIsRefusedWith418AndIgnored(_ routingId: [UInt8]) throws {
        let hub = try TestConfig.harness()
        let receiver = hub.connect("customs")
        hub.hello(receiver, credit: 10)
        let peer = hub.connect("enterprise", routingId: routingId)
        hub.submit(peer, id: "from-chosen-id")
        hub.hello(peer)
        hub.ping(peer)
        #expect(peer.errors.map(\.code) == Array(repeating: HubErrorCode.routingIdSet.rawValue, count: 3))
        #expect(peer.errors.allSatisfy { $0.reason.contains("ZMQ_ROUTING_ID") })
        #expect(peer.errors.map(\.id) == ["from-chosen-id", "", ""], "the SUBMIT's id is echoed, as for any refusal")
        #expect(try hub.store.headSeq() == 0)
        #expect(receiver.deliveries.isEmpty)
        #expect(!hub.notes.contains(.seen(party: "enterprise")), "ignored: not even seen")
    }

    @Test func helloOnAReplayConnectionIsRefusedWith416() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "r1")
        let replayer = hub.connect("customs")
        var request = WireReplay()
        request.follow = true
        hub.replay(replayer, request)
        #expect(replayer.replayStatuses.first?.phase == .started)
        hub.hello(replayer, credit: 10)
        #expect(replayer.errors.map(\.code) == [HubErrorCode.badReplay.rawValue])
        #expect(replayer.welcomes.isEmpty)
        // The replay goes on: a live message still reaches it.
        let before = replayer.deliveries.count
        hub.ack(replayer, 1)
        hub.submit(sender, id: "r2")
        #expect(replayer.deliveries.count == before + 1)
        // HELLO without receive is refused too (a connection holds a replay or a session).
        hub.hello(replayer, receive: false)
        #expect(replayer.errors.count == 2)
    }

    /// A HELLO may move the position up to what was delivered to the party, not beyond:
    /// 410, and the position stays.
    @Test func helloAckedSeqBeyondTheDeliveredIsRefusedWith410() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 1...5 { hub.submit(sender, id: "d\(index)") }
        let first = hub.connect("customs")
        hub.hello(first, credit: 2)
        #expect(first.deliveredSeqs == [1, 2])
        // A new connection claims 4: never delivered.
        let second = hub.connect("customs")
        hub.hello(second, credit: 2, ackedSeq: 4)
        #expect(second.errors.map(\.code) == [HubErrorCode.badAck.rawValue])
        #expect(second.welcomes.isEmpty)
        #expect(hub.core.acked["customs"] ?? 0 == 0)
        #expect(hub.notes.contains(.helloBeyondHead(party: "customs")) == false)
        // 2 was delivered: accepted, deliveries resume after it.
        hub.hello(second, credit: 10, ackedSeq: 2)
        #expect(second.welcomes.map(\.ackedSeq) == [2])
        #expect(second.deliveredSeqs == [3, 4, 5])
    }

    /// After a restart every seq up to the head the hub started with may have been
    /// delivered by the previous run: believed. Beyond the head: 410, and counted.
    @Test func helloAckedSeqAfterARestartIsBelievedUpToTheHeadAndAlarmedBeyond() throws {
        let before = try TestConfig.harness()
        let sender = before.connect("enterprise")
        for index in 1...3 { before.submit(sender, id: "p\(index)") }
        let hub = try RouterHarness(config: TestConfig.config(), store: before.store)
        let peer = hub.connect("customs")
        hub.hello(peer, credit: 10, ackedSeq: 9)
        hub.hello(peer, credit: 10, ackedSeq: 4)
        #expect(peer.errors.map(\.code) == [HubErrorCode.badAck.rawValue, HubErrorCode.badAck.rawValue])
        #expect(peer.errors.allSatisfy { $0.reason.contains("journal head") })
        #expect(hub.notes.filter { $0 == .helloBeyondHead(party: "customs") }.count == 2)
        hub.hello(peer, credit: 10, ackedSeq: 2)
        #expect(peer.welcomes.map(\.ackedSeq) == [2])
        #expect(peer.deliveredSeqs == [3])
    }

    /// While `max_pending` submissions wait for the journal the core says so (the router
    /// then stops reading its socket) and refuses a SUBMIT read anyway with 301; the
    /// journal's answers make room again, and the weight goes back to zero.
    @Test func fullJournalQueueIsReportedAndRefused() throws {
        let hub = try TestConfig.harness(hub: ["max_pending: 3"])
        hub.journalsAutomatically = false
        let peer = hub.connect("enterprise")
        for index in 1...3 { hub.submit(peer, id: "q\(index)", body: [UInt8](repeating: 1, count: 100)) }
        #expect(hub.core.ingressFull)
        #expect(hub.core.pendingBytes == 3 * (100 + RouterCore.pendingOverheadBytes))
        hub.submit(peer, id: "q4")
        #expect(peer.errors.map(\.code) == [HubErrorCode.hubBusy.rawValue])
        #expect(peer.errors.first?.id == "q4")
        hub.runJournal()
        #expect(peer.accepted.map(\.id) == ["q1", "q2", "q3"])
        #expect(!hub.core.ingressFull)
        #expect(hub.core.pending == 0)
        #expect(hub.core.pendingBytes == 0)
    }

    @Test func pendingBytesLimitFollowsTheBodyLimit() throws {
        let hub = try TestConfig.harness()
        #expect(hub.core.pendingBytesLimit == 64 << 20, "1 KiB bodies: the 64 MiB floor")
    }
}
