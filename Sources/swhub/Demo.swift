import ArgumentParser
import FlowSamples
import Foundation
import HubClient
import HubCore
import HubProtocol
import HubStore

/// `swhub demo`: a whole single window on this machine — the hub on the embedded store,
/// the five simulated departments, and enterprises filing registrations and declarations
/// (some deliberately mismatched, one enterprise blacklisted), then, after the release, a
/// cancellation of one declaration and a return of another, which customs approves —
/// ending with a summary and the month's report.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the hub with simulated departments and sample filings, then summarize.")

    @Option(help: "Merchant registrations and declarations to file (each).")
    var count = 100

    @Flag(help: "End with one JSON object instead of the text summary.")
    var json = false

    @Option(
        help:
            "Directory for keys, configs, journal and logs (default: a new one under the temporary directory). Kept after the run, for `swhub status`."
    )
    var dir: String?

    @Option(help: "Seed of the simulated departments' decisions.")
    var seed: UInt64 = 1

    @Option(help: "Seconds to wait for every filing to settle.")
    var timeout = 180

    @Option(help: "Serve the web monitor and /metrics on HOST:PORT (e.g. 127.0.0.1:8080).")
    var monitor: String?

    @Option(help: "Seconds to keep the hub, the departments and the monitor up after the filings settled.")
    var linger = 0

    @Option(
        help: """
            A YAML file whose `store:` section says where the hub keeps its journal, e.g. a PostgreSQL \
            server or cluster (see README, "A hub cluster on PostgreSQL"); default: SQLite in --dir.
            """)
    var storeConfig: String?

    func validate() throws {
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be 1...100000") }
        guard (0...86_400).contains(linger) else { throw ValidationError("--linger must be 0...86400 seconds") }
        if let monitor, !monitor.contains(":") { throw ValidationError("--monitor takes HOST:PORT") }
    }

    func run() async throws {
        MallocTuning.apply()
        SQLiteProcessSettings.apply()  // before any journal is opened
        let directory = URL(
            fileURLWithPath: dir
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("swhub-demo-\(UUID().uuidString.prefix(8))").path)
        var behaviour = SingleWindowSetup.Behaviour()
        behaviour.seed = seed
        behaviour.blacklist = [FlowDriver.shadyCode]
        behaviour.monitor = monitor
        if let storeConfig {
            guard let text = try? String(contentsOfFile: storeConfig, encoding: .utf8) else {
                throw CommandFailure(.configuration, "cannot read --store-config \(storeConfig)")
            }
            behaviour.store = text
        }
        let setup = try SingleWindowSetup(directory: directory, behaviour: behaviour)
        let progress = DemoProgress(enabled: !json)
        progress.say("swhub demo: hub and 5 simulated departments (customs, tax, forex, post, bank-boc) in \(directory.path)")
        try setup.start()
        defer { setup.stop() }
        if let monitor { progress.say("web monitor: http://\(monitor)/   metrics: http://\(monitor)/metrics") }
        let driver = try await FlowDriver(setup: setup)
        defer { driver.close() }
        let start = ContinuousClock.now

        progress.say("registering the filers (platform, bank-boc as payment company, post as logistics company)")
        try await driver.registerFilers()

        var refusals: [String: Int] = [:]
        // The blacklisted enterprise tries to register: refused with 414.
        let shady = SampleFilings.registration(
            copNo: "shady", socialCreditCode: FlowDriver.shadyCode, customsCode: "", name: "黑名单贸易有限公司",
            roles: [.ecommerceEnterprise], bankCode: SingleWindowSetup.bankCode)
        var shadyOutcome = "accepted (the blacklist notice had not arrived yet)"
        do {
            try await driver.submit("shady", .registration, shady, id: "reg-shady")
        } catch let error as HubClientError where error.hubCode != nil {
            refusals[error.hubCode!.description, default: 0] += 1
            shadyOutcome = "refused: \(error.reason)"
        }
        progress.say("blacklisted enterprise's registration \(shadyOutcome)")

        // Merchants registered by the platform, and declarations filed by platform, bank and post.
        let mismatches = SampleFilings.Mismatch.allCases
        let filed = try await withThrowingTaskGroup(of: (String, String?).self) { group in
            var ids: (registrations: [String], declarations: [String]) = ([], [])
            var inFlight = 0
            for n in 1...count {
                if inFlight >= 64, let (kind, id) = try await group.next() {
                    inFlight -= 1
                    if let id { kind == "reg" ? ids.registrations.append(id) : ids.declarations.append(id) }
                }
                group.addTask { ("reg", try await driver.registerMerchant(n, prefix: "")) }
                let mismatch = n % 7 == 0 ? mismatches[(n / 7) % mismatches.count] : nil
                group.addTask { ("decl", try await driver.declare(n, prefix: "", mismatch: mismatch)) }
                inFlight += 2
            }
            for try await (kind, id) in group {
                if let id { kind == "reg" ? ids.registrations.append(id) : ids.declarations.append(id) }
            }
            return ids
        }
        let submittedAt = ContinuousClock.now
        let subjects = filed.registrations + filed.declarations
        let settled = try await driver.waitSettled(subjects, timeout: .seconds(timeout)) { done in
            progress.update("settled \(done) of \(subjects.count) filings (\(count) registrations, \(count) declarations)")
        }
        progress.finish()
        // After the release: a cancellation and a return, which customs approves.
        let afterRelease = try await driver.cancelAndReturn(filed.declarations.sorted())
        if !afterRelease.isEmpty { progress.say("after the release: cancelling one declaration and returning a line of another") }
        let afterSettled = try await driver.waitSettled(afterRelease.map(\.id), timeout: .seconds(timeout))
        let afterReleaseStates = afterRelease.map { filing in
            (filing, driver.board.feedback(filing.id).map { Status.name($0.state) } ?? "NO FEEDBACK")
        }
        let elapsed = (ContinuousClock.now - start).seconds

        var states: [String: [String: Int]] = ["registration": [:], "declaration": [:]]
        var rules: [String: Int] = [:]
        for (flow, ids) in [("registration", filed.registrations), ("declaration", filed.declarations)] {
            for id in ids {
                let feedback = driver.board.feedback(id)
                let state =
                    feedback.map { Status.name($0.state) + ($0.final || $0.state == .accepted ? "" : " (in progress)") } ?? "NO FEEDBACK"
                states[flow, default: [:]][state, default: 0] += 1
                for reason in feedback?.reasons ?? [] {
                    if let rule = reason.split(separator: " ").first, MatchRule(rawValue: String(rule)) != nil {
                        rules[String(rule), default: 0] += 1
                    }
                }
            }
        }
        let documents = count * 5 + 4
        let example = filed.declarations.sorted().first ?? ""
        let statusCommand = "swhub status \(example) --config \(setup.configPath)"
        let report = ReportCommand.demo(configPath: setup.configPath, directory: directory)
        if json {
            let report: [String: Any] = [
                "flows": states, "rule_failures": rules, "refusals": refusals, "elapsed_s": (elapsed * 100).rounded() / 100,
                "filings": documents, "filings_per_s": (Double(documents) / (submittedAt - start).seconds).rounded(),
                "settled": settled, "subjects": subjects.count, "directory": directory.path, "status_example": statusCommand,
                "report": report.files,
                "after_release": afterReleaseStates.map { filing, state in
                    ["kind": filing.kind, "id": filing.id, "declaration": filing.declaration, "invt_no": filing.invtNo, "state": state]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            Output.line(String(decoding: data, as: UTF8.self))
        } else {
            Output.line(
                "\nDone in \(String(format: "%.1f", elapsed)) s: \(documents) filings submitted at \(Int(Double(documents) / (submittedAt - start).seconds))/s, \(settled) of \(subjects.count) settled."
            )
            for (flow, counts) in states.sorted(by: { $0.key > $1.key }) {
                Output.line("  \(flow)s: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            Output.line(
                "  三单对碰 rule failures: "
                    + (rules.isEmpty ? "none" : rules.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
            Output.line(
                "  refused at submission: "
                    + (refusals.isEmpty ? "none" : refusals.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")))
            for (filing, state) in afterReleaseStates {
                let notice = filing.kind == "cancellation" ? "flow.WithdrawalNotice" : "flow.ReturnNotice"
                Output.line(
                    "  after the release: \(filing.kind) \(filing.id) of \(filing.declaration) (\(filing.invtNo)): \(state)"
                        + (state == "ACCEPTED" ? ", customs approved, \(notice) sent" : ""))
            }
            Output.line("\nOne declaration's unified feedback:\n  \(statusCommand)")
            Output.line("Statistics:\n  swhub stats --config \(setup.configPath)")
            Output.line(report.text)
        }
        if linger > 0 {
            FileHandle.standardError.write(
                Data(
                    "swhub demo: lingering \(linger) s or until SIGINT/SIGTERM\(monitor.map { " (monitor at http://\($0)/)" } ?? "")\n".utf8
                ))
            await Self.linger(for: .seconds(linger))
        }
        if settled < subjects.count || afterSettled < afterRelease.count { throw ExitStatus.failed.exitCode }
    }
}

extension Demo {
    /// Waits `duration`, or less if SIGINT or SIGTERM arrives meanwhile, so that the
    /// demo still stops its hub and departments (a plain signal would orphan them).
    static func linger(for duration: Duration) async {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask {
                for await _ in signals { return }
            }
            await group.next()
            group.cancelAll()
        }
        for source in sources { source.cancel() }
        continuation.finish()
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The demo's progress line on stderr (fd 2), rewritten in place.
struct DemoProgress {
    let enabled: Bool

    func say(_ text: String) {
        guard enabled else { return }
        Output.line(text)
    }

    func update(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + text).utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
