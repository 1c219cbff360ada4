import Foundation
import Histogram
import HubConfigKit
import HubCore
import ZeroMQ

/// The processes and keys of one `swhub bench` run: the hub (`swhub serve`) and two
/// zmq_proxy baselines (`swhub proxy`), each a child process, all with CURVE.
final class BenchSetup {
    let directory: URL
    let hubKeys: CurveKeyPair
    let senderKeys: CurveKeyPair
    let receiverKeys: [CurveKeyPair]
    let proxyKeys: CurveKeyPair
    /// The party whose journaled stream the replay case reads.
    let replayKeys: CurveKeyPair
    /// The hub's monitoring tap (no subscriber unless a case connects one) and the three
    /// auditor parties the tap case subscribes as.
    let tapKeys: CurveKeyPair
    let tapPartyKeys: [CurveKeyPair]
    /// One `swhub serve` of the bench: its config, log, ports and process.
    struct Node {
        var config: URL
        var log: URL
        var port: Int
        var tapPort: Int
        var metricsPort: Int?
        var process: BenchProcess?
    }
    /// The hub's nodes: one, or the nodes of a cluster sharing a PostgreSQL journal.
    private(set) var nodes: [Node] = []
    private var hub: BenchProcess? { nodes.first?.process }
    /// The first node's ROUTER port.
    var hubPort: Int { nodes.first?.port ?? 0 }
    /// The first node's tap port.
    var tapPort: Int { nodes.first?.tapPort ?? 0 }
    /// The endpoint of node `index`.
    func endpoint(_ index: Int) -> String { "tcp://127.0.0.1:\(nodes[index].port)" }
    private var routerProxy: BenchProcess?
    private var fanOutProxy: BenchProcess?
    private var plainProxy: BenchProcess?
    private var plainPorts = (front: 0, back: 0)
    private var routerPorts = (front: 0, back: 0)
    private var fanOutPorts = (front: 0, back: 0)
    private var run = 0
    let context: ZMQContext
    /// `crypto:` of the hub's config (`--crypto-only` runs a hub of each suite).
    var crypto = CryptoSuite.standard
    /// The kind of client id the senders put in their messages' ids (`--random-ids`).
    let idOrder: BenchMessageId.Order
    /// Messages a routing case's sender keeps submitted and not yet accepted (`--window`).
    var senderWindow = 2000

    init(directory: URL, idOrder: BenchMessageId.Order) throws {
        self.directory = directory
        self.idOrder = idOrder
        hubKeys = try CurveKeyPair.generate()
        senderKeys = try CurveKeyPair.generate()
        receiverKeys = try (1...5).map { _ in try CurveKeyPair.generate() }
        proxyKeys = try CurveKeyPair.generate()
        replayKeys = try CurveKeyPair.generate()
        tapKeys = try CurveKeyPair.generate()
        tapPartyKeys = try (1...3).map { _ in try CurveKeyPair.generate() }
        context = try ZMQContext(ioThreads: 1)
    }

    var hubRSS: Double? { hub?.peakRSSMegabytes }
    /// The hub process's CPU time (user + system, every thread) per message of the last
    /// routing run through it, µs.
    private(set) var hubMicrosPerMessage: Double?
    /// The same split by the hub's thread names (the last run's threads that took 0.05 µs or more).
    private(set) var hubThreadMicrosPerMessage: [String: Double]?
    /// The bench process's CPU per message over the last routing run through the hub: its
    /// sender and receivers, which share the machine's cores with the hub.
    private(set) var clientsMicrosPerMessage: Double?
    /// CPU seconds used so far by the hub process and by this one (clients, subscribers).
    var cpuSeconds: Double {
        (hub?.cpuSeconds ?? 0) + (BenchProcess.cpuSeconds(pid: getpid()) ?? 0)
    }

