import Foundation
import HubClient
import HubConfigKit
import HubCore
import HubProtocol
import HubThreads
import Testing
import ZeroMQ

/// The C adapter kit (Sources/CHubClient, libzmq + protobuf-c) against a real `swhub serve`
/// with CURVE: `swhub-c-driver` and the `swhub-c-register` example as child processes, the
/// kit built again with its Makefile outside SwiftPM, and its full scenario under valgrind.
@Suite("The C adapter kit", .serialized, .timeLimit(.minutes(5)))
struct CKitTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The hub's heartbeat is 10 s here, not the tests' usual 500 ms: a client reopens a
    /// connection on which the hub has been silent for three heartbeats and submits its
    /// unanswered messages again, which the hub rightly answers as duplicates (and, for a
    /// batch, in another order). On a loaded CI machine 1.5 s of silence happened (a first
    /// submission came back `duplicate=1`), then 6 s with a CI build beside the suite, then
    /// over 12 s with the whole suite starting its hubs at once; these tests count duplicates
    /// and order exactly, so the hub's heartbeat here is 10 s (30 s of silence before a resend).
    static func startHub() async throws -> TestHub {
        let hub = try TestHub(
            parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note", "reg.Registration"])],
            types: ["demo.Note", "{name: reg.Registration, message: swhub.v1.Registration}"], heartbeatMs: 10_000)
        try await hub.start()
        _ = try hub.writeKeyPair("enterprise")
        _ = try hub.writeKeyPair("customs")
        return hub
    }

    @Test func submitIsAcceptedThenReceivedAndAcknowledged() async throws {
        let hub = try await Self.startHub()
        let driver = try CDriver(hub: hub)
        #expect(try await driver.run("open enterprise.key_secret").hasPrefix("ok open party=enterprise"))
        let accepted = try await driver.run("submit c-1 demo.Note body=hello")
        #expect(accepted.hasPrefix("ok accepted id=c-1 "), "\(accepted)")
        #expect(CDriver.field("duplicate", in: accepted) == "0")
        #expect(CDriver.field("recipients", in: accepted) == "1")
        let seq = try #require(CDriver.field("seq", in: accepted))
        let again = try await driver.run("submit c-1 demo.Note body=hello")
        #expect(CDriver.field("seq", in: again) == seq)
        #expect(CDriver.field("duplicate", in: again) == "1")

        #expect(try await driver.run("open customs.key_secret").hasPrefix("ok open party=customs"))
        #expect(try await driver.run("start 10") == "ok start")
        let delivery = try await driver.run("recv 10000")
        #expect(delivery == "ok deliver seq=\(seq) id=c-1 type=demo.Note sender=enterprise corr= body=hello")
        #expect(try await driver.run("ack \(seq)") == "ok ack seq=\(seq)")
        // A new session resumes after the acknowledged seq: nothing comes again.
        #expect(try await driver.run("close") == "ok close")
        #expect(try await driver.run("open customs.key_secret").hasPrefix("ok open"))
        #expect(try await driver.run("start 10") == "ok start")
        #expect(try await driver.run("recv 1000").hasPrefix("error -4 SWHUB_ERR_TIMEOUT"))
        #expect(try await driver.finish() == 0)
    }

    /// Every call with NULL or invalid arguments gets a return code (`SWHUB_ERR_ARGUMENT`, or
    /// `SWHUB_ERR_STATE` for receiving without a session), with or without a client, and the
    /// client works on afterwards. (The same calls run under valgrind below.)
    @Test func misuseIsAnsweredWithReturnCodes() async throws {
        let hub = try await Self.startHub()
        let driver = try CDriver(hub: hub)
        let none = Array(repeating: "-1", count: 16).joined(separator: ",")
        #expect(try await driver.run("misuse") == "ok misuse texts=1 codes=\(none)")
        #expect(try await driver.run("open enterprise.key_secret").hasPrefix("ok open"))
        let open = Array(repeating: "-1", count: 11) + ["-8", "-8", "-1", "-1", "-1"]
        #expect(try await driver.run("misuse") == "ok misuse texts=1 codes=\(open.joined(separator: ","))")
        #expect(try await driver.run("submit after-misuse demo.Note body=x").hasPrefix("ok accepted id=after-misuse "))
        #expect(try await driver.finish() == 0)
    }

    @Test func refusedSubmissionsReturnTheHubsErrorCodes() async throws {
        let hub = try await Self.startHub()
        let driver = try CDriver(hub: hub)
        #expect(try await driver.run("open enterprise.key_secret").hasPrefix("ok open"))
        #expect(try await driver.run("submit e-1 demo.Unknown body=x").hasPrefix("error 404 UNKNOWN_TYPE: "))
        #expect(try await driver.run("submit e-2 demo.Note body=x to=nobody").hasPrefix("error 407 UNKNOWN_RECIPIENT: "))
        #expect(try await driver.run("submit e-3 reg.Registration hex=ffffff").hasPrefix("error 412 MALFORMED_BODY: "))
        // An id the hub would refuse (405) is refused before it is sent: its ERROR could not
        // be matched to the submission.
        let long = String(repeating: "x", count: 129)
        #expect(
            try await driver.run("submit \(long) demo.Note body=x").hasPrefix("error -1 SWHUB_ERR_ARGUMENT: a message id is 1 to 128 bytes")
        )
        // The connection is fine after refusals.
        #expect(try await driver.run("submit e-4 demo.Note body=x").hasPrefix("ok accepted id=e-4 "))
        #expect(try await driver.finish() == 0)
    }

    @Test func unacknowledgedDeliveryComesAgainAfterReconnectAndHubRestart() async throws {
        let hub = try await Self.startHub()
        let sender = try hub.client("enterprise")
        _ = try await sender.connect()
        let first = try await sender.submit(type: "demo.Note", body: Array("one".utf8), id: "r-1")
        sender.close()

        let driver = try CDriver(hub: hub)
        #expect(try await driver.run("open customs.key_secret").hasPrefix("ok open"))
        #expect(try await driver.run("start 10") == "ok start")
        #expect(try await driver.run("recv 10000").hasPrefix("ok deliver seq=\(first.seq) id=r-1 "))
        // Not acknowledged: a new connection gets it again, with the same seq.
        #expect(try await driver.run("close") == "ok close")
        #expect(try await driver.run("open customs.key_secret").hasPrefix("ok open"))
        #expect(try await driver.run("start 10") == "ok start")
        #expect(try await driver.run("recv 10000").hasPrefix("ok deliver seq=\(first.seq) id=r-1 "))
        #expect(try await driver.run("ack \(first.seq)") == "ok ack seq=\(first.seq)")

        // The hub dies and comes back: the C client notices, says HELLO again and receives.
        await hub.kill9()
        try await hub.start()
        let sender2 = try hub.client("enterprise")
        _ = try await sender2.connect()
        let second = try await sender2.submit(type: "demo.Note", body: Array("two".utf8), id: "r-2")
        sender2.close()
        #expect(try await driver.run("recv 20000").hasPrefix("ok deliver seq=\(second.seq) id=r-2 "))
        #expect(try await driver.finish() == 0)
    }

    @Test func badKeysAreErrorCodesNotCrashes() async throws {
        let hub = try await Self.startHub()
        try "public_key: \"short\"\nsecret_key: \"also short\"\n".write(
            to: hub.directory.appendingPathComponent("garbage.key_secret"), atomically: true, encoding: .utf8)
        let stranger = try CurveKeyPair.generate()
        try KeyFile(publicKey: stranger.publicKey, secretKey: stranger.secretKey).render(name: "stranger", includingSecret: true)
            .write(to: hub.directory.appendingPathComponent("stranger.key_secret"), atomically: true, encoding: .utf8)

        let driver = try CDriver(hub: hub)
        #expect(try await driver.run("open missing.key_secret").hasPrefix("error -2 SWHUB_ERR_KEY_FILE: cannot read key file"))
        #expect(try await driver.run("open hub.key").hasPrefix("error -2 SWHUB_ERR_KEY_FILE: "))
        #expect(try await driver.run("open garbage.key_secret").hasPrefix("error -2 SWHUB_ERR_KEY_FILE: "))
        #expect(try await driver.run("open stranger.key_secret 5000").hasPrefix("error -5 SWHUB_ERR_AUTH: "))
        #expect(try await driver.run("submit x-1 demo.Note").hasPrefix("error -8 SWHUB_ERR_STATE"))
        #expect(try await driver.finish() == 0)

        let example = try await Self.run(
            try CDriver.built("swhub-c-register"),
            [hub.endpoint, "missing.key_secret", "hub.key", Self.repoRoot.appendingPathComponent("Kits/c/registration-example.txt").path],
            in: hub.directory)
        #expect(example.status == 2)
        #expect(example.output.contains("SWHUB_ERR_KEY_FILE"), "\(example.output)")
    }

    @Test func exampleAdapterSubmitsARegistrationCustomsCanDecode() async throws {
        let hub = try await Self.startHub()
        let customs = try hub.client("customs", receive: true)
        _ = try await customs.connect()
        let inbox = DeliveryInbox(customs)
        let example = try await Self.run(
            try CDriver.built("swhub-c-register"),
            [
                hub.endpoint, "enterprise.key_secret", try hub.writeHubPublicKey(),
                Self.repoRoot.appendingPathComponent("Kits/c/registration-example.txt").path,
            ],
            in: hub.directory)
        #expect(example.status == 0, "\(example.output)")
        #expect(example.output.hasPrefix("accepted id=reg-COP-2026-0001 "), "\(example.output)")
        #expect(example.output.contains("recipients=1"))
        let delivery = try #require(try await inbox.wait(for: 1, within: .seconds(20)).first)
        #expect(delivery.header.type == "reg.Registration")
        #expect(delivery.header.sender == "enterprise")
        let registration = try BizRegistration(serializedBytes: delivery.body)
        #expect(registration.copNo == "COP-2026-0001")
        #expect(registration.socialCreditCode == "91110000MA01ABCD2X")
        #expect(registration.name == "北京示例跨境电商有限公司")
        #expect(registration.roles == [.platform, .ecommerceEnterprise])
        #expect(registration.bankAccounts.map(\.bankCode) == ["104100000004"])
        #expect(registration.contact.telephone == "010-12345678")
        customs.close()
    }

    /// With flows on, the example waits for the unified feedback about its registration
    /// while the departments (Swift clients here) answer the shares.
    @Test func exampleAdapterWaitsForTheUnifiedFeedback() async throws {
        let world = try await FlowWorld()
        let departments = ["customs", "tax", "forex", "post"]
        for department in departments { try await world.connect(department) }
        let (process, log) = try Self.start(
            try CDriver.built("swhub-c-register"),
            [
                "--wait-feedback", "60", world.hub.endpoint, try world.hub.writeKeyPair("platform"), try world.hub.writeHubPublicKey(),
                Self.repoRoot.appendingPathComponent("Kits/c/registration-example.txt").path,
            ],
            in: world.hub.directory)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        for department in departments {
            let share = try #require(try await world.wait(department, "reg.Registration", within: .seconds(30)).first)
            try await world.answer(department, share: share)
        }
        try await onThread { process.waitUntilExit() }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "\(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("accepted id=reg-COP-2026-0001 ") == true, "\(output)")
        let final = try #require(lines.last, "\(output)")
        #expect(final.hasPrefix("feedback state=ACCEPTED final=1 departments="), "\(output)")
        for department in departments { #expect(final.contains("\(department):ACCEPTED"), "\(output)") }
        world.close()
    }

    /// The README's Makefile and pkg-config lines, run as written; the Makefile's driver
    /// then runs the whole scenario under valgrind, which fails the test on a leak.
    @Test func makefileBuildsTheKitAndValgrindFindsNoLeaks() async throws {
        let hub = try await Self.startHub()
        let hubKey = try hub.writeHubPublicKey()
        let build = hub.directory.appendingPathComponent("kit-build").path
        let prefix = hub.directory.appendingPathComponent("kit-prefix").path
        let kit = Self.repoRoot.appendingPathComponent("Kits/c").path
        let make = try await Self.run(
            URL(fileURLWithPath: "/usr/bin/make"), ["-s", "-C", kit, "O=\(build)", "all", "install", "PREFIX=\(prefix)"], in: hub.directory)
        #expect(make.status == 0, "\(make.output)")
        let program = Self.repoRoot.appendingPathComponent("Sources/swhub-c-register/main.c").path
        let link = try await Self.run(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "cc -Wall -Werror '\(program)' $(pkg-config --cflags --libs swhub-client) -o '\(build)/register-pc'"],
            in: hub.directory, environment: ["PKG_CONFIG_PATH": "\(prefix)/lib/pkgconfig"])
        #expect(link.status == 0, "\(link.output)")

        let stranger = try CurveKeyPair.generate()
        try KeyFile(publicKey: stranger.publicKey, secretKey: stranger.secretKey).render(name: "stranger", includingSecret: true)
            .write(to: hub.directory.appendingPathComponent("stranger.key_secret"), atomically: true, encoding: .utf8)
        let script = hub.directory.appendingPathComponent("scenario.txt")
        try """
        misuse
        open enterprise.key_secret
        misuse
        submit v-1 demo.Note body=hello
        submit v-2 demo.Unknown body=x
        submit v-3 demo.Note body=x to=nobody
        pipeline 300 demo.Note 1000 customs
        batching 10 60000000
        send vb-1 demo.Note body=x
        send vb-2 demo.Unknown body=x
        flush
        replies 2
        send vbig-1 \(String(repeating: "t", count: 4200)) body=x
        send vbig-2 \(String(repeating: "t", count: 4200)) body=x
        flush
        replies 2
        open customs.key_secret
        batchdeliveries 7
        start 50
        recv 10000
        recv 10000
        close
        open customs.key_secret
        start 50
        recv 10000
        ack 1
        open stranger.key_secret 3000
        open hub.key
        open missing.key_secret

        """.write(to: script, atomically: true, encoding: .utf8)
        let valgrind = try await Self.run(
            URL(fileURLWithPath: "/usr/bin/valgrind"),
            // The suppressions cover only what libzmq allocates on its own I/O threads (see the file).
            [
                "-q", "--suppressions=\(kit)/valgrind-libzmq.supp", "--show-leak-kinds=definite,indirect",
                "--leak-check=full", "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                // A list of hub nodes (here the one hub twice): its parsing and freeing run under valgrind too.
                "\(build)/swhub-c-driver", "\(hub.endpoint), \(hub.endpoint)", hubKey,
            ],
            in: hub.directory, input: script)
        #expect(valgrind.status == 0, "valgrind status \(valgrind.status):\n\(valgrind.output)")
        let lines = valgrind.output.split(separator: "\n").filter { $0.hasPrefix("ok ") || $0.hasPrefix("error ") }
        #expect(lines.count == 29, "\(valgrind.output)")
        #expect(lines.filter { $0.hasPrefix("ok misuse texts=1 ") }.count == 2, "\(valgrind.output)")
        #expect(lines.filter { $0.hasPrefix("ok deliver seq=1 id=v-1 ") }.count == 2, "\(valgrind.output)")
        #expect(lines.contains { $0.hasPrefix("ok pipeline accepted=300") }, "\(valgrind.output)")
        // A batch with a refused entry, and a batch refused as a whole (417: headers too large).
        #expect(lines.contains { $0.hasPrefix("ok replies vb-1:0:") && $0.contains(",vb-2:404:0") }, "\(valgrind.output)")
        #expect(lines.contains("ok replies vbig-1:417:0,vbig-2:417:0"), "\(valgrind.output)")
        #expect(lines.contains { $0.hasPrefix("error -5 SWHUB_ERR_AUTH") }, "\(valgrind.output)")

        // The program linked through pkg-config works too.
        let registered = try await Self.run(
            URL(fileURLWithPath: "\(build)/register-pc"),
            [hub.endpoint, "enterprise.key_secret", hubKey, "\(kit)/registration-example.txt"], in: hub.directory)
        #expect(registered.status == 0 && registered.output.hasPrefix("accepted "), "\(registered.output)")
    }

    /// Runs a program to completion; standard output and error together.
    static func run(
        _ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String] = [:], input: URL? = nil
    ) async throws -> (status: Int32, output: String) {
        let (process, log) = try start(executable, arguments, in: directory, environment: environment, input: input)
        try await onThread { process.waitUntilExit() }
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// Starts a program; its standard output and error go to the returned log file.
    static func start(
        _ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String] = [:], input: URL? = nil
    ) throws -> (Process, URL) {
        let log = directory.appendingPathComponent("run-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = try input.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try ProcessLaunch.run(process)
        return (process, log)
    }
}
