import Foundation
import HubClient
import HubProtocol
import Testing
import ZeroMQ

/// One bad frame set and the ERROR it must get.
struct BadInput: Sendable, CustomTestStringConvertible {
    enum Setup: Sendable {
        case none
        case hello(receive: Bool)
    }

    let name: String
    let setup: Setup
    let frames: [[UInt8]]
    let code: HubErrorCode
    /// The id the ERROR must carry back ("" when the frame set has none).
    let id: String

    var testDescription: String { "\(name) → \(code)" }

    static let garbage: [UInt8] = [0x0F, 0xFF] + Array("garbage, not a command".utf8)  // field 1, wire type 7

    static func command(version: UInt32 = WireProtocol.version, _ kind: WireCommand.OneOf_Kind?) -> [UInt8] {
        var command = WireCommand()
        command.version = version
        command.kind = kind
        return (try? command.serializedBytes()) ?? []
    }

    static func submitCommand(id: String, version: UInt32) -> [UInt8] {
        var header = WireHeader()
        header.id = id
        header.type = "demo.Note"
        var submit = WireSubmit()
        submit.header = header
        return command(version: version, .submit(submit))
    }

    /// A SUBMIT of `header`, with a small body.
    static func submit(header: WireHeader) -> [[UInt8]] {
        var submit = WireSubmit()
        submit.header = header
        return [WireProtocol.frame(.submit(submit)), Array("body".utf8)]
    }

    /// A SUBMIT whose command frame is over 4 KiB (600 recipients, each one valid).
    static let bigHeader = { () -> [[UInt8]] in
        var header = WireHeader()
        header.id = "big-header"
        header.type = "demo.Note"
        header.recipients = Array(repeating: "customs", count: 600)
        return submit(header: header)
    }()

    /// A SUBMIT with a 129-byte correlation id.
    static let longCorrelation = { () -> [[UInt8]] in
        var header = WireHeader()
        header.id = "long-correlation"
        header.type = "demo.Note"
        header.correlationID = String(repeating: "c", count: 129)
        return submit(header: header)
    }()

    /// A SUBMIT whose id is not UTF-8, encoded by hand (protobuf encoders refuse to write
    /// it): `Command{version 1, submit{header{id = 6F C3 28, type = "demo.Note"}}}`.
    static let idNotUTF8: [[UInt8]] = {
        let header: [UInt8] = [0x0A, 3, 0x6F, 0xC3, 0x28, 0x12, 9] + Array("demo.Note".utf8)
        let submit: [UInt8] = [0x0A, UInt8(header.count)] + header
        return [[0x08, 0x01, 0x62, UInt8(submit.count)] + submit, Array("body".utf8)]
    }()

    static let ack7 = { () -> [UInt8] in
        var ack = WireAck()
        ack.seq = 7
        return WireProtocol.frame(.ack(ack))
    }()

