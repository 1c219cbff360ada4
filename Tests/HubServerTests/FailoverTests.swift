import Foundation
import HubClient
import HubConfigKit
import HubTestSupport
import Testing

/// Clients fail over between hub nodes (PROTOCOL.md, "Several hub nodes"): two real
/// `swhub serve` processes with the same hub key pair, each with a journal of its own (a
/// shared store is not there yet). Node B's journal is primed with `primed` records and B
/// restarted, so that its head is beyond every seq the client can have acknowledged on A:
/// with one shared journal that holds by itself. A failed-over submission is journaled by B
/// when its seq is beyond `primed` (A's journal holds only a few records).
///
/// Each kill test prints how long it took from the node's loss to the first ACCEPTED from
/// the other node, with the default heartbeats (client 1 s, hub 2 s); it is not asserted.
@Suite("Client failover between hub nodes", .serialized, .timeLimit(.minutes(3)))
struct FailoverTests {
    static let primed = 5
    static let parties: [TestHub.PartySpec] = [
        .init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"]), .init(id: "sink", subscribes: ["demo.Query"]),
    ]

    /// Nodes A and B, running, with the same hub and party keys; B's journal primed.
    static func twoNodes() async throws -> (a: TestHub, b: TestHub) {
        let a = try TestHub(parties: parties, heartbeatMs: 2000)
        let b = try TestHub(parties: parties, heartbeatMs: 2000, keysOf: a)
        try await b.start()
        let filler = try b.client("enterprise")
        defer { filler.close() }
        let receipts = try await b.submitConcurrently(filler, count: primed, type: "demo.Query", idPrefix: "prime")
        #expect(receipts.count == primed)
        filler.close()
        #expect(await b.terminate() == 0)
        try await b.start()
        try await a.start()
        return (a, b)
    }

    /// A client config file naming both nodes (`hub_endpoints`), read as the SDK reads it.
    static func configuration(_ party: String, nodes: [String], hub: TestHub) throws -> HubClientConfiguration {
        _ = try hub.writeClientConfig(party)  // writes PARTY.key_secret beside it
        let path = hub.directory.appendingPathComponent("failover-\(party).yaml").path
        try """
        party: \(party)
        hub_endpoints: [\(nodes.joined(separator: ", "))]
        hub_public_key: "\(hub.hubKeys.publicKey)"
        key_file: \(party).key_secret
        """.write(toFile: path, atomically: true, encoding: .utf8)
        var configuration = try HubClientConfiguration.load(path: path)
        configuration.receive = true
        return configuration
    }

    /// Connects `party` to [A, B], submits to itself and receives on A.
    static func onNodeA(_ a: TestHub, _ b: TestHub) async throws -> (HubClient, DeliveryInbox) {
        let configuration = try configuration("customs", nodes: [a.endpoint, b.endpoint], hub: a)
        #expect(configuration.endpoints == [a.endpoint, b.endpoint])
        let client = try a.client(configuration: configuration, name: "customs")
        let inbox = DeliveryInbox(client)
        try await client.connect()
        #expect(client.currentEndpoint == a.endpoint)
        let first = try await client.submit(type: "demo.Note", body: Array("one".utf8), to: ["customs"], id: "note-1")
        #expect(first.seq == 1 && !first.duplicate)
        let got = try await inbox.wait(for: 1, within: .seconds(30))
        #expect(got.first?.header.id == "note-1")
        return (client, inbox)
    }

    /// Node A dies (kill -9: its TCP connections close) while a submission waits for its
    /// answer: the client is on B at once, and B journals and delivers that submission.
    @Test func sdkClientFailsOverWhenItsNodeIsKilled() async throws {
        let (a, b) = try await Self.twoNodes()
        let (client, inbox) = try await Self.onNodeA(a, b)
        defer { client.close() }
        // A takes the submission into its socket but never answers it.
        try await a.freeze()
        let pending = Task { try await client.submit(type: "demo.Note", body: Array("two".utf8), to: ["customs"], id: "note-2") }
        let lost = ContinuousClock.now
        await a.kill9()
        let receipt = try await pending.value
        let took = ContinuousClock.now - lost
        print("failover measurement (SDK, kill -9 of node A): \(took) from the kill to the first ACCEPTED from node B")
        #expect(receipt.seq == UInt64(Self.primed + 1) && !receipt.duplicate, "journaled by B: \(receipt)")
        #expect(client.currentEndpoint == b.endpoint)
        let got = try await inbox.wait(for: 2, within: .seconds(30))
        #expect(got.map(\.header.id) == ["note-1", "note-2"])
        #expect(got.last?.seq == receipt.seq)
    }

