import Foundation
import HubClient
import HubProtocol
import Testing
import ZeroMQ

/// The sender is the CURVE key's party, never what the message says; unknown keys never
/// get past the handshake.
@Suite("Authentication by CURVE key", .serialized, .timeLimit(.minutes(1)))
struct AuthenticationTests {
    static let parties: [TestHub.PartySpec] = [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])]

    @Test func headerClaimingAnotherSenderIsRefused() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        let client = try hub.client("enterprise", requestTimeout: .seconds(5))
        defer { client.close() }
        var header = WireHeader()
        header.id = "forged-1"
        header.type = "demo.Note"
        header.sender = "customs"
        let error = await #expect(throws: HubClientError.self) {
            try await client.submit(header: header, body: Array("forged".utf8))
        }
        #expect(error?.code == .rejected)
        #expect(error?.hubCode == .senderMismatch)

        // Nothing was journaled: the next message gets seq 1.
        let next = try await client.submit(type: "demo.Note", body: [], id: "after-forged")
        #expect(next.seq == 1)
        await hub.terminate()
        #expect(try hub.openJournal().record(sender: "enterprise", id: "forged-1") == nil)
        #expect(try hub.openJournal().record(sender: "customs", id: "forged-1") == nil)
    }

    @Test func headerNamingItsOwnPartyIsAccepted() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        let client = try hub.client("enterprise", requestTimeout: .seconds(5))
        defer { client.close() }
        let receiver = try hub.client("customs", receive: true)
        defer { receiver.close() }
        let inbox = DeliveryInbox(receiver)
        var header = WireHeader()
        header.id = "own-1"
        header.type = "demo.Note"
        header.sender = "enterprise"
        let receipt = try await client.submit(header: header, body: Array("mine".utf8))
        #expect(receipt.seq == 1)
        #expect(receipt.duplicate == false)
        let delivered = try await inbox.wait(for: 1, within: .seconds(10))
        #expect(delivered.first?.header.sender == "enterprise")
        #expect(delivered.first?.header.id == "own-1")
    }

    @Test func unknownKeyIsRefusedAtTheHandshake() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        let stranger = try CurveKeyPair.generate()

        // The SDK reports the refusal as such, not as a timeout.
        var configuration = hub.clientConfiguration("enterprise")
        configuration.keyPair = stranger
        configuration.requestTimeout = .seconds(5)
        let sdk = try hub.client(configuration: configuration, name: "stranger")
        defer { sdk.close() }
        let error = await #expect(throws: HubClientError.self) {
            try await sdk.connect(timeout: .seconds(8))
        }
        #expect(error?.code == .authenticationFailed, "got \(String(describing: error))")

        // A raw DEALER with that key gets no reply at all, not even an ERROR.
        let context = try ZMQContext()
        let raw = try RawPeer(hub, context: context, keys: stranger, name: "stranger")
        defer { raw.close() }
        let reply = try await raw.io { peer -> Reply? in
            try peer.submit(id: "stranger-1")
            return try peer.receive(timeoutMs: 1000)
        }
        #expect(reply == nil, "the hub answered an unauthenticated connection: \(String(describing: reply))")

        // The hub keeps serving known parties.
        let known = try hub.client("enterprise", requestTimeout: .seconds(5))
        defer { known.close() }
        let welcome = try await known.connect(timeout: .seconds(5))
        #expect(welcome.party == "enterprise")
        let receipt = try await known.submit(type: "demo.Note", body: Array("still here".utf8), id: "known-1")
        #expect(receipt.seq == 1, "nothing of the stranger's may have been journaled")
        #expect(hub.isRunning)
    }
}
