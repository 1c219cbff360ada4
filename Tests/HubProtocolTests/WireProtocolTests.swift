import HubProtocol
import Testing

@Suite("WireProtocol")
struct WireProtocolTests {
    @Test func constants() {
        #expect(WireProtocol.version == 1)
        #expect(WireProtocol.maxIdBytes == 128)
    }

    @Test(arguments: WireFixtures.v1Kinds.map(KindArgument.init))
    func frameIsAVersion1CommandOfThatKind(_ argument: KindArgument) throws {
        let frame = WireProtocol.frame(argument.kind)
        #expect(!frame.isEmpty)
        let command = try WireCommand(serializedBytes: frame)
        #expect(command.version == 1)
        #expect(command.kind == argument.kind)
    }

    /// The batch commands are version 2's (PROTOCOL.md section 9): a version-1 client never
    /// sees version 2, since it never gets a batch.
    @Test(arguments: WireFixtures.batchKinds.map(KindArgument.init))
    func batchCommandsCarryVersion2(_ argument: KindArgument) throws {
        let command = try WireCommand(serializedBytes: WireProtocol.frame(argument.kind))
        #expect(command.version == WireProtocol.batchVersion)
        #expect(command.kind == argument.kind)
        #expect(WireProtocol.speaks(1) && WireProtocol.speaks(2) && !WireProtocol.speaks(0) && !WireProtocol.speaks(3))
    }

    @Test func frameOfEmptyMessageStillCarriesVersionAndKind() throws {
        let command = try WireCommand(serializedBytes: WireProtocol.frame(.ack(WireAck())))
        #expect(command.version == WireProtocol.version)
        guard case .ack(let ack)? = command.kind else {
            Issue.record("expected an ACK, got \(String(describing: command.kind))")
            return
        }
        #expect(ack.seq == 0)
    }

    @Test func commandSetsVersionAndKind() {
        let command = WireProtocol.command(.ping(WireFixtures.ping))
        #expect(command.version == 1)
        #expect(command.kind == .ping(WireFixtures.ping))
        #expect(command.ping.nonce == WireFixtures.ping.nonce)
    }

    @Test func errorCarriesCodeNameReasonAndId() throws {
        let kind = WireProtocol.error(.senderMismatch, reason: "header claims sender 'tax'", id: "m-17")
        guard case .error(let error) = kind else {
            Issue.record("expected an ERROR kind, got \(kind)")
            return
        }
        #expect(error.code == 403)
        #expect(error.name == "SENDER_MISMATCH")
        #expect(error.reason == "header claims sender 'tax'")
        #expect(error.id == "m-17")

        // And it survives the trip through a frame.
        let command = try WireCommand(serializedBytes: WireProtocol.frame(kind))
        #expect(command.version == 1)
        #expect(command.error == error)
    }

    @Test func errorIdDefaultsToEmpty() {
        guard case .error(let error) = WireProtocol.error(.hubBusy, reason: "queue full") else {
            Issue.record("expected an ERROR kind")
            return
        }
        #expect(error.code == 301)
        #expect(error.name == "HUB_BUSY")
        #expect(error.reason == "queue full")
        #expect(error.id.isEmpty)
    }

    @Test(arguments: HubErrorCode.all)
    func errorForEveryCode(_ code: HubErrorCode) {
        guard case .error(let error) = WireProtocol.error(code, reason: "r", id: "i") else {
            Issue.record("expected an ERROR kind")
            return
        }
        #expect(error.code == code.rawValue)
        #expect(error.name == code.name)
        #expect(HubErrorCode(rawValue: error.code) == code)
    }
}