    /// Node A stops answering without closing anything (SIGSTOP: a machine that vanished):
    /// after three silent heartbeats the client leaves it for B, where its unanswered
    /// submission is journaled.
    @Test func sdkClientLeavesASilentNode() async throws {
        let (a, b) = try await Self.twoNodes()
        let (client, inbox) = try await Self.onNodeA(a, b)
        defer { client.close() }
        let lost = ContinuousClock.now
        try await a.freeze()
        let receipt = try await client.submit(type: "demo.Note", body: Array("two".utf8), to: ["customs"], id: "note-2")
        let took = ContinuousClock.now - lost
        print("failover measurement (SDK, node A silent, SIGSTOP): \(took) from the stop to the first ACCEPTED from node B")
        #expect(receipt.seq == UInt64(Self.primed + 1) && !receipt.duplicate, "journaled by B: \(receipt)")
        #expect(client.currentEndpoint == b.endpoint)
        #expect(try await inbox.wait(for: 2, within: .seconds(30)).last?.header.id == "note-2")
        await a.kill9()
    }

    /// A node that refuses connections (nothing listens there) is skipped: the client opens
    /// its session on the next one; `swhub submit` with such a config file does the same.
    @Test func aRefusingNodeIsSkipped() async throws {
        let b = try TestHub(parties: Self.parties, heartbeatMs: 2000)
        try await b.start()
        let nowhere = "tcp://127.0.0.1:\(try TestHub.freePort())"
        let configuration = try Self.configuration("customs", nodes: [nowhere, b.endpoint], hub: b)
        let client = try b.client(configuration: configuration, name: "customs")
        defer { client.close() }
        try await client.connect(timeout: .seconds(30))
        #expect(client.currentEndpoint == b.endpoint)
        let receipt = try await client.submit(type: "demo.Note", body: Array("x".utf8), to: ["customs"], id: "skip-1")
        #expect(receipt.seq == 1)

        _ = try Self.configuration("enterprise", nodes: [nowhere, b.endpoint], hub: b)
        let config = b.directory.appendingPathComponent("failover-enterprise.yaml").path
        let submit = try b.startSwhub(
            ["submit", "--config", config, "--type", "demo.Note", "--body", "hi", "--id", "cli-1"], logName: "submit.log")
        try await waitUntil(.seconds(60), "swhub submit did not finish") { !submit.isRunning }
        #expect(submit.terminationStatus == 0 && b.log(named: "submit.log").contains("accepted"), "\(b.log(named: "submit.log"))")

        let driver = try CDriver(hub: b, endpoint: "\(nowhere),\(b.endpoint)")
        #expect(try await driver.run("open customs.key_secret").hasPrefix("ok open party=customs"))
        #expect(try await driver.run("endpoint") == "ok endpoint=\(b.endpoint)")
        #expect(try await driver.run("submit c-skip demo.Note body=x to=customs").hasPrefix("ok accepted id=c-skip "))
        #expect(try await driver.finish() == 0)
    }

    /// The C kit refuses a list with an empty entry, naming it, before it connects anywhere.
    @Test func cKitRefusesAnEmptyEndpointInTheList() async throws {
        let b = try TestHub(parties: Self.parties)
        _ = try b.writeKeyPair("customs")
        let driver = try CDriver(hub: b, endpoint: "\(b.endpoint),,tcp://127.0.0.1:1")
        let answer = try await driver.run("open customs.key_secret")
        #expect(answer.hasPrefix("error -1 SWHUB_ERR_ARGUMENT") && answer.contains("endpoint 2 of"), "\(answer)")
        #expect(try await driver.finish() == 0)
    }

    /// The C kit with "A,B" as its endpoint: on A's death it reconnects to B, resends its
    /// unanswered submission (journaled by B) and receives there.
    @Test func cKitFailsOverWhenItsNodeIsKilled() async throws {
        let (a, b) = try await Self.twoNodes()
        _ = try a.writeKeyPair("customs")
        let driver = try CDriver(hub: a, endpoint: "\(a.endpoint), \(b.endpoint)")
        #expect(try await driver.run("open customs.key_secret").hasPrefix("ok open party=customs"))
        #expect(try await driver.run("endpoint") == "ok endpoint=\(a.endpoint)")
        #expect(try await driver.run("start 10") == "ok start")
        let first = try await driver.run("submit c-1 demo.Note body=one to=customs")
        #expect(CDriver.field("seq", in: first) == "1", "\(first)")
        #expect(try await driver.run("recv 10000").hasPrefix("ok deliver seq=1 id=c-1 "))
        #expect(try await driver.run("ack 1") == "ok ack seq=1")

        try await a.freeze()
        let pending = Task { try await driver.run("submit c-2 demo.Note body=two to=customs") }
        let lost = ContinuousClock.now
        await a.kill9()
        let accepted = try await pending.value
        let took = ContinuousClock.now - lost
        print("failover measurement (C kit, kill -9 of node A): \(took) from the kill to the first ACCEPTED from node B")
        #expect(accepted.hasPrefix("ok accepted id=c-2 "), "\(accepted)")
        #expect(CDriver.field("seq", in: accepted) == "\(Self.primed + 1)", "journaled by B: \(accepted)")
        #expect(CDriver.field("duplicate", in: accepted) == "0")
        #expect(try await driver.run("endpoint") == "ok endpoint=\(b.endpoint)")
        #expect(try await driver.run("recv 10000").hasPrefix("ok deliver seq=\(Self.primed + 1) id=c-2 "))
        #expect(try await driver.finish() == 0)
    }
}
