import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import HubThreads
import Testing
import ZeroMQ

/// `swhub reload` (SIGHUP) against the real `swhub serve`: a bad file leaves the running
/// configuration in force, parties come and go without a restart, a removed party's session
/// is closed at once while the others keep receiving, a changed hide list applies to the
/// next delivery.
@Suite("Reloading the hub's configuration")
struct ReloadTests {
    static func startHub() async throws -> TestHub {
        let hub = try TestHub(
            parties: [
                .init(id: "platform"),
                .init(id: "customs", subscribes: ["demo.Note", "ceb.Order"]),
                .init(id: "bank", subscribes: ["demo.Note", "ceb.Order"]),
            ],
            types: ["demo.Note", "{name: ceb.Order, message: swhub.v1.Order}"])
        try await hub.start()
        return hub
    }

    /// The parties as the hub started with them, plus `extra` lines.
    static func parties(_ hub: TestHub, bankHide: String? = nil, without: Set<String> = [], extra: [String] = []) -> [String] {
        var lines: [String] = []
        if !without.contains("platform") { lines.append(TestHub.partyYAML("platform", keys: [hub.partyKeys["platform"]!.publicKey])) }
        if !without.contains("customs") {
            lines.append(TestHub.partyYAML("customs", keys: [hub.partyKeys["customs"]!.publicKey], subscribes: ["demo.Note", "ceb.Order"]))
        }
        if !without.contains("bank") {
            lines.append(
                TestHub.partyYAML("bank", keys: [hub.partyKeys["bank"]!.publicKey], subscribes: ["demo.Note", "ceb.Order"], hide: bankHide))
        }
        return lines + extra
    }

    static func note(_ platform: HubClient, _ id: String) async throws -> SubmitReceipt {
        try await platform.submit(type: "demo.Note", body: Array("note \(id)".utf8), id: id)
    }

    @Test func aBadFileIsRefusedAndTheRunningConfigurationStays() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        let customs = try hub.client("customs", receive: true)
        defer {
            platform.close()
            customs.close()
        }
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        _ = try await Self.note(platform, "n-1")
        try await inbox.wait(for: 1, within: .seconds(30))

        // A party subscribing to an undeclared type: the error `swhub config check` gives.
        try hub.rewriteParties(
            Self.parties(hub) + [TestHub.partyYAML("post", keys: [try CurveKeyPair.generate().publicKey], subscribes: ["no.Such"])])
        let bad = try hub.reload()
        #expect(bad.status == 78)
        #expect(bad.output.contains("CONFIG_UNKNOWN_REFERENCE"))
        #expect(bad.output.contains("undeclared type 'no.Such'"))

        // A file the hub loads but cannot apply without a restart: refused by the hub itself.
        try hub.rewriteParties(Self.parties(hub))
        try hub.rewriteConfig { $0.replacingOccurrences(of: "heartbeat_ms: 500", with: "heartbeat_ms: 700") }
        let restart = try hub.reload()
        #expect(restart.status == 78)
        #expect(restart.output.contains("the hub refused the reload"))
        #expect(restart.output.contains("CONFIG_NEEDS_RESTART"))
        #expect(restart.output.contains("hub.heartbeat_ms"))
        #expect(hub.log().contains("reload refused; the configuration in force stays"))

