import Foundation
import HubClient
import HubConfigKit
import HubProtocol
import HubTestSupport
import Testing
import ZeroMQ

/// Rotating keys with no downtime, against the real `swhub serve`: a party's two keys both
/// authenticate during the overlap and only the new one after; a client that lists two hub
/// keys reaches a hub presenting the second; `swhub keygen --rotate` writes the next pair
/// beside the current one.
@Suite("Key rotation")
struct KeyRotationTests {
    static func parties(_ hub: TestHub, customsKeys: [String]) -> [String] {
        [
            TestHub.partyYAML("platform", keys: [hub.partyKeys["platform"]!.publicKey]),
            TestHub.partyYAML("customs", keys: customsKeys, subscribes: ["demo.Note"]),
            TestHub.partyYAML("bank", keys: [hub.partyKeys["bank"]!.publicKey], subscribes: ["demo.Note"]),
        ]
    }

    @Test func bothKeysAuthenticateDuringTheOverlapAndOnlyTheNewOneAfter() async throws {
        let hub = try TestHub(
            parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"]), .init(id: "bank", subscribes: ["demo.Note"])])
        try await hub.start()
        let oldKeys = hub.partyKeys["customs"]!
        let newKeys = try CurveKeyPair.generate()
        let platform = try hub.client("platform")
        let oldCustoms = try hub.client("customs", receive: true)
        let bank = try hub.client("bank", receive: true)
        defer {
            platform.close()
            oldCustoms.close()
            bank.close()
        }
        let oldInbox = DeliveryInbox(oldCustoms)
        let bankInbox = DeliveryInbox(bank)
        try await oldCustoms.connect()
        try await bank.connect()

        // Overlap: customs lists its current key and the next.
        try hub.rewriteParties(Self.parties(hub, customsKeys: [oldKeys.publicKey, newKeys.publicKey]))
        let overlap = try hub.reload()
        #expect(overlap.status == 0, "\(overlap.output)")
        var newConfiguration = hub.clientConfiguration("customs")
        newConfiguration.keyPair = newKeys
        let newCustoms = try hub.client(configuration: newConfiguration, name: "customs-new")
        defer { newCustoms.close() }
        #expect(try await newCustoms.connect().party == "customs")
        // Its messages go to bank (customs, the sender, is not its own recipient).
        let fromNew = try await newCustoms.submit(type: "demo.Note", body: Array("from the new key".utf8), id: "new-1")
        #expect(fromNew.recipients == 1)
        _ = try await platform.submit(type: "demo.Note", body: Array("to both".utf8), id: "p-1")
        try await oldInbox.wait(for: 1, within: .seconds(30))
        try await bankInbox.wait(for: 2, within: .seconds(30))

        // The end of the overlap: only the new key. The old key's session is closed at once.
        try hub.rewriteParties(Self.parties(hub, customsKeys: [newKeys.publicKey]))
        let done = try hub.reload()
        #expect(done.status == 0, "\(done.output)")
        #expect(done.output.contains("1 session(s) closed"))
        #expect(hub.logLines(with: "receiving session closed", "customs", "key revoked by a reload") == 1)
        await #expect(throws: HubClientError.self) {
            _ = try await oldCustoms.submit(type: "demo.Note", body: [1], id: "old-after")
        }
        let oldAgain = try hub.client("customs")
        defer { oldAgain.close() }
        do {
            _ = try await oldAgain.connect(timeout: .seconds(20))
            Issue.record("the revoked key was accepted")
        } catch let error as HubClientError {
            #expect(error.code == .authenticationFailed)
        }

        // The new key's connection was not disturbed; bank still receives on its session.
        let again = try await newCustoms.submit(type: "demo.Note", body: Array("still here".utf8), id: "new-2")
        let toBank = try await bankInbox.wait(for: 3, within: .seconds(30))
        #expect(toBank.last?.seq == again.seq)
        // No reload closed bank's session (on a loaded machine a missed heartbeat may still
        // make a client reconnect, which is not what this test is about).
        #expect(hub.logLines(with: "receiving session closed", "bank", "key revoked by a reload") == 0)
        #expect(oldInbox.count == 1)
    }