    static let all: [BadInput] = [
        BadInput(name: "garbage first frame", setup: .none, frames: [garbage], code: .malformedFrame, id: ""),
        BadInput(name: "garbage first frame with a body", setup: .none, frames: [garbage, [1, 2, 3]], code: .malformedFrame, id: ""),
        BadInput(
            name: "SUBMIT without body frame", setup: .none,
            frames: RawPeer.submitFrames(id: "no-body", body: nil), code: .wrongFrameCount, id: "no-body"),
        BadInput(
            name: "SUBMIT with two body frames", setup: .none,
            frames: RawPeer.submitFrames(id: "two-bodies") + [Array("second body".utf8)], code: .wrongFrameCount, id: "two-bodies"),
        BadInput(
            name: "HELLO with an extra frame", setup: .none,
            frames: [WireProtocol.frame(.hello(WireHello())), [0]], code: .wrongFrameCount, id: ""),
        BadInput(
            name: "PING with an extra frame", setup: .none,
            frames: [WireProtocol.frame(.ping(WirePing())), [0]], code: .wrongFrameCount, id: ""),
        BadInput(name: "ACK with an extra frame", setup: .hello(receive: true), frames: [ack7, [0]], code: .wrongFrameCount, id: ""),
        BadInput(
            name: "version 3 SUBMIT", setup: .none,
            frames: [submitCommand(id: "v3", version: 3), Array("body".utf8)], code: .unsupportedVersion, id: "v3"),
        BadInput(
            name: "version 3 PING", setup: .none, frames: [command(version: 3, .ping(WirePing()))], code: .unsupportedVersion, id: ""),
        // An empty buffer is a valid encoding of `Command{}`: version 0 (PROTOCOL.md §8/§9).
        BadInput(name: "zero-length first frame", setup: .none, frames: [[]], code: .unsupportedVersion, id: ""),
        BadInput(name: "zero-length first frame and body", setup: .none, frames: [[], []], code: .unsupportedVersion, id: ""),
        BadInput(
            name: "unknown type", setup: .none,
            frames: RawPeer.submitFrames(id: "bad-type", type: "demo.Unknown"), code: .unknownType, id: "bad-type"),
        BadInput(
            name: "empty type", setup: .none, frames: RawPeer.submitFrames(id: "no-type", type: ""), code: .unknownType, id: "no-type"),
        BadInput(name: "empty id", setup: .none, frames: RawPeer.submitFrames(id: ""), code: .missingId, id: ""),
        BadInput(
            name: "129-byte id", setup: .none, frames: RawPeer.submitFrames(id: String(repeating: "x", count: 129)),
            code: .missingId, id: String(repeating: "x", count: 129)),
        BadInput(
            name: "body over max_body_bytes", setup: .none,
            frames: RawPeer.submitFrames(id: "too-big", body: [UInt8](repeating: 0x61, count: 1025)), code: .bodyTooLarge, id: "too-big"),
        BadInput(
            name: "unknown explicit recipient", setup: .none,
            frames: RawPeer.submitFrames(id: "bad-recipient", recipients: ["customs", "nobody"]), code: .unknownRecipient,
            id: "bad-recipient"),
        BadInput(
            name: "client sends DELIVER", setup: .none,
            frames: [WireProtocol.frame(.deliver(WireDeliver())), Array("body".utf8)], code: .unexpectedCommand, id: ""),
        BadInput(
            name: "client sends WELCOME", setup: .none, frames: [WireProtocol.frame(.welcome(WireWelcome()))],
            code: .unexpectedCommand, id: ""),
        BadInput(
            name: "client sends ACCEPTED", setup: .none, frames: [WireProtocol.frame(.accepted(WireAccepted()))],
            code: .unexpectedCommand, id: ""),
        BadInput(
            name: "client sends PONG", setup: .none, frames: [WireProtocol.frame(.pong(WirePong()))], code: .unexpectedCommand, id: ""),
        BadInput(name: "command with no kind", setup: .none, frames: [command(nil)], code: .unexpectedCommand, id: ""),
        // Field 99 (unknown to this hub) as the only content: a kind from a later version.
        BadInput(
            name: "unknown command kind", setup: .none, frames: [command(nil) + [0x9A, 0x06, 0x00]], code: .unexpectedCommand, id: ""),
        BadInput(name: "command frame over 4 KiB", setup: .none, frames: bigHeader, code: .headerTooLarge, id: "big-header"),
        BadInput(
            name: "129-byte correlation id", setup: .none, frames: longCorrelation, code: .headerTooLarge, id: "long-correlation"),
        BadInput(name: "id not UTF-8", setup: .none, frames: idNotUTF8, code: .missingId, id: ""),
        BadInput(name: "ACK without HELLO", setup: .none, frames: [ack7], code: .noSession, id: ""),
        BadInput(name: "ACK after HELLO without receive", setup: .hello(receive: false), frames: [ack7], code: .noSession, id: ""),
        BadInput(name: "ACK beyond anything delivered", setup: .hello(receive: true), frames: [ack7], code: .badAck, id: ""),
    ]
}

