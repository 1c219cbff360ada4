import FlowSamples
import Foundation
import HubClient
import HubStore
import HubTestSupport
import Testing

/// `swhub trace` through a real hub: the progress log the router writes (delivered and
/// acknowledged per recipient, with times), a declaration's whole path, the log surviving a
/// restart, and the command's text and JSON output.
@Suite("Trace", .serialized, .timeLimit(.minutes(2)))
struct TraceTests {
    /// Waits until the trace of `id` satisfies `condition` (the router logs progress about
    /// every 100 ms, so it shows a little after the fact); returns it.
    static func trace(_ hub: TestHub, _ id: String, until condition: @escaping (TraceReport) -> Bool) async throws -> TraceReport {
        let inspector = try JournalInspector(path: hub.journalPath)
        try await waitUntil(.seconds(15), "trace of \(id) never met the condition: \(String(describing: try? inspector.trace(id)))") {
            (try? inspector.trace(id)).map(condition) ?? false
        }
        return try inspector.trace(id)
    }

    @Test func deliveredAndAcknowledgedPerRecipientInOrderAndAfterARestart() async throws {
        let hub = try TestHub(parties: [.init(id: "alice"), .init(id: "bob"), .init(id: "carol")])
        try await hub.start()
        let bob = try hub.client("bob", receive: true)
        defer { bob.close() }
        let bobInbox = DeliveryInbox(bob)
        let carol = try hub.client("carol", receive: true)
        defer { carol.close() }
        let carolInbox = DeliveryInbox(carol, acknowledge: false)
        try await bob.connect()
        try await carol.connect()
        let alice = try hub.client("alice")
        defer { alice.close() }
        let receipt = try await alice.submit(type: "demo.Note", body: Array("hello".utf8), to: ["bob", "carol"], id: "note-1")
        try await bobInbox.wait(for: 1, within: .seconds(10))
        try await carolInbox.wait(for: 1, within: .seconds(10))

        let report = try await Self.trace(hub, "note-1") { report in
            report.messages.first?.deliveries.allSatisfy { $0.deliveredAtUs != nil } == true
                && report.messages.first?.deliveries.first { $0.party == "bob" }?.acknowledgedAtUs != nil
        }
        #expect(report.subject == .message)
        let message = try #require(report.messages.first)
        #expect(message.seq == receipt.seq && message.sender == "alice" && message.type == "demo.Note")
        #expect(message.deliveries.map(\.party) == ["bob", "carol"])
        let carolSide = try #require(message.deliveries.last)
        #expect(carolSide.delivered && !carolSide.acknowledged && carolSide.acknowledgedAtUs == nil)
        let steps = report.events.map { "\($0.kind.rawValue) \($0.party)" }
        #expect(steps.first == "received alice" && steps.dropFirst().first == "journaled alice", "\(steps)")
        #expect(steps.last == "not_acknowledged carol", "\(steps)")
        func at(_ kind: TraceReport.Event.Kind, _ party: String) -> Int64? {
            report.events.first { $0.kind == kind && $0.party == party }?.atUs
        }
        let journaled = try #require(at(.journaled, "alice"))
        let deliveredBob = try #require(at(.delivered, "bob"))
        let ackedBob = try #require(at(.acknowledged, "bob"))
        #expect(journaled <= deliveredBob && deliveredBob <= ackedBob)
        #expect(try #require(at(.delivered, "carol")) >= journaled)
        let timed = report.events.compactMap(\.atUs).dropFirst()  // "received" is the sender's clock
        #expect(zip(timed, timed.dropFirst()).allSatisfy { $0 <= $1 }, "events out of time order")

        // The progress log is in the journal: a restarted hub's journal tells the same.
        bob.close()
        carol.close()
        #expect(await hub.terminate() == 0)
        try await hub.start()
        let after = try JournalInspector(path: hub.journalPath).trace("note-1")
        #expect(after.messages.first?.deliveries == message.deliveries)
        #expect(after.events == report.events)
    }

    @Test func declarationTraceCoversDocumentsForwardsReceiptsFeedbackAndReleaseNotices() async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        try await world.file(3)
        let forwards = try await world.wait("customs", "ceb.Inventory") { $0.header.sender == "hub" }
        try await world.receipt(for: forwards[0], status: 120)
        // The release receipt as customs' CEB files bring it: no correlation id.
        try await world.receipt(for: forwards[0], status: 800, correlated: false)
        for party in ["tax", "forex", "bank-boc", "post"] { try await world.wait(party, "flow.ReleaseNotice") }

        let report = try await Self.trace(world.hub, "inventory-3") { report in
            report.messages.filter { $0.role == .releaseNotice }.first?.deliveries.allSatisfy(\.acknowledged) == true
        }
        #expect(report.subject == .declaration)
        func ids(_ role: TraceReport.Role) -> Set<String> { Set(report.messages.filter { $0.role == role }.map(\.id)) }
        #expect(ids(.subject) == ["inventory-3"])
        #expect(ids(.document) == ["order-3", "payment-3", "waybill-3"])
        #expect(ids(.forward) == Set(["order", "payment", "waybill", "inventory"].map { "fwd:platform:inventory-3:\($0)" }))
        #expect(ids(.receipt) == ["rcpt-fwd:platform:inventory-3:inventory-120", "rcpt-fwd:platform:inventory-3:inventory-800"])
        #expect(ids(.feedback).count >= 3 && ids(.feedback).allSatisfy { $0.hasPrefix("fb:inventory-3:platform:") })
        #expect(ids(.releaseNotice) == ["rel:platform:inventory-3"])
        let forward = try #require(report.messages.first { $0.id == "fwd:platform:inventory-3:inventory" })
        #expect(forward.sender == "hub" && forward.deliveries.map(\.party) == ["customs"] && forward.deliveries[0].delivered)
        let notice = try #require(report.messages.first { $0.role == .releaseNotice })
        #expect(Set(notice.deliveries.map(\.party)) == ["tax", "forex", "bank-boc", "post"])
        // Nothing of the other filers' registrations crept in.
        #expect(!report.messages.contains { $0.type == "reg.Registration" })

