import Foundation
import HubServer
import HubTestSupport
import HubThreads
import Testing

/// The web monitor as a person sees it: `swhub demo --monitor … --linger …` as a real
/// process, the page opened in real headless Chromium (Debian's `chromium`, installed by
/// Scripts/test.sh), and the rendered DOM checked for the parties, the flow diagram's
/// edges, the latest filings and a trace.
@Suite("Web monitor in headless Chromium", .serialized, .timeLimit(.minutes(4)))
struct MonitorPageTests {
    static let chromium = "/usr/bin/chromium"

    /// Runs headless Chromium on `url` and returns the DOM after the page's script ran.
    static func dumpDOM(_ url: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            throw TestHubError("\(chromium) is missing: install Debian's chromium (Scripts/test.sh does)")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        return try programOutput(
            URL(fileURLWithPath: chromium),
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=\(profile.path)", "--virtual-time-budget=8000", "--dump-dom", url,
            ]
        ).output
    }

    @Test func pageShowsPartiesFlowsAndATrace() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-monitor-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try TestHub.freePort()
        let log = directory.appendingPathComponent("demo.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let demo = Process()
        demo.executableURL = try TestHub.executable
        demo.arguments = [
            "demo", "--count", "14", "--dir", directory.appendingPathComponent("run").path, "--monitor", "127.0.0.1:\(port)",
            "--linger", "180", "--timeout", "60",
        ]
        let output = try FileHandle(forWritingTo: log)
        demo.standardOutput = output
        demo.standardError = output
        demo.standardInput = FileHandle.nullDevice
        try ProcessLaunch.run(demo)
        defer {
            // SIGTERM ends the linger; the demo then stops its hub and departments.
            if demo.isRunning { kill(demo.processIdentifier, SIGTERM) }
            demo.waitUntilExit()
        }
        let text = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        try await waitUntil(.seconds(120), "the demo did not finish its filings: \(text())") {
            guard demo.isRunning else { throw TestHubError("swhub demo exited: \(text())") }
            return text().contains("lingering")
        }
        // The snapshot is refreshed once a second: wait for the one with the settled filings.
        var snapshot = HubSnapshot()
        try await waitUntil(.seconds(20), "snapshot without settled declarations: \(snapshot)") {
            snapshot = try JSONDecoder().decode(HubSnapshot.self, from: Data(try HTTPGet.get(port: port, "/api/snapshot").body.utf8))
            return !snapshot.declarations.isEmpty && snapshot.declarations.allSatisfy(\.final)
        }
        let declaration = try #require(snapshot.declarations.first)

        // `?events=3`: the page's event stream ends after 3 snapshots, so that Chromium's
        // --dump-dom (which waits for every request to finish) returns.
        let dom = try await onThread { try Self.dumpDOM("http://127.0.0.1:\(port)/?events=3#trace=\(declaration.id)") }
        // The parties, with the departments connected.
        for party in ["customs", "tax", "forex", "post", "bank-boc", "platform"] {
            #expect(dom.contains(#"<tr data-party="\#(party)" data-connected="true">"#), "party \(party) missing: \(dom.prefix(4000))")
        }
        // The diagram: edges between parties with their counts (the enterprises' filings
        // go to the hub's flows, which share them with the departments).
        #expect(dom.contains(#"class="edge" data-from="platform" data-to="hub""#), "\(dom.prefix(4000))")
        #expect(dom.contains(#"class="edge" data-from="hub" data-to="customs""#))
        #expect(dom.contains(#"<g class="node department" data-party="customs">"#))
        // The latest declarations, each linked to its trace.
        #expect(dom.contains(##"<a href="#trace=\##(declaration.id)""##))
        // The trace of the declaration: its documents, delivered and acknowledged, and its unified feedback.
        #expect(dom.contains(#"<div id="trace" data-loaded="yes">"#), "trace not loaded")
        #expect(dom.contains(#"<p class="trace-summary">declaration · "#))
        #expect(dom.contains("ceb.Inventory") && dom.contains("flow.Feedback") && dom.contains(declaration.state))
        #expect(dom.contains(#"<tr class="event delivered">"#) && dom.contains(#"<tr class="event acknowledged">"#))
        #expect(dom.contains(#"<code id="trace-id">\#(declaration.id)</code>"#))
        // Live updates arrived through /events, without a reload.
        let updates = dom.firstRange(of: #/data-updates="(\d+)"/#).map { Int(dom[$0].dropFirst(14).dropLast()) ?? 0 } ?? 0
        #expect(updates == 4, "the page rendered \(updates) snapshot(s): 1 from /api/snapshot, 3 from /events")
        #expect(dom.contains(#"<span id="live" class="off">paused</span>"#))

        kill(demo.processIdentifier, SIGTERM)
        demo.waitUntilExit()
        #expect(demo.terminationStatus == 0, "\(text())")
    }

    /// A monitor with `token_file`: Chromium opening `/?token=…` is redirected to the page,
    /// keeps the cookie, and the page's own requests (`/api/snapshot`, `/events`) get in
    /// with it; without the token the browser sees only the refusal.
    @Test func theTokenInTheAddressLetsTheBrowserIn() async throws {
        let (hub, port) = try await MonitorAccessTests.startHub()
        _ = hub
        try await waitUntil(.seconds(20), "the monitor did not answer") { (try? HTTPGet.get(port: port, "/metrics")) != nil }
        let refused = try await onThread { try Self.dumpDOM("http://127.0.0.1:\(port)/?events=2") }
        #expect(refused.contains("needs its token") && !refused.contains("data-party"), "\(refused.prefix(2000))")
        let dom = try await onThread { try Self.dumpDOM("http://127.0.0.1:\(port)/?events=2&token=\(MonitorAccessTests.token)") }
        for party in ["a", "b"] {
            #expect(dom.contains(#"<tr data-party="\#(party)" "#), "party \(party) missing: \(dom.prefix(4000))")
        }
        let updates = dom.firstRange(of: #/data-updates="(\d+)"/#).map { Int(dom[$0].dropFirst(14).dropLast()) ?? 0 } ?? 0
        #expect(updates == 3, "the page rendered \(updates) snapshot(s): 1 from /api/snapshot, 2 from /events")
    }
}
