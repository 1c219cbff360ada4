import Foundation
import HubClient
import HubServer
import HubTestSupport
import Testing

/// Prometheus `/metrics` and the monitor's snapshot, read over HTTP from a real
/// `swhub serve` with `monitor: {listen: …}` after real traffic.
@Suite("Metrics and monitor snapshot", .serialized, .timeLimit(.minutes(2)))
struct MonitorTests {
    /// A hub with a monitor: `a` sends, `b` and `c` subscribe to demo.Note; `c` never connects.
    static func startHub(tapQueue: Int? = nil) async throws -> (TestHub, monitorPort: Int) {
        let hub = try TestHub(
            parties: [.init(id: "a"), .init(id: "b", subscribes: ["demo.Note"]), .init(id: "c", subscribes: ["demo.Note"])],
            tapQueue: tapQueue)
        let port = try TestHub.freePort()
        let config = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        try (config + "monitor:\n  listen: \"127.0.0.1:\(port)\"\n").write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        return (hub, port)
    }

    /// Three notes from `a`, delivered to and acknowledged by `b`, and one refused submission.
    static func traffic(_ hub: TestHub) async throws -> HubClient {
        let receiver = try hub.client("b", receive: true)
        let inbox = DeliveryInbox(receiver)
        try await receiver.connect()
        let sender = try hub.client("a")
        defer { sender.close() }
        for n in 0..<3 { _ = try await sender.submit(type: "demo.Note", body: Array("note \(n)".utf8), id: "note-\(n)") }
        await #expect(throws: HubClientError.self) { try await sender.submit(type: "demo.Nope", body: [], id: "bad") }
        try await inbox.wait(for: 3, within: .seconds(20))
        return receiver
    }