    @Test func aClientListingTwoHubKeysReachesAHubPresentingTheSecond() async throws {
        let hub = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])])
        try await hub.start()
        let retired = try CurveKeyPair.generate()
        var configuration = hub.clientConfiguration("platform")
        configuration.hubPublicKeys = [retired.publicKey, hub.hubKeys.publicKey]
        let client = try hub.client(configuration: configuration, name: "two-keys")
        defer { client.close() }
        #expect(try await client.connect(timeout: .seconds(30)).party == "platform")
        #expect(try await client.submit(type: "demo.Note", body: [1], id: "two-keys-1").recipients == 1)

        // The same from a client config file naming both key files.
        try KeyFile(publicKey: retired.publicKey, secretKey: nil).render(name: "hub", includingSecret: false)
            .write(to: hub.directory.appendingPathComponent("hub.old.key"), atomically: true, encoding: .utf8)
        try KeyFile(publicKey: hub.hubKeys.publicKey, secretKey: nil).render(name: "hub", includingSecret: false)
            .write(to: hub.directory.appendingPathComponent("hub.key"), atomically: true, encoding: .utf8)
        let path = try hub.writeClientConfig("customs")
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "hub_public_key: \"\(hub.hubKeys.publicKey)\"", with: "hub_public_key_files: [hub.old.key, hub.key]")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try HubClientConfiguration.load(path: path)
        #expect(loaded.hubPublicKeys == [retired.publicKey, hub.hubKeys.publicKey])
        let fromFile = try hub.client(configuration: loaded, name: "from-file")
        defer { fromFile.close() }
        #expect(try await fromFile.connect(timeout: .seconds(30)).party == "customs")
    }

    @Test func theHubsKeyIsSwitchedByARestartAndClientsFollow() async throws {
        let hub = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])])
        try await hub.start()
        let next = try CurveKeyPair.generate()
        try KeyFile(publicKey: next.publicKey, secretKey: next.secretKey).render(name: "hub.next", includingSecret: true)
            .write(to: hub.directory.appendingPathComponent("hub.next.key_secret"), atomically: true, encoding: .utf8)
        var configuration = hub.clientConfiguration("customs", receive: true)
        configuration.hubPublicKeys = [hub.hubKeys.publicKey, next.publicKey]
        let customs = try hub.client(configuration: configuration, name: "customs")
        let platform = try hub.client("platform")
        defer {
            customs.close()
            platform.close()
        }
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        _ = try await platform.submit(type: "demo.Note", body: [1], id: "before")
        try await inbox.wait(for: 1, within: .seconds(30))

        // A reload cannot switch the hub's key: it needs a restart.
        try hub.rewriteConfig { $0.replacingOccurrences(of: "key_file: hub.key_secret", with: "key_file: hub.next.key_secret") }
        let refused = try hub.reload()
        #expect(refused.status == 78)
        #expect(refused.output.contains("hub.key_file"))
        #expect(await hub.terminate() == 0)
        try await hub.start()

        // customs (both keys) follows; a client knowing only the old key cannot.
        var nextOnly = hub.clientConfiguration("platform")
        nextOnly.hubPublicKeys = [next.publicKey]
        let platformNext = try hub.client(configuration: nextOnly, name: "platform-next")
        defer { platformNext.close() }
        let after = try await platformNext.submit(type: "demo.Note", body: [2], id: "after")
        let received = try await inbox.wait(for: 2, within: .seconds(60))
        #expect(received.last?.seq == after.seq)
    }

    @Test func keygenRotateWritesTheNextPairBesideTheCurrentOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-rotate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let exe = try TestHub.executable
        let none = try programOutput(exe, ["keygen", "--rotate", "--out", directory.path, "--name", "customs"])
        #expect(none.status == 2)
        #expect(try programOutput(exe, ["keygen", "--out", directory.path, "--name", "customs"]).status == 0)
        let current = try String(contentsOf: directory.appendingPathComponent("customs.key_secret"), encoding: .utf8)
        let rotated = try programOutput(exe, ["keygen", "--rotate", "--out", directory.path, "--name", "customs"])
        #expect(rotated.status == 0)
        #expect(rotated.output.contains("customs.next.key"))
        #expect(rotated.output.contains("swhub reload"))
        let next = try KeyFile.load(path: directory.appendingPathComponent("customs.next.key_secret").path)
        #expect(next.secretKey != nil)
        #expect(try KeyFile.load(path: directory.appendingPathComponent("customs.next.key").path).publicKey == next.publicKey)
        #expect(try String(contentsOf: directory.appendingPathComponent("customs.key_secret"), encoding: .utf8) == current)
        #expect(try KeyFile.load(path: directory.appendingPathComponent("customs.key").path).publicKey != next.publicKey)
        // A rotation under way is not overwritten.
        #expect(try programOutput(exe, ["keygen", "--rotate", "--out", directory.path, "--name", "customs"]).status == 2)
    }

    /// A folder that cannot be made (a plain file is in its path) is answered with the path
    /// and the system's reason on one line, not with Foundation's dump of the error.
    @Test func keygenIntoAFolderThatCannotBeMadeSaysWhereAndWhy() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-plain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(FileManager.default.createFile(atPath: file.path, contents: Data("x".utf8)))
        let result = try programOutput(try TestHub.executable, ["keygen", "--out", file.path + "/keys", "--name", "customs"])
        #expect(result.status == 1, "\(result)")
        #expect(result.errors == "error: \(file.path)/keys: Not a directory\n", "\(result.errors)")
    }
}

/// The C adapter kit's side of a hub key rotation: `swhub_open` given two hub key files.
@Suite("Key rotation in the C adapter kit", .timeLimit(.minutes(5)))
struct CKitKeyRotationTests {
    @Test func twoHubKeyFilesReachAHubPresentingTheSecond() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])], heartbeatMs: 4000)
        try await hub.start()
        _ = try hub.writeKeyPair("enterprise")
        let current = try hub.writeHubPublicKey()
        let retired = hub.directory.appendingPathComponent("hub.old.key").path
        try KeyFile(publicKey: try CurveKeyPair.generate().publicKey, secretKey: nil).render(name: "hub", includingSecret: false)
            .write(toFile: retired, atomically: true, encoding: .utf8)
        let driver = try CDriver(hub: hub, hubKeyFiles: "\(retired),\(current)")
        #expect(try await driver.run("open enterprise.key_secret").hasPrefix("ok open party=enterprise"))
        let accepted = try await driver.run("submit k-1 demo.Note body=hello")
        #expect(accepted.hasPrefix("ok accepted id=k-1 "), "\(accepted)")
        #expect(try await driver.finish() == 0)
    }
}
