import Foundation
import HubClient
import HubConfigKit
import HubCore
import HubCrypto
import Logging
import ZeroMQ

/// A whole single window on this machine, for `swhub demo` and the flow benchmarks: keys,
/// the hub's config with flows on, a client config per party, the hub (`swhub serve`) and
/// the five simulated departments (`swhub adapter … --simulate`), each its own process.
final class SingleWindowSetup {
    /// How the simulated departments decide.
    struct Behaviour {
        var refusalRate = 0.05
        var inspectionRate = 0.1
        var seed: UInt64 = 1
        /// Social credit codes customs blacklists at start.
        var blacklist: [String] = []
        var registrationDeadlineMs = 30_000
        /// `HOST:PORT` for the hub's web monitor and `/metrics`, if wanted.
        var monitor: String?
        /// A `store:` section (YAML) for the hub's config, e.g. a PostgreSQL cluster; nil:
        /// SQLite in the directory (``SingleWindowSetup/journalPath``).
        var store: String?
        /// Hub nodes serving the `store` (PostgreSQL) together, each with its own port and
        /// `hub.node` name (`hub-a`, `hub-b`, …); every client lists them all
        /// (`hub_endpoints`), node A first.
        var nodes = 1
        /// Personal-field sealing (issue 16): nil, bodies journaled as submitted; else a
        /// `keys:` section (a new master key file `master.key`, the vault `keys.sqlite`) and
        /// `crypto:` set to this suite (AES-256-GCM and a SHA-256 chain, or SM4-GCM and an
        /// SM3 chain).
        var sealing: CryptoSuite?
        /// `crypto:` without sealing (nil: the default suite, or the `sealing` suite): the
        /// SM3 chain and checksums alone, to tell their cost from sealing's.
        var crypto: CryptoSuite?
        /// A `risk:` section (YAML) for the hub's config (the risk rules, issue 17); nil: none.
        var risk: String?
    }

    /// The parties: departments first (each run by a simulated adapter), then enterprises.
    static let departments = ["customs", "tax", "forex", "post", "bank-boc"]
    static let enterprises = ["platform", "shady"]
    static let bankCode = "BKCHCNBJ"

    let directory: URL
    /// The hub nodes' ROUTER ports, node A first.
    let ports: [Int]
    /// Node A's port.
    var port: Int { ports[0] }
    /// The hub nodes' processes while they run.
    private(set) var hubs: [BenchProcess?]
    /// Node A's process.
    var hub: BenchProcess? { hubs[0] }
    private var adapters: [BenchProcess] = []
    private var keys: [String: CurveKeyPair] = [:]
    let hubKeys: CurveKeyPair

    var configPath: String { configPath(node: 0) }
    /// Node `node`'s config: `hub.yaml` for node A, `hub-b.yaml` for node B, …
    func configPath(node: Int) -> String { directory.appendingPathComponent(node == 0 ? "hub.yaml" : "\(Self.nodeName(node)).yaml").path }
    /// Node `node`'s name (`hub.node`): `hub-a`, `hub-b`, …
    static func nodeName(_ node: Int) -> String { "hub-" + String(UnicodeScalar(UInt8(97 + node % 26))) }
    /// Every node's endpoint, node A first.
    var endpoints: [String] { ports.map { "tcp://127.0.0.1:\($0)" } }
    var journalPath: String { directory.appendingPathComponent("journal.sqlite").path }