    /// `/metrics` as samples by `name{labels}`.
    static func metrics(_ port: Int) throws -> [String: Double] {
        let response = try HTTPGet.get(port: port, "/metrics")
        guard response.status == 200 else { throw TestHubError("/metrics answered \(response.status)") }
        var samples: [String: Double] = [:]
        for line in response.body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func metricsCountTrafficByTypeAndParty() async throws {
        let (hub, port) = try await Self.startHub()
        let receiver = try await Self.traffic(hub)
        defer { receiver.close() }
        let expected: [String: Double] = [
            #"swhub_messages_in_total{type="demo.Note",party="a"}"#: 3,
            #"swhub_messages_out_total{type="demo.Note",party="b"}"#: 3,
            #"swhub_errors_total{code="404",name="UNKNOWN_TYPE"}"#: 1,
            #"swhub_connected{party="b"}"#: 1,
            #"swhub_connected{party="c"}"#: 0,
            #"swhub_connected{party="a"}"#: 0,  // a submitter is connected while its heartbeats come
            #"swhub_connected_parties"#: 1,
            #"swhub_backlog_messages{party="b"}"#: 0,
            #"swhub_backlog_messages{party="c"}"#: 3,
        ]
        var samples: [String: Double] = [:]
        // Gauges are refreshed once a second, the backlog counted on its own thread.
        try await waitUntil(.seconds(20), "metrics \(samples.filter { expected.keys.contains($0.key) }) are not \(expected)") {
            samples = try Self.metrics(port)
            return expected.allSatisfy { samples[$0.key] == $0.value }
        }
        #expect(samples[#"swhub_messages_out_total{type="demo.Note",party="c"}"#] == nil)
        #expect((samples["swhub_journal_commit_seconds_count"] ?? 0) >= 1)
        #expect(samples["swhub_journal_commit_seconds_count"] == samples[#"swhub_journal_commit_seconds_bucket{le="+Inf"}"#])
    }

    /// `swhub_journal_unordered_ids_total{party}`: an id sorting before the party's previous
    /// one counts, a duplicate does not, and the SDK's default ids follow each other in order.
    @Test func idsSortingBeforeTheirPartysPreviousOneAreCounted() async throws {
        let (hub, port) = try await Self.startHub()
        let sender = try hub.client("a")
        defer { sender.close() }
        for id in ["m-2", "m-1", "m-3", "m-1"] { _ = try await sender.submit(type: "demo.Note", body: [], id: id) }
        let first = try await sender.submit(type: "demo.Note", body: [])
        let second = try await sender.submit(type: "demo.Note", body: [])
        #expect(first.seq < second.seq)
        let name = #"swhub_journal_unordered_ids_total{party="a"}"#
        var samples: [String: Double] = [:]
        // m-1 after m-2, and the first default id (starting with a hex digit) after m-3.
        try await waitUntil(.seconds(20), "\(name) is \(samples[name] ?? 0), not 2") {
            samples = try Self.metrics(port)
            return samples[name] == 2
        }
        #expect(samples[#"swhub_journal_unordered_ids_total{party="b"}"#] == nil)
    }

    @Test func tapFiguresAreMetrics() async throws {
        let (hub, port) = try await Self.startHub(tapQueue: 1000)
        let tap = try await hub.tapSubscriber("b")
        defer { tap.close() }
        let receiver = try await Self.traffic(hub)
        defer { receiver.close() }
        _ = try tap.read(until: 3)
        let expected: [String: Double] = [
            #"swhub_tap_published_total{party="b"}"#: 3,
            #"swhub_tap_dropped_total{party="b"}"#: 0,
            #"swhub_tap_subscriptions{party="b"}"#: 1,
        ]
        var samples: [String: Double] = [:]
        try await waitUntil(.seconds(20), "tap metrics \(samples.filter { $0.key.contains("tap") }) are not \(expected)") {
            samples = try Self.metrics(port)
            return expected.allSatisfy { samples[$0.key] == $0.value }
        }
        #expect(samples[#"swhub_tap_published_total{party="c"}"#] == nil, "c never subscribed")
    }

    @Test func snapshotShowsConnectedPartiesAndEdges() async throws {
        let (hub, port) = try await Self.startHub()
        let receiver = try await Self.traffic(hub)
        defer { receiver.close() }
        var snapshot = HubSnapshot()
        try await waitUntil(.seconds(20), "snapshot \(snapshot)") {
            let response = try HTTPGet.get(port: port, "/api/snapshot")
            snapshot = try JSONDecoder().decode(HubSnapshot.self, from: Data(response.body.utf8))
            let backlogs = Dictionary(uniqueKeysWithValues: snapshot.parties.map { ($0.id, $0.backlog) })
            return snapshot.edges.count == 2 && backlogs == ["a": 0, "b": 0, "c": 3]
        }
        #expect(snapshot.headSeq == 3)
        #expect(snapshot.parties.map(\.id) == ["a", "b", "c"])
        let b = try #require(snapshot.parties.first { $0.id == "b" })
        #expect(b.connected && b.receiving && b.totalOut == 3 && b.ackedSeq == 3 && b.backlog == 0)
        let a = try #require(snapshot.parties.first { $0.id == "a" })
        #expect(a.totalIn == 3 && !a.receiving)
        let c = try #require(snapshot.parties.first { $0.id == "c" })
        #expect(!c.connected && c.totalOut == 0)
        #expect(snapshot.edges.contains(HubSnapshot.Edge(from: "a", to: "b", count: 3, types: ["demo.Note": 3])))
        #expect(snapshot.edges.contains(HubSnapshot.Edge(from: "a", to: "c", count: 3, types: ["demo.Note": 3])))
        #expect(snapshot.registrations.isEmpty && snapshot.flows.isEmpty)

        let trace = try HTTPGet.get(port: port, "/api/trace/note-1")
        #expect(trace.status == 200 && trace.body.contains(#""sender":"a""#), "\(trace.body)")
        #expect(try HTTPGet.get(port: port, "/api/trace/no-such-id").status == 404)
        let page = try HTTPGet.get(port: port, "/")
        #expect(page.status == 200 && page.body.contains("new EventSource(\"/events\""))
    }
}