    /// Starts the hub: one `swhub serve` on a SQLite journal in the bench's directory, or,
    /// with `store` (a `store:` section), `nodes` nodes sharing that journal (the same hub
    /// key pair, each its own endpoint, tap and `hub.node` name, `bench-a`, `bench-b`, …).
    /// With `metrics`, each node serves `/metrics` on a loopback port (``metricsPorts``).
    func startHub(store: String? = nil, nodes count: Int = 1, metrics: Bool = false) throws {
        try KeyFile(publicKey: hubKeys.publicKey, secretKey: hubKeys.secretKey).render(name: "hub", includingSecret: true)
            .write(to: directory.appendingPathComponent("hub.key_secret"), atomically: true, encoding: .utf8)
        try KeyFile(publicKey: tapKeys.publicKey, secretKey: tapKeys.secretKey).render(name: "tap", includingSecret: true)
            .write(to: directory.appendingPathComponent("tap.key_secret"), atomically: true, encoding: .utf8)
        for index in 0..<count {
            let port = try BenchProcess.freePort()
            let tap = try BenchProcess.freePort()
            let monitor = metrics ? try BenchProcess.freePort() : nil
            var yaml = store.map { $0 + "\n" } ?? ""
            if crypto != .standard { yaml += "crypto: \(crypto.rawValue)\n" }
            yaml += "hub:\n  endpoint: tcp://127.0.0.1:\(port)\n  key_file: hub.key_secret\n"
            yaml += store == nil ? "  journal: bench-journal.sqlite\n" : "  node: \(Self.nodeName(index))\n"
            yaml += "  default_credit: 1000\n  max_pending: 100000\n"
            yaml += partiesYAML
            yaml += "tap:\n  endpoint: tcp://127.0.0.1:\(tap)\n  key_file: tap.key_secret\n  queue: 10000\n"
            if let monitor { yaml += "monitor:\n  listen: \"127.0.0.1:\(monitor)\"\n" }
            let suffix = index == 0 ? "" : "-\(Self.nodeName(index))"
            let config = directory.appendingPathComponent("bench-hub\(suffix).yaml")
            try yaml.write(to: config, atomically: true, encoding: .utf8)
            nodes.append(
                Node(
                    config: config, log: directory.appendingPathComponent("hub\(suffix).log"), port: port, tapPort: tap,
                    metricsPort: monitor))
            try startNode(index)
        }
    }

    /// The name of node `index` (`hub.node`) in a cluster: `bench-a`, `bench-b`, …
    static func nodeName(_ index: Int) -> String {
        "bench-" + String(UnicodeScalar(UInt8(97 + index % 26)))
    }

    /// The types and parties every node's config declares.
    private var partiesYAML: String {
        var yaml = """
            types: [bench.Data]
            parties:
              - id: bench-sender
                public_key: "\(senderKeys.publicKey)"
              - id: bench-replay
                public_key: "\(replayKeys.publicKey)"

            """
        for (index, keys) in receiverKeys.enumerated() {
            yaml += "  - id: bench-r\(index + 1)\n    public_key: \"\(keys.publicKey)\"\n"
        }
        for (index, keys) in tapPartyKeys.enumerated() {
            yaml += "  - id: bench-tap\(index + 1)\n    public_key: \"\(keys.publicKey)\"\n    audit: {parties: [\"*\"]}\n"
        }
        return yaml
    }

    /// Starts node `index` (again, after ``killNode(_:)``) and waits until it listens.
    func startNode(_ index: Int) throws {
        let node = nodes[index]
        let process = try BenchProcess(
            arguments: ["serve", "--config", node.config.path, "--log-level", "warning"], log: node.log, append: true)
        nodes[index].process = process
        try process.waitForPort(node.port)
    }

    /// Kills node `index` with SIGKILL (the loss of its machine) and waits until it is gone.
    func killNode(_ index: Int) {
        nodes[index].process?.kill9()
    }

    func startBaselines() throws {
        routerPorts = (try BenchProcess.freePort(), try BenchProcess.freePort())
        fanOutPorts = (try BenchProcess.freePort(), try BenchProcess.freePort())
        plainPorts = (try BenchProcess.freePort(), try BenchProcess.freePort())
        routerProxy = try startProxy(kind: "router-dealer", ports: routerPorts, curve: true)
        fanOutProxy = try startProxy(kind: "xsub-xpub", ports: fanOutPorts, curve: true)
        plainProxy = try startProxy(kind: "router-dealer", ports: plainPorts, curve: false)
    }

    private func startProxy(kind: String, ports: (front: Int, back: Int), curve: Bool) throws -> BenchProcess {
        var arguments = [
            "proxy", "--kind", kind, "--frontend", "tcp://127.0.0.1:\(ports.front)",
            "--backend", "tcp://127.0.0.1:\(ports.back)",
        ]
        // One argument with `=`: a Z85 key may begin with `-`, which would read as an option.
        if curve { arguments += ["--secret-key=\(proxyKeys.secretKey)"] }
        let process = try BenchProcess(
            arguments: arguments, log: directory.appendingPathComponent("proxy-\(kind)\(curve ? "" : "-plain").log"))
        try process.waitForPort(ports.front)
        try process.waitForPort(ports.back)
        return process
    }

    func stopAll() {
        for node in nodes { node.process?.stop() }
        routerProxy?.stop()
        fanOutProxy?.stop()
        plainProxy?.stop()
    }

