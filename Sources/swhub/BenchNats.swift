import ArgumentParser
import Foundation

/// A message bus `swhub bench --peer` runs beside the hub in the same run.
enum BenchPeer: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// NATS JetStream: Debian's `nats-server` and a C client on Debian's libnats.
    case nats
}

/// Everything `swhub bench --peer nats` runs on the NATS side: two servers started by the
/// bench (one requiring TLS, one plain TCP for reference, each with JetStream's file
/// storage), the TLS material and the built client.
final class BenchNatsPeer {
    /// The Debian packages the peer needs, by the file that shows each is installed.
    static let packages: [(what: String, package: String)] = [
        ("nats-server", "nats-server"), ("nats.h", "libnats-dev"), ("cc", "gcc"), ("openssl", "openssl"),
    ]

    let version: String
    let tlsServer: BenchNatsServer
    let plainServer: BenchNatsServer
    let client: BenchNatsClient
    private var run = 0

    /// Checks the tools, builds the client, makes the TLS material and starts both servers
    /// under `directory`.
    init(directory: URL) throws {
        let server = BenchTool.find("nats-server")
        let compiler = BenchTool.find("cc")
        let openssl = BenchTool.find("openssl")
        let header = ["/usr/include/nats/nats.h", "/usr/local/include/nats/nats.h"].contains {
            FileManager.default.fileExists(atPath: $0)
        }
        let found = ["nats-server": server != nil, "nats.h": header, "cc": compiler != nil, "openssl": openssl != nil]
        let missing = Self.packages.filter { found[$0.what] != true }.map(\.package)
        guard let server, let compiler, let openssl, missing.isEmpty else {
            throw BenchError(
                "swhub bench --peer nats needs Debian packages that are not installed: \(missing.joined(separator: ", ")) "
                    + "(apt-get install \(Self.packages.map(\.package).joined(separator: " ")))")
        }
        let versionRun = try BenchTool.run(server, ["--version"])
        version = versionRun.output.trimmingCharacters(in: .whitespacesAndNewlines)
        client = try BenchNatsClient.build(
            compiler: compiler, source: try BenchNatsClient.findSource(), directory: directory.appendingPathComponent("client"))
        let tls = try BenchNatsTLS(openssl: openssl, directory: directory.appendingPathComponent("tls"))
        tlsServer = try BenchNatsServer(executable: server, directory: directory.appendingPathComponent("server-tls"), tls: tls)
        do {
            plainServer = try BenchNatsServer(executable: server, directory: directory.appendingPathComponent("server-plain"), tls: nil)
        } catch {
            tlsServer.stop()
            throw error
        }
    }

    /// One 1 → 1 case on the TLS server or the plain one, in a stream of its own, the
    /// publisher keeping at most `window` publishes unacknowledged (as the hub's sender keeps
    /// as many SUBMITs unanswered); with `messageIds`, each message with a `Nats-Msg-Id` for
    /// JetStream's deduplication.
    func measure(tls: Bool, size: Int, count: Int, window: Int, messageIds: Bool = false) throws -> BenchNatsClient.Result {
        run += 1
        return try client.run(
            server: tls ? tlsServer : plainServer, stream: "BENCH_\(tls ? "TLS" : "PLAIN")_\(size)_\(run)", size: size, count: count,
            window: window, messageIds: messageIds)
    }

    func stop() {
        tlsServer.stop()
        plainServer.stop()
    }
}