        // The old configuration is in force: the session was not disturbed and keeps receiving.
        _ = try await Self.note(platform, "n-2")
        try await inbox.wait(for: 2, within: .seconds(30))
        #expect(hub.logLines(with: "receiving session opened", "customs") == 1)
        #expect(hub.isRunning)
    }

    @Test func anAddedPartyConnectsAndARemovedPartysSessionIsClosedAtOnce() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        let customs = try hub.client("customs", receive: true)
        let bank = try hub.client("bank", receive: true)
        defer {
            platform.close()
            customs.close()
            bank.close()
        }
        let customsInbox = DeliveryInbox(customs)
        let bankInbox = DeliveryInbox(bank)
        try await customs.connect()
        try await bank.connect()
        _ = try await Self.note(platform, "n-1")
        try await customsInbox.wait(for: 1, within: .seconds(30))
        try await bankInbox.wait(for: 1, within: .seconds(30))

        // Reload: post is added, bank is removed.
        let postKeys = try CurveKeyPair.generate()
        try hub.rewriteParties(
            Self.parties(hub, without: ["bank"], extra: [TestHub.partyYAML("post", keys: [postKeys.publicKey], subscribes: ["demo.Note"])]))
        let reloaded = try hub.reload()
        #expect(reloaded.status == 0, "\(reloaded.output)")
        #expect(reloaded.output.contains("1 session(s) closed"))

        // bank's session was closed at once with KEY_REVOKED; its next submission fails, and
        // the SDK client stops and says why (its deliveries end).
        #expect(hub.logLines(with: "receiving session closed", "bank", "key revoked by a reload") == 1)
        await #expect(throws: HubClientError.self) { _ = try await bank.submit(type: "demo.Note", body: [1], id: "from-bank") }
        try await waitUntil(.seconds(30), "the SDK client did not stop") { bank.failure != nil }
        #expect(bank.failure?.code == .authenticationFailed)
        // A new handshake with bank's key is refused.
        let again = try hub.client("bank")
        defer { again.close() }
        do {
            _ = try await again.connect(timeout: .seconds(20))
            Issue.record("bank's key was accepted after its party was removed")
        } catch let error as HubClientError {
            #expect(error.code == .authenticationFailed)
        }

        // post connects without a restart; customs keeps receiving on the same session.
        var postConfiguration = hub.clientConfiguration("platform", receive: true)
        postConfiguration.keyPair = postKeys
        let post = try hub.client(configuration: postConfiguration, name: "post")
        defer { post.close() }
        let postInbox = DeliveryInbox(post)
        let welcome = try await post.connect()
        #expect(welcome.party == "post")
        let receipt = try await Self.note(platform, "n-2")
        #expect(receipt.recipients == 2)
        let toCustoms = try await customsInbox.wait(for: 2, within: .seconds(30))
        #expect(toCustoms.last?.seq == receipt.seq)
        // Recipients are fixed when a message is journaled: post gets what came after it joined.
        let toPost = try await postInbox.wait(for: 1, within: .seconds(30))
        #expect(toPost.map(\.seq) == [receipt.seq])
        #expect(hub.logLines(with: "receiving session opened", "customs") == 1, "customs said HELLO once")
        #expect(bankInbox.count == 1)
    }

    /// `swhub listen` whose party a reload removes stops with exit 78
    /// (`AUTHENTICATION_FAILED`), instead of retrying for good with a key every handshake refuses.
    @Test func swhubListenStopsWhenAReloadRevokesItsKey() async throws {
        let hub = try await Self.startHub()
        let listen = try hub.startSwhub(["listen", "--config", try hub.writeClientConfig("bank")], logName: "listen-bank.log")
        try await waitUntil(.seconds(30), "swhub listen did not start: \(hub.log(named: "listen-bank.log"))") {
            hub.log(named: "listen-bank.log").contains("listening as bank")
        }
        try hub.rewriteParties(Self.parties(hub, without: ["bank"]))
        let reloaded = try hub.reload()
        #expect(reloaded.status == 0 && reloaded.output.contains("1 session(s) closed"), "\(reloaded.output)")
        try await waitUntil(.seconds(30), "swhub listen did not stop: \(hub.log(named: "listen-bank.log"))") { !listen.isRunning }
        #expect(listen.terminationStatus == 78, "\(hub.log(named: "listen-bank.log"))")
        #expect(hub.log(named: "listen-bank.log").contains("AUTHENTICATION_FAILED"), "\(hub.log(named: "listen-bank.log"))")
    }

    /// A department's file adapter whose party a reload removes stops with exit 78 too.
    @Test func aFileAdapterStopsWhenAReloadRevokesItsKey() async throws {
        let hub = try TestHub(parties: [.init(id: "platform"), .init(id: "tax", subscribes: ["demo.Note"])])
        try await hub.start()
        let path = try hub.writeClientConfig("tax")
        try (try String(contentsOfFile: path, encoding: .utf8) + "adapter:\n  folder: tax\n  poll_ms: 20\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let adapter = try hub.startSwhub(["adapter", "tax", "--config", path], logName: "adapter-tax.log")
        try await waitUntil(.seconds(30), "the adapter did not connect: \(hub.log(named: "adapter-tax.log"))") {
            hub.log(named: "adapter-tax.log").contains("adapter tax as tax")
        }
        try hub.rewriteParties([TestHub.partyYAML("platform", keys: [hub.partyKeys["platform"]!.publicKey])])
        let reloaded = try hub.reload()
        #expect(reloaded.status == 0, "\(reloaded.output)")
        try await waitUntil(.seconds(30), "the adapter did not stop: \(hub.log(named: "adapter-tax.log"))") { !adapter.isRunning }
        #expect(adapter.terminationStatus == 78, "\(hub.log(named: "adapter-tax.log"))")
        #expect(hub.log(named: "adapter-tax.log").contains("AUTHENTICATION_FAILED"), "\(hub.log(named: "adapter-tax.log"))")
    }

    /// A pid file that names a process other than `swhub serve` (a hub that crashed, its pid
    /// reused) is not signalled: `swhub reload` exits 4 and the process lives on.
    @Test func aPidFileNamingAnotherProcessIsNotSignalled() async throws {
        let hub = try await Self.startHub()
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["120"]
        try ProcessLaunch.run(sleeper)
        defer { sleeper.terminate() }
        let pidFile = URL(fileURLWithPath: hub.journalPath).deletingLastPathComponent().appendingPathComponent("swhub.pid").path
        try await waitUntil(.seconds(30), "the hub wrote no pid file") { FileManager.default.fileExists(atPath: pidFile) }
        try "\(sleeper.processIdentifier)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let reloaded = try hub.reload()
        #expect(reloaded.status == 4, "\(reloaded.output)")
        #expect(reloaded.output.contains("not `swhub serve`"), "\(reloaded.output)")
        #expect(sleeper.isRunning, "the other process was signalled")
        try "garbage\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let damaged = try hub.reload()
        #expect(damaged.status == 4 && damaged.output.contains("does not hold a process id"), "\(damaged.output)")
    }

    /// A second hub given the run directory of a running one (two journals in one folder
    /// share it by default) is refused with exit 78 before it writes anything there; it
    /// overwrote the first hub's pid file, and `swhub reload` then signalled the second.
    @Test func aSecondHubIsRefusedTheRunDirectoryOfARunningOne() async throws {
        let hub = try await Self.startHub()
        let folder = URL(fileURLWithPath: hub.journalPath).deletingLastPathComponent()
        let pidFile = folder.appendingPathComponent("swhub.pid").path
        try await waitUntil(.seconds(30), "the hub wrote no pid file") { FileManager.default.fileExists(atPath: pidFile) }
        let firstPid = try String(contentsOfFile: pidFile, encoding: .utf8)
        let other = try TestHub(parties: [.init(id: "platform")], types: ["demo.Note"])
        defer { try? FileManager.default.removeItem(at: other.directory) }
        let second = try programOutput(try TestHub.executable, ["serve", "--config", other.configPath, "--run-dir", folder.path])
        #expect(second.status == 78, "\(second)")
        #expect(second.errors.contains("runs from the run directory \(folder.path)"), "\(second.errors)")
        #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == firstPid)
        #expect(try hub.reload().status == 0)
    }

    @Test func aChangedHideListRedactsTheNextDelivery() async throws {
        let hub = try await Self.startHub()
        let platform = try hub.client("platform")
        let bank = try hub.client("bank", receive: true)
        defer {
            platform.close()
            bank.close()
        }
        let inbox = DeliveryInbox(bank)
        try await bank.connect()
        let body = try RedactionTests.order("order-1")
        _ = try await platform.submit(type: "ceb.Order", body: body, id: "o-1")
        let first = try await inbox.wait(for: 1, within: .seconds(30))
        #expect(first.first?.body == body)

        try hub.rewriteParties(Self.parties(hub, bankHide: "{ceb.Order: [buyer_id_number, buyer_id_type]}"))
        let reloaded = try hub.reload()
        #expect(reloaded.status == 0, "\(reloaded.output)")
        #expect(reloaded.output.contains("0 session(s) closed"))

        _ = try await platform.submit(type: "ceb.Order", body: try RedactionTests.order("order-2"), id: "o-2")
        let both = try await inbox.wait(for: 2, within: .seconds(30))
        let second = try #require(both.last)
        #expect(!second.body.contains(Array(RedactionTests.buyerId.utf8)))
        let order = try BizOrder(serializedBytes: second.body)
        #expect(order.orderNo == "order-2" && order.buyerIDNumber.isEmpty && order.buyerName == "Zhang San")
        #expect(hub.logLines(with: "receiving session opened", "bank") == 1, "no new HELLO")
    }

    @Test func anAuditorWhoseRightWasRemovedSeesNoMoreOfTheStreamOnTheTap() async throws {
        let hub = try TestHub(
            parties: [
                .init(id: "platform"), .init(id: "bank", subscribes: ["demo.Note"]),
                .init(id: "auditor", audit: "{parties: [bank]}"),
            ],
            tapQueue: 1000)
        try await hub.start()
        let platform = try hub.client("platform")
        defer { platform.close() }
        let tap = try await hub.tapSubscriber("auditor")
        let before = try await platform.submit(type: "demo.Note", body: Array("before".utf8))
        #expect(try tap.read(until: before.seq, recipient: "bank").last?.header.seq == before.seq)

        try hub.rewriteParties([
            TestHub.partyYAML("platform", keys: [hub.partyKeys["platform"]!.publicKey]),
            TestHub.partyYAML("bank", keys: [hub.partyKeys["bank"]!.publicKey], subscribes: ["demo.Note"]),
            TestHub.partyYAML("auditor", keys: [hub.partyKeys["auditor"]!.publicKey]),
        ])
        let reloaded = try hub.reload()
        #expect(reloaded.status == 0, "\(reloaded.output)")

        // What bank is sent from now on is not copied to the auditor; what the auditor is sent is.
        let after = try await platform.submit(type: "demo.Note", body: Array("after".utf8))
        let marker = try await platform.submit(type: "demo.Note", body: Array("marker".utf8), to: ["auditor"])
        let read = try tap.read(until: marker.seq, recipient: "auditor")
        #expect(!read.contains { $0.header.seq == after.seq })
    }
}