/// Every malformed or invalid frame set gets exactly one ERROR with the documented code,
/// and neither the connection nor other parties suffer from it.
@Suite("Bad input from a raw DEALER", .serialized, .timeLimit(.minutes(2)))
struct BadInputTests {
    static let parties: [TestHub.PartySpec] = [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])]

    static func startHub() async throws -> TestHub {
        let hub = try TestHub(parties: parties, extraHub: ["max_body_bytes: 1024"])
        try await hub.start()
        return hub
    }

    @Test(arguments: BadInput.all)
    func badInputIsRefusedAndHarmless(_ input: BadInput) async throws {
        let hub = try await Self.startHub()
        let bystander = try hub.client("customs", receive: true)
        defer { bystander.close() }
        let inbox = DeliveryInbox(bystander)
        try await bystander.connect()

        let context = try ZMQContext()
        let peer = try RawPeer(hub, context: context, party: "enterprise")
        defer { peer.close() }
        let (error, accepted) = try await peer.io { peer -> (WireError, WireAccepted) in
            switch input.setup {
            case .none: break
            case .hello(let receive): _ = try peer.hello(credit: 10, receive: receive)
            }
            try peer.sendFrames(input.frames)
            let error = try peer.expectError()
            // The same connection goes on working; the next frame set is the answer to this.
            try peer.submit(id: "good-after-bad")
            return (error, try peer.expectAccepted())
        }
        #expect(error.code == input.code.rawValue, "got \(error.code) \(error.name): \(error.reason)")
        #expect(error.name == input.code.name)
        #expect(!error.reason.isEmpty)
        if input.code != .unsupportedVersion && !(input.code == .missingId && !input.id.isEmpty) {
            // (the id of those two is checked by the dedicated tests below)
            #expect(error.id == input.id)
        }
        #expect(accepted.id == "good-after-bad")
        #expect(accepted.seq == 1, "the bad frame set must not have been journaled")
        #expect(accepted.duplicate == false)

        // Exactly one reply: nothing else follows.
        let extra = try await peer.io { try $0.receive(timeoutMs: 300) }
        #expect(extra == nil, "a second reply: \(String(describing: extra))")

        // Another party is unaffected: it submits, and it receives the good message.
        let own = try await bystander.submit(type: "demo.Note", body: Array("bystander".utf8), id: "bystander-1")
        #expect(own.seq == 2)
        let delivered = try await inbox.wait(for: 1, within: .seconds(5))
        #expect(delivered.first?.header.id == "good-after-bad")
        #expect(hub.isRunning)
    }

    @Test func bodyAtTheLimitIsAcceptedAndEmptyBodyToo() async throws {
        let hub = try await Self.startHub()
        let context = try ZMQContext()
        let peer = try RawPeer(hub, context: context, party: "enterprise")
        defer { peer.close() }
        let replies = try await peer.io { peer -> [WireAccepted] in
            try peer.submit(id: "at-limit", body: [UInt8](repeating: 0x62, count: 1024))
            let first = try peer.expectAccepted()
            try peer.submit(id: "empty-body", body: [])
            return [first, try peer.expectAccepted()]
        }
        #expect(replies.map(\.id) == ["at-limit", "empty-body"])
        await hub.terminate()
        let journal = try hub.openJournal()
        #expect(try journal.record(sender: "enterprise", id: "at-limit")?.body.count == 1024)
        #expect(try journal.record(sender: "enterprise", id: "empty-body")?.body == [])
    }

    @Test func ackBeyondTheLastDeliveryIsRefused() async throws {
        let hub = try await Self.startHub()
        let context = try ZMQContext()
        let sender = try RawPeer(hub, context: context, party: "enterprise")
        defer { sender.close() }
        let receiver = try RawPeer(hub, context: context, party: "customs")
        defer { receiver.close() }
        try await sender.io { peer in
            for index in 1...3 {
                try peer.submit(id: "m\(index)")
                _ = try peer.expectAccepted()
            }
        }
        let (delivered, error, pong) = try await receiver.io { peer -> ([Delivered], WireError, UInt64) in
            _ = try peer.hello(credit: 10)
            let delivered = try peer.receiveDelivers(withinMs: 5000) { $0.count == 3 }
            try peer.ack(delivered.last!.seq + 1)
            var error: WireError?
            while error == nil {
                let reply = try peer.expectReply("ERROR 410")
                if case .error(let e) = reply.command.kind { error = e }
            }
            // Valid ones get no reply: the last delivered, then one below the position.
            try peer.ack(delivered.last!.seq)
            try peer.ack(1)
            if let stray = try peer.receive(timeoutMs: 300) { throw TestHubError("a valid ACK was answered: \(stray)") }
            return (delivered, error!, try peer.ackPosition())
        }
        #expect(delivered.map(\.seq) == [1, 2, 3])
        #expect(error.code == HubErrorCode.badAck.rawValue)
        #expect(pong == 3, "the refused ACK must not move the position, the valid one must")
    }

    /// PROTOCOL.md §8: `Error.id` is "the refused SUBMIT's message id when it could be read";
    /// a version-2 SUBMIT decodes (the hub decodes it to read the version), so its id can be read.
    @Test func unsupportedVersionRefusalCarriesTheId() async throws {
        let hub = try await Self.startHub()
        let context = try ZMQContext()
        let peer = try RawPeer(hub, context: context, party: "enterprise")
        defer { peer.close() }
        let error = try await peer.io { peer -> WireError in
            try peer.sendFrames([BadInput.submitCommand(id: "v3-id", version: 3), Array("body".utf8)])
            return try peer.expectError()
        }
        #expect(error.code == HubErrorCode.unsupportedVersion.rawValue)
        #expect(error.id == "v3-id", "a client cannot correlate this refusal with its request")
    }

    /// A 129-byte id is refused with 405, and the refusal carries that id so the submitter
    /// can match it. The SDK correlates by id: it must fail fast with `.rejected` /
    /// `.missingId`, not wait for its request timeout.
    @Test func overlongIdRefusalReachesTheSubmitter() async throws {
        let hub = try await Self.startHub()
        let id = String(repeating: "y", count: 129)
        let context = try ZMQContext()
        let peer = try RawPeer(hub, context: context, party: "enterprise")
        defer { peer.close() }
        let error = try await peer.io { peer -> WireError in
            try peer.submit(id: id)
            return try peer.expectError()
        }
        #expect(error.code == HubErrorCode.missingId.rawValue)
        #expect(error.id == id, "ERROR id is \(error.id.utf8.count) bytes, the SUBMIT's was 129")

        let client = try hub.client("enterprise", requestTimeout: .seconds(4))
        defer { client.close() }
        let start = ContinuousClock.now
        let thrown = await #expect(throws: HubClientError.self) {
            try await client.submit(type: "demo.Note", body: [], id: id)
        }
        #expect(thrown?.code == .rejected, "got \(String(describing: thrown)) after \(ContinuousClock.now - start)")
        #expect(thrown?.hubCode == .missingId)
    }
}
