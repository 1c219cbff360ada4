import Foundation
import HubClient
import HubConfigKit
import HubTestSupport
import Testing
import ZeroMQ

/// Rotating the monitoring tap's key pair against the real `swhub serve`: a tap subscriber
/// that lists the tap's current and next key keeps its subscription across the hub's restart
/// with the next tap key pair; one that knows only the old key is told the handshake fails;
/// `swhub tap` with two tap key files reaches a tap presenting the second.
@Suite("Tap key rotation")
struct TapKeyRotationTests {
    /// Writes the public key `publicKey` as `name` in the hub's directory.
    static func writePublicKey(_ publicKey: String, _ name: String, in hub: TestHub) throws {
        try KeyFile(publicKey: publicKey, secretKey: nil).render(name: "tap", includingSecret: false)
            .write(to: hub.directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// `hub.writeClientConfig(party)` with the tap's key given as `tap_public_key_files: files`.
    static func clientConfig(_ party: String, tapKeyFiles files: [String], hub: TestHub) throws -> String {
        let path = try hub.writeClientConfig(party)
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(
                of: "tap_public_key: \"\(hub.tapKeys!.publicKey)\"", with: "tap_public_key_files: [\(files.joined(separator: ", "))]")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aSubscriberListingBothTapKeysFollowsARestartWithTheNextTapKeyPair() async throws {
        let hub = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])], tapQueue: 1000)
        try await hub.start()
        let current = hub.tapKeys!
        let next = try CurveKeyPair.generate()
        try KeyFile(publicKey: next.publicKey, secretKey: next.secretKey).render(name: "tap.next", includingSecret: true)
            .write(to: hub.directory.appendingPathComponent("tap.next.key_secret"), atomically: true, encoding: .utf8)
        try Self.writePublicKey(current.publicKey, "tap.key", in: hub)
        try Self.writePublicKey(next.publicKey, "tap.next.key", in: hub)
        let configuration = try HubClientConfiguration.load(
            path: Self.clientConfig("customs", tapKeyFiles: ["tap.key", "tap.next.key"], hub: hub))
        #expect(configuration.tapPublicKeys == [current.publicKey, next.publicKey])

        let platform = try hub.client("platform")
        defer { platform.close() }
        let before = hub.appliedTapSubscriptions("customs/")
        let tap = try HubTap(configuration: configuration, party: "customs")
        defer { tap.close() }
        try tap.subscribe()
        var oldOnlyConfiguration = configuration
        oldOnlyConfiguration.tapPublicKeys = [current.publicKey]
        let oldOnly = try HubTap(configuration: oldOnlyConfiguration, party: "customs")
        defer { oldOnly.close() }
        try oldOnly.subscribe()
        try await waitUntil(.seconds(20), "the tap did not apply both subscriptions: \(hub.log())") {
            hub.appliedTapSubscriptions("customs/") >= before + 2
        }
        let first = try await platform.submit(type: "demo.Note", body: Array("before".utf8), id: "before")
        #expect(try tap.read(until: first.seq).last?.seq == first.seq)
        #expect(try oldOnly.read(until: first.seq).last?.seq == first.seq)

        // The tap's key pair is read only at start: a reload refuses the change, a restart takes it.
        try hub.rewriteConfig { $0.replacingOccurrences(of: "key_file: tap.key_secret", with: "key_file: tap.next.key_secret") }
        let refused = try hub.reload()
        #expect(refused.status == 78)
        #expect(refused.output.contains("tap"), "\(refused.output)")
        let applied = hub.appliedTapSubscriptions("customs/")
        #expect(await hub.terminate() == 0)
        try await hub.start()

        // The subscriber with both keys tries the next one and subscribes again; reading drives it.
        try await waitUntil(.seconds(60), "the subscriber did not subscribe to the restarted tap: \(hub.log())") {
            _ = try tap.next(timeout: .milliseconds(100))
            return hub.appliedTapSubscriptions("customs/") > applied
        }
        let after = try await platform.submit(type: "demo.Note", body: Array("after".utf8), id: "after")
        let copies = try tap.read(until: after.seq, within: .seconds(30))
        #expect(copies.last?.body == Array("after".utf8))

        // The subscriber that knows only the old key is told, not left waiting.
        var failure: HubClientError?
        try await waitUntil(.seconds(60), "the old key's subscriber was not told its handshakes fail") {
            do {
                _ = try oldOnly.next(timeout: .milliseconds(100))
            } catch let error as HubClientError {
                failure = error
            }
            return failure != nil
        }
        #expect(failure?.code == .handshakeFailed)
    }

    @Test func swhubTapWithTwoTapKeyFilesReachesATapPresentingTheSecond() async throws {
        let hub = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])], tapQueue: 1000)
        try await hub.start()
        let platform = try hub.client("platform")
        defer { platform.close() }
        try Self.writePublicKey(try CurveKeyPair.generate().publicKey, "tap.old.key", in: hub)
        try Self.writePublicKey(hub.tapKeys!.publicKey, "tap.key", in: hub)
        let config = try Self.clientConfig("customs", tapKeyFiles: ["tap.old.key", "tap.key"], hub: hub)
        let files = try ClientConfigFile.namedFiles(path: config)
        #expect(
            files.filter { $0.kind == .tapPublicKey }.map(\.path)
                == ["tap.old.key", "tap.key"].map { hub.directory.appendingPathComponent($0).path })

        let before = hub.appliedTapSubscriptions("customs/")
        let process = try hub.startSwhub(["tap", "--config", config, "--count", "1"], logName: "tap.log")
        try await waitUntil(.seconds(60), "swhub tap did not subscribe: \(hub.log()) \(hub.log(named: "tap.log"))") {
            hub.appliedTapSubscriptions("customs/") > before
        }
        let receipt = try await platform.submit(type: "demo.Note", body: Array("note".utf8), id: "note-1")
        try await waitUntil(.seconds(20), "swhub tap did not stop after 1 message: \(hub.log(named: "tap.log"))") {
            !process.isRunning
        }
        #expect(process.terminationStatus == 0)
        #expect(hub.log(named: "tap.log").contains("seq=\(receipt.seq) demo.Note platform → customs id=note-1"))
    }
}
