import HubProtocol
import HubTestSupport
import Testing

/// One bad frame set (after the routing id) and the ERROR it must get.
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

    static func submit(id: String, type: String = "demo.Note", to recipients: [String] = [], body: [UInt8]? = Array("body".utf8))
        -> [[UInt8]]
    {
        RouterHarness.submitFrames(id: id, type: type, to: recipients, body: body)
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

    static let claimingSender = { () -> [[UInt8]] in
        var header = WireHeader()
        header.id = "claims-bank"
        header.type = "demo.Note"
        header.sender = "bank"
        var submit = WireSubmit()
        submit.header = header
        return [WireProtocol.frame(.submit(submit)), Array("body".utf8)]
    }()

    /// The cases of `HubServerTests/BadInputTests`, and a sender claiming another party.
    static let all: [BadInput] = [
        BadInput(name: "garbage first frame", setup: .none, frames: [garbage], code: .malformedFrame, id: ""),
        BadInput(name: "garbage first frame with a body", setup: .none, frames: [garbage, [1, 2, 3]], code: .malformedFrame, id: ""),
        BadInput(
            name: "SUBMIT without body frame", setup: .none, frames: submit(id: "no-body", body: nil), code: .wrongFrameCount, id: "no-body"
        ),
        BadInput(
            name: "SUBMIT with two body frames", setup: .none, frames: submit(id: "two-bodies") + [Array("second body".utf8)],
            code: .wrongFrameCount, id: "two-bodies"),
        BadInput(
            name: "HELLO with an extra frame", setup: .none, frames: [WireProtocol.frame(.hello(WireHello())), [0]], code: .wrongFrameCount,
            id: ""),
        BadInput(
            name: "PING with an extra frame", setup: .none, frames: [WireProtocol.frame(.ping(WirePing())), [0]], code: .wrongFrameCount,
            id: ""),
        BadInput(name: "ACK with an extra frame", setup: .hello(receive: true), frames: [ack7, [0]], code: .wrongFrameCount, id: ""),
        BadInput(
            name: "REPLAY with an extra frame", setup: .none, frames: [WireProtocol.frame(.replay(WireReplay())), [0]],
            code: .wrongFrameCount, id: ""),
        BadInput(
            name: "version 3 SUBMIT", setup: .none, frames: RouterHarness.submitFrames(id: "v3", version: 3), code: .unsupportedVersion,
            id: "v3"),
        BadInput(name: "version 3 PING", setup: .none, frames: [command(version: 3, .ping(WirePing()))], code: .unsupportedVersion, id: ""),
        // An empty buffer is a valid encoding of `Command{}`: version 0.
        BadInput(name: "zero-length first frame", setup: .none, frames: [[]], code: .unsupportedVersion, id: ""),
        BadInput(name: "zero-length first frame and body", setup: .none, frames: [[], []], code: .unsupportedVersion, id: ""),
        BadInput(
            name: "unknown type", setup: .none, frames: submit(id: "bad-type", type: "demo.Unknown"), code: .unknownType, id: "bad-type"),
        BadInput(name: "empty type", setup: .none, frames: submit(id: "no-type", type: ""), code: .unknownType, id: "no-type"),
        BadInput(name: "empty id", setup: .none, frames: submit(id: ""), code: .missingId, id: ""),
        BadInput(
            name: "129-byte id", setup: .none, frames: submit(id: String(repeating: "x", count: 129)), code: .missingId,
            id: String(repeating: "x", count: 129)),
        BadInput(
            name: "body over max_body_bytes", setup: .none, frames: submit(id: "too-big", body: [UInt8](repeating: 0x61, count: 1025)),
            code: .bodyTooLarge, id: "too-big"),
        BadInput(
            name: "unknown explicit recipient", setup: .none, frames: submit(id: "bad-recipient", to: ["customs", "nobody"]),
            code: .unknownRecipient, id: "bad-recipient"),
        BadInput(name: "header claims another sender", setup: .none, frames: claimingSender, code: .senderMismatch, id: "claims-bank"),
        BadInput(
            name: "client sends DELIVER", setup: .none, frames: [WireProtocol.frame(.deliver(WireDeliver())), Array("body".utf8)],
            code: .unexpectedCommand, id: ""),
        BadInput(
            name: "client sends WELCOME", setup: .none, frames: [WireProtocol.frame(.welcome(WireWelcome()))], code: .unexpectedCommand,
            id: ""),
        BadInput(
            name: "client sends ACCEPTED", setup: .none, frames: [WireProtocol.frame(.accepted(WireAccepted()))], code: .unexpectedCommand,
            id: ""),
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

/// Every malformed or invalid frame set gets exactly one ERROR with its stable code, and
/// neither the connection nor other parties suffer from it (`HubServerTests/BadInputTests`).
@Suite("RouterCore: bad input")
struct BadInputTests {
    @Test(arguments: BadInput.all)
    func badInputIsRefusedAndHarmless(_ input: BadInput) throws {
        let hub = try TestConfig.harness()
        let bystander = hub.connect("customs")
        hub.hello(bystander)
        let peer = hub.connect("enterprise")
        switch input.setup {
        case .none: break
        case .hello(let receive): hub.hello(peer, credit: 10, receive: receive)
        }
        peer.clear()
        hub.send(peer, input.frames)
        #expect(peer.received.count == 1, "exactly one reply: \(peer.received)")
        let error = try #require(peer.errors.first)
        #expect(error.code == input.code.rawValue, "got \(error.code) \(error.name): \(error.reason)")
        #expect(error.name == input.code.name)
        #expect(!error.reason.isEmpty)
        #expect(error.id == input.id)

        // The same connection goes on working, and nothing of the bad frame set was journaled.
        hub.submit(peer, id: "good-after-bad")
        #expect(peer.accepted.map(\.seq) == [1])
        #expect(peer.received.count == 2)
        // Another party is unaffected: it submits, and it receives the good message.
        hub.submit(bystander, id: "bystander-1")
        #expect(bystander.accepted.map(\.seq) == [2])
        #expect(bystander.deliveries.map(\.header.id) == ["good-after-bad"])
    }

    @Test(arguments: [nil, "mallory"] as [String?])
    func connectionWithoutAKnownPartyIsRefused(_ party: String?) throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect(party)
        hub.submit(peer, id: "anonymous")
        hub.hello(peer)
        #expect(peer.errors.map(\.code) == Array(repeating: HubErrorCode.notAuthenticated.rawValue, count: 2))
        #expect(try hub.store.headSeq() == 0)
        #expect(hub.notes.isEmpty, "an unknown party is not counted as seen")
    }

    @Test func bodyAtTheLimitIsAcceptedAndEmptyBodyToo() throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("enterprise")
        hub.submit(peer, id: "at-limit", body: [UInt8](repeating: 0x62, count: 1024))
        hub.submit(peer, id: "empty-body", body: [])
        #expect(peer.accepted.map(\.id) == ["at-limit", "empty-body"])
        #expect(try hub.store.record(sender: "enterprise", id: "at-limit")?.body.count == 1024)
        #expect(try hub.store.record(sender: "enterprise", id: "empty-body")?.body == [])
    }

    @Test func ackBeyondTheLastDeliveryIsRefused() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 1...3 { hub.submit(sender, id: "m\(index)") }
        let receiver = hub.connect("customs")
        hub.hello(receiver, credit: 10)
        #expect(receiver.deliveredSeqs == [1, 2, 3])
        hub.ack(receiver, 4)
        #expect(receiver.errors.map(\.code) == [HubErrorCode.badAck.rawValue])
        // Valid ones get no reply: the last delivered, then one below the position.
        hub.ack(receiver, 3)
        hub.ack(receiver, 1)
        #expect(receiver.errors.count == 1)
        hub.ping(receiver)
        #expect(receiver.pongs.last?.ackedSeq == 3, "the refused ACK must not move the position, the valid one must")
    }

    /// While draining, SUBMIT, HELLO and REPLAY get 503 SHUTTING_DOWN; what was handed to the
    /// journal before is still answered, and then the router is drained.
    @Test func drainingRefusesNewWorkAndAnswersWhatIsInFlight() throws {
        let hub = try TestConfig.harness()
        hub.journalsAutomatically = false
        let peer = hub.connect("enterprise")
        hub.submit(peer, id: "in-flight")
        hub.beginDraining()
        #expect(!hub.core.isDrained)
        hub.submit(peer, id: "too-late")
        hub.hello(peer)
        hub.replay(peer, WireReplay())
        #expect(peer.errors.map(\.code) == Array(repeating: HubErrorCode.shuttingDown.rawValue, count: 3))
        #expect(peer.errors.first?.id == "too-late")
        hub.runJournal()
        #expect(peer.accepted.map(\.id) == ["in-flight"])
        #expect(hub.core.isDrained)
    }

    /// A failed group commit answers each of its submitters 501 JOURNAL_FAILURE with its id;
    /// the hub goes on serving and the resubmission is accepted.
    @Test func failedCommitAnswersJournalFailure() throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("enterprise")
        hub.store.inject(.nextAppend)
        hub.turn {
            hub.submit(peer, id: "lost-1")
            hub.submit(peer, id: "lost-2")
        }
        #expect(peer.errors.map(\.code) == [HubErrorCode.journalFailure.rawValue, HubErrorCode.journalFailure.rawValue])
        #expect(peer.errors.map(\.id) == ["lost-1", "lost-2"])
        #expect(hub.core.pending == 0)
        hub.submit(peer, id: "lost-1")
        #expect(peer.accepted.map(\.seq) == [1])
    }
}
