import Foundation
import HubClient
import HubConfigKit
import HubCore
import HubTestSupport
import HubThreads
import LocalServers
import Logging
import ZeroMQ

/// A real hub for integration tests: a temporary directory with generated CURVE keys, a
/// config file, and the `swhub serve` executable running as a child process on a free TCP
/// loopback port. Everything the tests do goes over real sockets with CURVE.
final class TestHub: @unchecked Sendable {
    struct PartySpec {
        var id: String
        var subscribes: [String] = []
        /// Field-level visibility, as the config's `hide:` value (YAML flow mapping).
        var hide: String? = nil
        /// The party's roles (customs, tax, ..., platform, ...).
        var roles: [String] = []
        /// For a bank: the bank codes it answers for.
        var bankCodes: [String] = []
        /// Whose streams it audits, as the config's `audit:` value (YAML flow mapping,
        /// e.g. `{parties: [enterprise], bodies: false}`).
        var audit: String? = nil
    }

    let directory: URL
    let port: Int
    let hubKeys: CurveKeyPair
    private(set) var partyKeys: [String: CurveKeyPair] = [:]
    /// The monitoring tap's port and key pair, when the hub was made with `tapQueue`.
    let tapPort: Int?
    let tapKeys: CurveKeyPair?
    var tapEndpoint: String? { tapPort.map { "tcp://127.0.0.1:\($0)" } }
    private var process: Process?
    /// The running hub's exit, signalled by its termination handler.
    private var exit: ProcessExit?
    /// Other `swhub` processes a test started (`startSwhub`), killed with the hub.
    private var children: [Process] = []
    private var logFile: URL { directory.appendingPathComponent("hub.log") }

    var endpoint: String { "tcp://127.0.0.1:\(port)" }
    var configPath: String { directory.appendingPathComponent("hub.yaml").path }
    var journalPath: String { directory.appendingPathComponent("journal.sqlite").path }

