import Foundation
import HubClient
import HubConfigKit
import HubTestSupport
import Logging
import Testing
import ZeroMQ

/// A client configured with a public key that is not the hub's: the CURVE handshake can
/// never complete. The client must give up on what waits for the hub with a clear reason,
/// well within its timeout, instead of reconnecting 50 times a second and never answering.
@Suite("A wrong hub public key")
struct WrongHubKeyTests {
    /// The party's client config, with a hub key that belongs to nobody.
    static func wrongKeyConfig(_ hub: TestHub, _ party: String) throws -> String {
        let path = try hub.writeClientConfig(party)
        let wrong = try CurveKeyPair.generate().publicKey
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: hub.hubKeys.publicKey, with: wrong)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theSDKFailsConnectAndSubmitWithTheReason() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise")])
        try await hub.start()
        var configuration = try HubClientConfiguration.load(path: try Self.wrongKeyConfig(hub, "enterprise"))
        configuration.requestTimeout = .seconds(60)
        let started = ContinuousClock.now
        let client = try HubClient(configuration: configuration, logger: Logger(label: "test.client"))
        defer { client.close() }
        let error = await #expect(throws: HubClientError.self) { _ = try await client.connect(timeout: .seconds(60)) }
        #expect(error?.code == .handshakeFailed, "\(String(describing: error))")
        #expect(error?.reason.contains("hub_public_key_file") == true)
        // HANDSHAKE_FAILED, not TIMEOUT: given up on the handshakes, not on the 60 s timeout.
        let refused = await #expect(throws: HubClientError.self) {
            _ = try await client.submit(type: "demo.Note", body: Array("x".utf8), id: "x-1")
        }
        #expect(refused?.code == .handshakeFailed, "a submission waits for nothing while the handshake is known to fail")
        // The hub says so too, a line per 10 s at most.
        try await waitUntil(.seconds(10), "the hub logged no failed handshake: \(hub.log().suffix(1500))") {
            hub.log().contains("CURVE handshake failed before authentication")
        }
        // The client goes on trying (backing off) until it is closed: one line per 10 s
        // since the first attempt, however many attempts failed.
        let lines = hub.log().components(separatedBy: "CURVE handshake failed before authentication").count - 1
        let tenSecondSpans = Int((ContinuousClock.now - started) / .seconds(10))
        #expect(lines <= 1 + tenSecondSpans, "\(lines) lines in \(ContinuousClock.now - started)")
    }

    /// `swhub submit` and `swhub listen` end with the reason and a non-zero status, and the
    /// client's log holds a few lines, not one per attempt.
    @Test(arguments: [
        ["submit", "--type", "demo.Note", "--body", "x", "--timeout", "60"], ["listen", "--count", "1"], ["replay", "--from-seq", "1"],
    ])
    func theCommandsEndWithTheReason(_ command: [String]) async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise")])
        try await hub.start()
        let path = try Self.wrongKeyConfig(hub, "enterprise")
        let run = try await ConfigCheckTests.run([command[0], "--config", path] + command.dropFirst())
        #expect(run.status == 78, "a configuration error (README, Exit codes)")
        #expect((run.output + run.errors).contains("HANDSHAKE_FAILED"), "\(run.output)\n\(run.errors)")
        // HANDSHAKE_FAILED with 78, not a timeout's 4: given up on the handshakes, not on the
        // timeout (listen and replay have none: that they end at all is the point).
        let reconnectLines = run.errors.split(separator: "\n").filter { $0.contains("reconnecting") }
        #expect(reconnectLines.count <= 3, "\(reconnectLines.count) reconnect lines:\n\(run.errors.suffix(2000))")
    }

    /// `swhub tap` with a tap key that is not the tap's: ends with the reason, exit 78.
    @Test func theTapEndsWithTheReason() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise")], tapQueue: 100)
        try await hub.start()
        let path = try hub.writeClientConfig("enterprise")
        let wrong = try CurveKeyPair.generate().publicKey
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: try #require(hub.tapKeys).publicKey, with: wrong)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await ConfigCheckTests.run(["tap", "--config", path, "--count", "1"])
        #expect(run.status == 78, "\(run.output)\n\(run.errors)")
        #expect((run.output + run.errors).contains("tap_public_key_file"), "\(run.errors)")
    }

    /// One identity: a client config naming another party than its key's is stopped at the
    /// WELCOME, before anything is submitted.
    @Test func aPartyOtherThanTheKeysIsRefusedBeforeSubmitting() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs")])
        try await hub.start()
        let path = try hub.writeClientConfig("enterprise")
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "party: enterprise", with: "party: customs")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await ConfigCheckTests.run(["submit", "--config", path, "--type", "demo.Note", "--body", "x", "--id", "posing-1"])
        #expect(run.status == 78, "\(run.output)\n\(run.errors)")
        #expect(
            (run.output + run.errors).contains("the hub knows this client's key as 'enterprise', but the configuration says party: customs")
        )
        await hub.terminate()
        #expect(try hub.openJournal().record(sender: "enterprise", id: "posing-1") == nil, "journaled although the party was wrong")
    }
}