        // A document's id leads to the same declaration.
        let fromOrder = try JournalInspector(path: world.hub.journalPath).trace("order-3")
        #expect(fromOrder.subject == .declaration)
        #expect(Set(fromOrder.messages.map(\.seq)) == Set(report.messages.map(\.seq)))
        #expect(fromOrder.messages.first { $0.id == "order-3" }?.role == .subject)
    }

    @Test func registrationTraceCoversSharesResultsAndFeedback() async throws {
        let world = try await FlowWorld()
        defer { world.close() }
        try await world.connectAll()
        try await world.registerFilers()
        let report = try JournalInspector(path: world.hub.journalPath).trace("reg-post")
        #expect(report.subject == .registration)
        #expect(report.messages.filter { $0.role == .share }.map(\.id) == ["share:post:reg-post"])
        #expect(report.messages.contains { $0.role == .result && $0.sender == "customs" })
        #expect(report.messages.contains { $0.role == .feedback && $0.deliveries.map(\.party) == ["post"] })
        #expect(!report.messages.contains { $0.id.contains("reg-platform") || $0.id.contains("reg-bank-boc") })
    }

    @Test func commandPrintsTheTimelineAndJSONAndRefusesUnknownIds() async throws {
        let hub = try TestHub(parties: [.init(id: "alice"), .init(id: "bob")])
        try await hub.start()
        let bob = try hub.client("bob", receive: true)
        defer { bob.close() }
        let inbox = DeliveryInbox(bob)
        try await bob.connect()
        let alice = try hub.client("alice")
        defer { alice.close() }
        let receipt = try await alice.submit(type: "demo.Note", body: Array("hi".utf8), to: ["bob"], id: "cli-1")
        try await inbox.wait(for: 1, within: .seconds(10))
        _ = try await Self.trace(hub, "cli-1") { $0.messages.first?.deliveries.first?.acknowledgedAtUs != nil }

        // Beside the running hub: read-only.
        let text = try await Self.run(hub, ["trace", "cli-1", "--config", hub.configPath], log: "trace.txt")
        #expect(text.status == 0, "\(text.output)")
        let lines = text.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("trace cli-1: message, 1 message(s)") == true, "\(lines)")
        let iso = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  /#
        #expect(lines.dropFirst().allSatisfy { $0.contains(iso) }, "\(lines)")
        #expect(
            lines.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] } == [
                "received", "journaled", "delivered", "acknowledged",
            ])
        #expect(lines[1].contains("seq \(receipt.seq)  demo.Note cli-1 [subject]  from alice"))
        #expect(lines[4].hasSuffix("by bob"))

        let json = try await Self.run(hub, ["trace", "cli-1", "--journal", hub.journalPath, "--json"], log: "trace.json")
        #expect(json.status == 0, "\(json.output)")
        let decoded = try JSONDecoder().decode(TraceReport.self, from: Data(json.output.utf8))
        #expect(decoded == (try JournalInspector(path: hub.journalPath).trace("cli-1")))

        let unknown = try await Self.run(hub, ["trace", "nobody-sent-this", "--config", hub.configPath], log: "unknown.txt")
        #expect(unknown.status == 3, "not found")
        #expect(unknown.output.contains("notFound") && unknown.output.contains("nobody-sent-this"), "\(unknown.output)")
        #expect(!unknown.output.contains("Usage:"), "\(unknown.output)")
    }

    @Test func jsonLogFormatWritesOneObjectPerLine() async throws {
        let hub = try TestHub(parties: [.init(id: "alice"), .init(id: "bob")])
        let serve = try hub.startSwhub(
            ["serve", "--config", hub.configPath, "--log-format", "json", "--log-level", "debug"], logName: "serve.log")
        defer { serve.terminate() }
        let bob = try hub.client("bob", receive: true)
        defer { bob.close() }
        try await bob.connect()
        try await waitUntil(.seconds(10), "no session line in \(hub.log(named: "serve.log"))") {
            hub.log(named: "serve.log").contains("receiving session opened")
        }
        let lines = hub.log(named: "serve.log").split(separator: "\n")
        #expect(lines.count >= 3)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["level"] is String && object["label"] is String && object["message"] is String, "\(line)")
            #expect((object["time"] as? String)?.hasSuffix("Z") == true, "\(line)")
        }
        let opened = try #require(lines.first { $0.contains("receiving session opened") })
        let metadata = try #require(
            (try JSONSerialization.jsonObject(with: Data(opened.utf8)) as? [String: Any])?["metadata"] as? [String: String])
        #expect(metadata["party"] == "bob" && metadata["session"] != nil)
    }

    /// Runs `swhub` to completion; its output (standard output and error together).
    static func run(_ hub: TestHub, _ arguments: [String], log: String) async throws -> (status: Int32, output: String) {
        let process = try hub.startSwhub(arguments, logName: log)
        try await waitUntil(.seconds(30), "swhub \(arguments) did not finish") { !process.isRunning }
        return (process.terminationStatus, hub.log(named: log))
    }
}