    /// Writes keys and config; `extraHub` lines are appended to the `hub:` section; `flows`
    /// lines, if given, make a `flows:` section (an empty list turns the flows on with
    /// their defaults). With `tapQueue`, the hub has a monitoring tap (`tap:`) with its own
    /// key pair and that queue per subscriber. `heartbeatMs` is the hub's heartbeat: a
    /// session silent for three of them is dropped (raw peers that never PING need a long one).
    /// With `keysOf`, the hub has that hub's key pair and its parties theirs (another node
    /// of the same cluster, with a journal of its own). With `store`, those lines make a
    /// `store:` section and the hub has no SQLite journal (`ClusterSupport.swift` writes
    /// them for a PostgreSQL journal: a node of a cluster).
    init(
        parties: [PartySpec], types: [String] = ["demo.Note", "demo.Query"], extraHub: [String] = [],
        flows: [String]? = nil, tapQueue: Int? = nil, heartbeatMs: Int = 500, keysOf other: TestHub? = nil,
        store: [String]? = nil
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        hubKeys = try other?.hubKeys ?? CurveKeyPair.generate()
        if tapQueue != nil {
            let keys = try CurveKeyPair.generate()
            try KeyFile(publicKey: keys.publicKey, secretKey: keys.secretKey)
                .render(name: "tap", includingSecret: true)
                .write(to: directory.appendingPathComponent("tap.key_secret"), atomically: true, encoding: .utf8)
            tapPort = try Self.freePort()
            tapKeys = keys
        } else {
            tapPort = nil
            tapKeys = nil
        }
        try KeyFile(publicKey: hubKeys.publicKey, secretKey: hubKeys.secretKey)
            .render(name: "hub", includingSecret: true)
            .write(to: directory.appendingPathComponent("hub.key_secret"), atomically: true, encoding: .utf8)
        var yaml = """
            hub:
              endpoint: \(endpoint)
              key_file: hub.key_secret
              heartbeat_ms: \(heartbeatMs)

            """
        if let store = try store ?? SuitePostgres.storeLines() {
            yaml = "store:\n" + store.map { "  \($0)\n" }.joined() + yaml
        } else {
            yaml += "  journal: journal.sqlite\n"
        }
        for line in extraHub { yaml += "  \(line)\n" }
        if let tapQueue, let tapPort {
            yaml += "tap:\n  endpoint: tcp://127.0.0.1:\(tapPort)\n  key_file: tap.key_secret\n  queue: \(tapQueue)\n"
        }
        if let flows {
            yaml += flows.isEmpty ? "flows: {}\n" : "flows:\n" + flows.map { "  \($0)\n" }.joined()
        }
        yaml += "types: [\(types.joined(separator: ", "))]\nparties:\n"
        for party in parties {
            let keys = try other?.partyKeys[party.id] ?? CurveKeyPair.generate()
            partyKeys[party.id] = keys
            yaml +=
                "  - id: \(party.id)\n    public_key: \"\(keys.publicKey)\"\n    subscribes: [\(party.subscribes.joined(separator: ", "))]\n"
            if let hide = party.hide { yaml += "    hide: \(hide)\n" }
            if !party.roles.isEmpty { yaml += "    roles: [\(party.roles.joined(separator: ", "))]\n" }
            if !party.bankCodes.isEmpty { yaml += "    bank_codes: [\(party.bankCodes.joined(separator: ", "))]\n" }
            if let audit = party.audit { yaml += "    audit: \(audit)\n" }
        }
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for child in children where child.isRunning { kill(child.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The `swhub` executable built beside the test bundle.
    static var executable: URL {
        get throws {
            let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let candidate = exe.deletingLastPathComponent().appendingPathComponent("swhub")
            guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
                throw TestHubError("swhub is not built at \(candidate.path): run `swift build` first")
            }
            return candidate
        }
    }

    /// Starts `swhub serve` (with `arguments` after the usual ones, e.g. `--salvage`) and
    /// waits until it accepts TCP connections, polling without holding a Swift-concurrency
    /// thread (the test process has two, for every suite running at once). No more hubs
    /// start at once than `StartGate.hubs` lets through.
    func start(arguments: [String] = []) async throws {
        try await StartGate.hubs.through { try await self.launch(arguments: arguments) }
    }

    private func launch(arguments: [String]) async throws {
        let process = Process()
        process.executableURL = try Self.executable
        process.arguments = ["serve", "--config", configPath, "--log-level", "info"] + arguments
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        let exit = ProcessExit()
        process.terminationHandler = { _ in exit.signal() }
        try ProcessLaunch.run(process)
        self.process = process
        self.exit = exit
        try await waitUntil(.seconds(15), "swhub serve did not listen on \(port): \(self.log())") {
            if LoopbackPorts.canConnect(port) { return true }
            guard process.isRunning else { throw TestHubError("swhub serve exited: \(self.log())") }
            return false
        }
    }

    /// Writes a client config file for `party` into the test directory, as
    /// `Deploy/client-customs.yaml` looks: `party`, the endpoint, the hub's public key and
    /// the party's key pair file. Returns its path.
    func writeClientConfig(_ party: String) throws -> String {
        guard let keys = partyKeys[party] else { throw TestHubError("no party \(party)") }
        try KeyFile(publicKey: keys.publicKey, secretKey: keys.secretKey)
            .render(name: party, includingSecret: true)
            .write(to: directory.appendingPathComponent("\(party).key_secret"), atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("client-\(party).yaml").path
        try """
        party: \(party)
        hub_endpoint: \(endpoint)
        hub_public_key: "\(hubKeys.publicKey)"
        key_file: \(party).key_secret
        \(tapEndpoint.map { "tap_endpoint: \($0)\ntap_public_key: \"\(tapKeys!.publicKey)\"\n" } ?? "")
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts the built `swhub` with `arguments` (e.g. an adapter), standard output and
    /// error going to `logName` in the test directory (read it with `log(named:)`). It is
    /// killed with the hub unless the test stopped it.
    func startSwhub(_ arguments: [String], logName: String) throws -> Process {
        let file = directory.appendingPathComponent(logName)
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let child = Process()
        child.executableURL = try Self.executable
        child.arguments = arguments
        child.standardInput = FileHandle.nullDevice
        let output = try FileHandle(forWritingTo: file)
        child.standardOutput = output
        child.standardError = output
        try ProcessLaunch.run(child)
        children.append(child)
        return child
    }

    /// The output so far of a process started with `startSwhub`.
    func log(named logName: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(logName), encoding: .utf8)) ?? ""
    }

    /// SIGSTOP (the hub takes no more bytes off its sockets until SIGCONT or SIGKILL), and
    /// waits until every thread of the hub is stopped: `kill` returns before
    /// the threads busy on another core have stopped, and until they have, the hub may still
    /// answer what a test sends next.
    func freeze() async throws {
        guard let pid = process?.processIdentifier else { return }
        kill(pid, SIGSTOP)
        try await waitUntil(.seconds(10), "hub \(pid) did not stop after SIGSTOP") { Self.isStopped(pid) }
    }

    /// Whether every thread of process `pid` is stopped (state `T` in
    /// `/proc/PID/task/TID/stat`).
    static func isStopped(_ pid: Int32) -> Bool {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"), !tasks.isEmpty else { return false }
        return tasks.allSatisfy { task in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[stat.index(after: close)...].split(separator: " ").first == "T"
        }
    }

    /// SIGKILL: the hub dies at once, mid-commit or not.
    func kill9() async {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        await waitForExit()
    }

    /// SIGTERM, and waits for the graceful exit; returns the exit status.
    @discardableResult
    func terminate() async -> Int32 {
        guard let process else { return -1 }
        process.terminate()
        return await waitForExit()
    }

    /// Sends SIGTERM and returns at once; `waitForExit()` waits for the graceful exit.
    func sendTerminate() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
    }

    /// Waits for the hub process to exit (after `sendTerminate()`), on its termination
    /// handler, holding no thread while the hub drains; returns its status.
    @discardableResult
    func waitForExit() async -> Int32 {
        guard let process, let exit else { return -1 }
        await exit.wait()
        process.waitUntilExit()  // returns at once: the status is set before the handler runs
        self.process = nil
        self.exit = nil
        return process.terminationStatus
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// The running hub process's id, if it runs.
    var pid: Int32? {
        guard let process, process.isRunning else { return nil }
        return process.processIdentifier
    }

    /// The hub's log so far.
    func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Client configuration for `party` (its real key pair).
    func clientConfiguration(_ party: String, receive: Bool = false, credit: UInt32 = 100) -> HubClientConfiguration {
        var configuration = HubClientConfiguration(
            endpoint: endpoint, hubPublicKey: hubKeys.publicKey, keyPair: partyKeys[party]!, receive: receive,
            credit: credit, requestTimeout: .seconds(20), heartbeat: .milliseconds(200), clientName: "test-\(party)")
        configuration.tapEndpoint = tapEndpoint
        configuration.tapPublicKey = tapKeys?.publicKey
        return configuration
    }

    /// A connected SDK client.
    func client(_ party: String, receive: Bool = false, credit: UInt32 = 100) throws -> HubClient {
        try client(configuration: clientConfiguration(party, receive: receive, credit: credit), name: party)
    }

    /// An SDK client with a configuration of the caller's making (e.g. a shorter request
    /// timeout, or a key pair the hub does not know).
    func client(configuration: HubClientConfiguration, name: String) throws -> HubClient {
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .warning
        return try HubClient(configuration: configuration, logger: logger)
    }

    /// A raw CURVE DEALER for protocol-level tests, with `keys` (a party's or a stranger's).
    func rawDealer(context: ZMQContext, keys: CurveKeyPair) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, type: .dealer)
        try socket.makeCurveClient(keyPair: keys, serverPublicKey: hubKeys.publicKey)
        try socket.linger(ms: 0)
        try socket.receiveTimeout(ms: 5000)
        try socket.connect(endpoint)
        return socket
    }

    /// Ports for the hubs of this test process: 20000...31999, below the kernel's ephemeral
    /// range (32768 and up), so that no client's outgoing connection can take one between
    /// now and the hub's bind (``LoopbackPorts``).
    private static let ports = LoopbackPorts(20_000...31_999)

    /// A free TCP port on 127.0.0.1 for a hub to bind, never the same twice in one test process.
    static func freePort() throws -> Int {
        guard let port = ports.take() else { throw TestHubError("no free port in 20000...31999") }
        return port
    }
}

struct TestHubError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