extension Bench {
    /// `--peer nats`: for each size, the hub's `route_1to1` (with the zmq_proxy baseline),
    /// then the same case on NATS JetStream with TLS (`peer_nats_jetstream_tls`) and without
    /// (`peer_nats_jetstream_plain`), and `route_1to1_vs_nats_tls`: the hub's rate
    /// over NATS's TLS rate; then NATS with TLS and a `Nats-Msg-Id` on every message, which
    /// JetStream deduplicates by as the hub does by `(sender, id)`
    /// (`peer_nats_jetstream_tls_msg_id`); then the hub with batches on the wire
    /// (`route_1to1_batched`), `route_1to1_batched_vs_nats_tls` and
    /// `route_1to1_batched_vs_nats_tls_msg_id`. The peer lines' `rss_mb` is nats-server's peak RSS.
    func natsPeerRun(_ setup: BenchSetup, _ report: BenchReport, directory: URL, messages: Int) throws {
        let peer = try BenchNatsPeer(directory: directory.appendingPathComponent("nats"))
        defer { peer.stop() }
        note(
            "peer_nats",
            "\(peer.version) with JetStream (file storage), TLS on \(peer.tlsServer.url), plain on \(peer.plainServer.url); "
                + "client \(peer.client.executable.path) (at most \(setup.senderWindow) publishes unacknowledged, fetches of "
                + "\(BenchNatsClient.fetchBatch(window: setup.senderWindow)), "
                + "MaxAckPending \(BenchNatsClient.ackPending(window: setup.senderWindow)))")
        for size in [100, 1024] {
            let base = try setup.runRouting(hub: false, size: size, count: messages, recipients: 1)
            let hub = try setup.runRouting(hub: true, size: size, count: messages, recipients: 1)
            report.line(
                case: "route_1to1", size: size, count: messages, rate: hub, baseline: base, rss: setup.hubRSS,
                hubCPU: setup.hubMicrosPerMessage, clientsCPU: setup.clientsMicrosPerMessage, hubThreads: setup.hubThreadMicrosPerMessage)
            let tls = try peer.measure(tls: true, size: size, count: messages, window: setup.senderWindow)
            peerLine(report, case: "peer_nats_jetstream_tls", size: size, count: messages, rate: tls, rss: peer.tlsServer.peakRSSMegabytes)
            let plain = try peer.measure(tls: false, size: size, count: messages, window: setup.senderWindow)
            peerLine(
                report, case: "peer_nats_jetstream_plain", size: size, count: messages, rate: plain, rss: peer.plainServer.peakRSSMegabytes)
            report.line(
                case: "route_1to1_vs_nats_tls", size: size, count: messages, rate: hub, baseline: tls.messagesPerSecond, rss: nil,
                baselineName: "nats tls")
            let withIds = try peer.measure(tls: true, size: size, count: messages, window: setup.senderWindow, messageIds: true)
            peerLine(
                report, case: "peer_nats_jetstream_tls_msg_id", size: size, count: messages, rate: withIds,
                rss: peer.tlsServer.peakRSSMegabytes)
            // The hub with batches on the wire (PROTOCOL.md section 16), as NATS batches
            // many messages per TLS record.
            let batched = try batchedCase(setup, report, size: size, count: messages, recipients: 1, baseline: base)
            report.line(
                case: "route_1to1_batched_vs_nats_tls", size: size, count: messages, rate: batched, baseline: tls.messagesPerSecond,
                rss: nil, baselineName: "nats tls")
            report.line(
                case: "route_1to1_batched_vs_nats_tls_msg_id", size: size, count: messages, rate: batched,
                baseline: withIds.messagesPerSecond, rss: nil, baselineName: "nats tls msg-id")
        }
    }

    /// A peer's figure: as JSON like the other cases (`rss_mb` the peer server's), as text
    /// named for what it is (not "hub").
    private func peerLine(_ report: BenchReport, case name: String, size: Int, count: Int, rate: BenchNatsClient.Result, rss: Double?) {
        guard !json else {
            report.line(case: name, size: size, count: count, rate: rate.messagesPerSecond, baseline: nil, rss: rss)
            return
        }
        var text = name.padding(toLength: max(26, name.count + 1), withPad: " ", startingAt: 0)
        text += " \(size) B".padding(toLength: 9, withPad: " ", startingAt: 0)
        text += String(format: " nats %9.0f msgs/s", rate.messagesPerSecond)
        if let rss { text += String(format: "  nats-server peak RSS %.1f MB", rss) }
        Output.line(text)
    }
}