    /// Sends `count` messages to `recipients` receivers through the hub or the baseline and
    /// returns messages per second (until the sender has every reply and every receiver
    /// every message). `curve: false` runs the 1 → 1 baseline over plain TCP, to show what
    /// encryption costs (the hub never runs without it).
    /// With several hub nodes, the sender connects to node `senderNode` and the receivers
    /// to node `receiverNode`.
    func runRouting(
        hub toHub: Bool, size: Int, count: Int, recipients: Int, curve: Bool = true, senderNode: Int = 0, receiverNode: Int = 0,
        batch: Int = 1
    ) throws -> Double {
        run += 1
        let prefix = "r\(run)-"
        let fanOut = recipients > 1
        let senderTarget: BenchEndpoint
        var receivers: [BenchReceiver] = []
        let seen = BenchCounter()
        if toHub {
            senderTarget = BenchEndpoint(endpoint: endpoint(senderNode), serverKey: hubKeys.publicKey, keys: senderKeys)
            for index in 0..<recipients {
                receivers.append(
                    BenchReceiver(
                        target: BenchEndpoint(endpoint: endpoint(receiverNode), serverKey: hubKeys.publicKey, keys: receiverKeys[index]),
                        mode: .hub, expected: count, idPrefix: prefix, batchDeliveries: batch > 1 ? UInt32(batch) : 0))
            }
        } else {
            let ports = !curve ? plainPorts : fanOut ? fanOutPorts : routerPorts
            let serverKey = curve ? proxyKeys.publicKey : nil
            senderTarget = BenchEndpoint(endpoint: "tcp://127.0.0.1:\(ports.front)", serverKey: serverKey, keys: senderKeys)
            for index in 0..<recipients {
                receivers.append(
                    BenchReceiver(
                        target: BenchEndpoint(endpoint: "tcp://127.0.0.1:\(ports.back)", serverKey: serverKey, keys: receiverKeys[index]),
                        mode: fanOut ? .subscriber : .echo, expected: count, idPrefix: prefix, seen: seen))
            }
        }
        var sender = BenchSender(
            target: senderTarget, ids: BenchMessageId.make(prefix: prefix, count: count, order: idOrder), size: size, window: senderWindow,
            recipients: toHub ? (1...recipients).map { "bench-r\($0)" } : [], idPrefix: prefix,
            expectReplies: toHub || !fanOut,
            subscribersReady: nil, batch: toHub ? batch : 1)
        if !toHub && fanOut {
            sender.subscribersReady = { seen.value >= recipients }
        }
        let hubCPU = toHub ? hub?.cpuSeconds : nil
        let hubThreads = toHub ? hub?.threadCPUSeconds : nil
        let clientsCPU = toHub ? BenchProcess.cpuSeconds(pid: getpid()) : nil
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try runTogether(sender: sender, receivers: receivers)
        let rate = Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        hubMicrosPerMessage = hubCPU.flatMap { before in hub?.cpuSeconds.map { ($0 - before) / Double(count) * 1e6 } }
        hubThreadMicrosPerMessage = hubThreads.flatMap { before in hub.map { $0.threadMicros(since: before, per: count) } }
        clientsMicrosPerMessage = clientsCPU.flatMap { before in
            BenchProcess.cpuSeconds(pid: getpid()).map { ($0 - before) / Double(count) * 1e6 }
        }
        return rate
    }

    /// Submit → accepted latency through the hub at a fixed rate, one receiver acknowledging.
    func runLatency(size: Int, count: Int, rate: Double) throws -> Histogram<UInt64> {
        run += 1
        let prefix = "l\(run)-"
        let endpoint = "tcp://127.0.0.1:\(hubPort)"
        let receiver = BenchReceiver(
            target: BenchEndpoint(endpoint: endpoint, serverKey: hubKeys.publicKey, keys: receiverKeys[0]),
            mode: .hub, expected: count, idPrefix: prefix)
        let sender = BenchSender(
            target: BenchEndpoint(endpoint: endpoint, serverKey: hubKeys.publicKey, keys: senderKeys),
            ids: BenchMessageId.make(prefix: prefix, count: count, order: idOrder), size: size, window: Int.max / 2,
            recipients: ["bench-r1"], idPrefix: prefix, rate: rate)
        guard let histogram = try runTogether(sender: sender, receivers: [receiver]).latency else {
            throw BenchError("no latency recorded")
        }
        return histogram
    }

    /// Starts the receivers, waits until they are connected, runs the sender, waits for all.
    private func runTogether(sender: BenchSender, receivers: [BenchReceiver]) throws -> BenchSender.Result {
        let ready = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let failures = FailureBox()
        for receiver in receivers {
            done.enter()
            Thread.detachNewThread { [context] in
                do { try receiver.run(context: context, ready: ready) } catch {
                    failures.add("\(error)")
                    ready.signal()
                }
                done.leave()
            }
        }
        for _ in receivers { ready.wait() }
        usleep(20_000)
        let result = try sender.run(context: context)
        done.wait()
        if let failure = failures.first { throw BenchError(failure) }
        return result
    }
}

/// Errors from receiver threads.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String] = []
    func add(_ failure: String) { lock.withLock { failures.append(failure) } }
    var first: String? { lock.withLock { failures.first } }
}