    init(directory: URL, behaviour: Behaviour) throws {
        self.directory = directory
        self.behaviour = behaviour
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let nodes = behaviour.store == nil ? 1 : max(1, behaviour.nodes)
        ports = try (0..<nodes).map { _ in try BenchProcess.freePort() }
        hubs = Array(repeating: nil, count: nodes)
        let endpointLine =
            nodes == 1
            ? "hub_endpoint: tcp://127.0.0.1:\(ports[0])"
            : "hub_endpoints: [\(ports.map { "tcp://127.0.0.1:\($0)" }.joined(separator: ", "))]"
        hubKeys = try CurveKeyPair.generate()
        try write(
            KeyFile(publicKey: hubKeys.publicKey, secretKey: hubKeys.secretKey).render(name: "hub", includingSecret: true), "hub.key_secret"
        )
        try write(KeyFile(publicKey: hubKeys.publicKey, secretKey: nil).render(name: "hub", includingSecret: false), "hub.key")
        for party in Self.departments + Self.enterprises {
            let pair = try CurveKeyPair.generate()
            keys[party] = pair
            try write(
                KeyFile(publicKey: pair.publicKey, secretKey: pair.secretKey).render(name: party, includingSecret: true),
                "\(party).key_secret")
            try write(
                """
                party: \(party)
                \(endpointLine)
                hub_public_key_file: hub.key
                key_file: \(party).key_secret
                credit: 1000

                """, "client-\(party).yaml")
        }
        var sealingSection = ""
        if let suite = behaviour.sealing {
            let masterKeyPath = directory.appendingPathComponent("master.key").path
            if !FileManager.default.fileExists(atPath: masterKeyPath) {
                try MasterKeySource.writeKeyFile(MasterKey.random(), to: masterKeyPath)
            }
            sealingSection = "crypto: \(suite.rawValue)\nkeys:\n  master_key_file: master.key\n  vault: keys.sqlite\n"
        } else if let suite = behaviour.crypto {
            sealingSection = "crypto: \(suite.rawValue)\n"
        }
        let publicKeys = keys.mapValues(\.publicKey)
        let party = { (id: String, roles: String, extra: String) in
            "  - id: \(id)\n    public_key: \"\(publicKeys[id] ?? "")\"\n    roles: \(roles)\n\(extra)"
        }
        for node in 0..<nodes {
            let journal = behaviour.store == nil ? "  journal: journal.sqlite\n" : nodes > 1 ? "  node: \(Self.nodeName(node))\n" : ""
            try write(
                """
                # Written by swhub for a single window on this machine (demo / bench).
                \(behaviour.store ?? "")
                \(sealingSection)\
                hub:
                  endpoint: tcp://127.0.0.1:\(ports[node])
                  key_file: hub.key_secret
                \(journal)\
                  max_pending: 100000
                flows:
                  registration_deadline_ms: \(behaviour.registrationDeadlineMs)
                  query_timeout_ms: 10000
                  summary_schedule: daily
                types: []
                parties:
                \(party("customs", "[customs]", ""))\
                \(party("tax", "[tax]", ""))\
                \(party("forex", "[forex]", "    hide: {reg.Registration: [contact.telephone]}\n"))\
                \(party("post", "[post, logistics_company]", "    hide: {flow.ReleaseNotice: [pay_code, pay_transaction_id]}\n"))\
                \(party("bank-boc", "[bank, payment_company]", "    bank_codes: [\(Self.bankCode)]\n    hide: {reg.Registration: [contact.telephone]}\n"))\
                \(party("platform", "[platform, ecommerce_enterprise]", ""))\
                \(party("shady", "[ecommerce_enterprise]", ""))
                \(node == 0 ? behaviour.monitor.map { "monitor:\n  listen: \"\($0)\"\n" } ?? "" : "")
                \(behaviour.risk ?? "")
                """, URL(fileURLWithPath: configPath(node: node)).lastPathComponent)
        }
    }

    private let behaviour: Behaviour

    private func write(_ text: String, _ name: String) throws {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        if name.hasSuffix(".key_secret") { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path) }
    }

    /// Starts the hub (every node, A first) and the simulated departments.
    /// `lastNodeFirst`: the nodes start from the last to A, so that the last one takes the
    /// flows' lease while the clients connect to node A.
    func start(lastNodeFirst: Bool = false) throws {
        for node in lastNodeFirst ? hubs.indices.reversed() : Array(hubs.indices) { try startNode(node) }
        for department in Self.departments {
            let kind = department.hasPrefix("bank") ? "bank" : department
            var arguments = [
                "adapter", kind, "--simulate", "--config", directory.appendingPathComponent("client-\(department).yaml").path,
                "--refusal-rate", "\(behaviour.refusalRate)", "--inspection-rate", "\(behaviour.inspectionRate)",
                "--seed", "\(behaviour.seed)", "--log-level", "warning",
            ]
            if department == "customs" && !behaviour.blacklist.isEmpty { arguments += ["--blacklist"] + behaviour.blacklist }
            adapters.append(try BenchProcess(arguments: arguments, log: directory.appendingPathComponent("adapter-\(department).log")))
        }
    }

    /// Starts hub node `node` (again, after ``killNode(_:)``) and waits until it listens.
    func startNode(_ node: Int) throws {
        let log = directory.appendingPathComponent(node == 0 ? "hub.log" : "\(Self.nodeName(node)).log")
        let process = try BenchProcess(
            arguments: ["serve", "--config", configPath(node: node), "--log-level", "warning"], log: log, append: true)
        hubs[node] = process
        try process.waitForPort(ports[node])
    }

    /// Kills hub node `node` with SIGKILL (the loss of its machine) and waits until it is gone.
    func killNode(_ node: Int) {
        hubs[node]?.kill9()
        hubs[node] = nil
    }

    /// Stops the departments, then the hub's nodes (SIGTERM: each stops gracefully).
    func stop() {
        for adapter in adapters { adapter.stop() }
        adapters = []
        for node in hubs.indices {
            hubs[node]?.stop()
            hubs[node] = nil
        }
    }

    /// A client for `party`.
    func client(_ party: String, receive: Bool) throws -> HubClient {
        let configuration = HubClientConfiguration(
            endpoints: endpoints, hubPublicKey: hubKeys.publicKey, keyPair: keys[party]!, receive: receive,
            credit: 1000, requestTimeout: .seconds(30), heartbeat: .seconds(1), clientName: "swhub-driver-\(party)")
        var logger = Logger(label: "swhub.driver.\(party)")
        logger.logLevel = .error
        return try HubClient(configuration: configuration, logger: logger)
    }
}
