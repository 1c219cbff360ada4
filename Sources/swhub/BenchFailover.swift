import Foundation
import HubClient
import Logging

/// The failure cases of `swhub bench --postgres`: a hub node lost under load
/// (`failover_node_loss`) and the flows' leader lost (`flows_takeover`), each on two
/// `swhub serve` nodes sharing a journal in the bench's PostgreSQL, each node killed with
/// SIGKILL (the loss of its machine) and restarted for the next trial.
enum BenchFailover {
    /// What `failover_node_loss` measured.
    struct NodeLoss {
        /// Per trial: from the kill to the ACCEPTED, from the other node, of a submission
        /// made right after the kill.
        var durations: [Duration]
        var detail: String
    }

    /// What `flows_takeover` measured.
    struct Takeover {
        /// Per trial: from the kill of the flows' leader to the other node holding the
        /// flows' lease (it then runs the flows).
        var lease: [Duration]
        /// Per trial: from the kill to the final feedback of the first registration filed
        /// after it to settle.
        var firstFeedback: [Duration]
        var detail: String
    }

    /// Two nodes on database `bench_failover`; a sender (`HubClient` with both endpoints)
    /// streams 1 KB submissions with 16 in flight; each trial kills the node the sender is
    /// on, submits one more message and times its ACCEPTED, which only the other node can
    /// give. The killed node is restarted before the next trial.
    static func nodeLoss(database: BenchPostgres, directory: URL, trials: Int) async throws -> NodeLoss {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let setup = try BenchSetup(directory: directory, idOrder: .timeOrdered)
        defer { setup.stopAll() }
        try setup.startHub(store: database.store(database: "bench_failover"), nodes: 2)
        let configuration = HubClientConfiguration(
            endpoints: [setup.endpoint(0), setup.endpoint(1)], hubPublicKey: setup.hubKeys.publicKey, keyPair: setup.senderKeys,
            credit: 1000, requestTimeout: .seconds(30), heartbeat: .seconds(1), clientName: "swhub-bench-failover")
        var logger = Logger(label: "swhub.bench.failover")
        logger.logLevel = .critical
        let client = try HubClient(configuration: configuration, logger: logger)
        defer { client.close() }
        try await client.connect(timeout: .seconds(20))
        let body = [UInt8](repeating: 0x61, count: 1024)
        let stream = SubmissionStream()
        let workers = (0..<16).map { _ in
            Task {
                while !stream.stopped {
                    let id = "stream-\(stream.nextNumber())"
                    do {
                        _ = try await client.submit(type: "bench.Data", body: body, to: ["bench-r1"], id: id)
                        stream.accepted()
                    } catch {
                        stream.failed()
                    }
                }
            }
        }
        defer {
            stream.stop()
            for worker in workers { worker.cancel() }
        }
        var durations: [Duration] = []
        for trial in 0..<trials {
            guard let victim = (0..<2).first(where: { setup.endpoint($0) == client.currentEndpoint }) else {
                throw BenchError("failover_node_loss: the client is on no known node (\(client.currentEndpoint))")
            }
            let survivor = setup.endpoint(1 - victim)
            let wanted = stream.acceptedCount + 500
            try await waitUntil(.seconds(60), "failover_node_loss: the stream did not reach \(wanted) accepted") {
                stream.acceptedCount >= wanted
            }
            let killed = ContinuousClock.now
            setup.killNode(victim)
            _ = try await client.submit(type: "bench.Data", body: body, to: ["bench-r1"], id: "after-kill-\(trial)")
            durations.append(ContinuousClock.now - killed)
            guard client.currentEndpoint == survivor else {
                throw BenchError("failover_node_loss: accepted on \(client.currentEndpoint), not on the surviving node \(survivor)")
            }
            try setup.startNode(victim)
        }
        let detail =
            "from kill -9 of the sender's node to the ACCEPTED (by the other node) of a submission made right after it: "
            + durations.map(milliseconds).joined(separator: ", ")
            + "; the stream of 1 KB submissions (16 in flight) had \(stream.acceptedCount) accepted, \(stream.failedCount) failed"
        return NodeLoss(durations: durations, detail: detail)
    }

    /// Each trial: a fresh single window with flows on two nodes (`hub-a`, `hub-b`) on its
    /// own database (`bench_takeover_N`); B starts first and holds the flows' lease, the
    /// departments and filers are on A (they list both); the platform files a merchant
    /// registration every 50 ms. B is killed; the trial times (1) until A holds the lease
    /// (`swhub status --cluster`'s reads, every 20 ms) and (2) until the first registration
    /// filed after the kill has its final feedback. (The clients stay on A: a receiving
    /// client that fails over to a node started before its acknowledged seq is refused, see
    /// BENCHMARKS.md.)
    static func flowsTakeover(database: BenchPostgres, directory: URL, trials: Int) async throws -> Takeover {
        var lease: [Duration] = []
        var feedback: [Duration] = []
        for trial in 1...trials {
            let (held, first) = try await takeoverTrial(
                database: database, directory: directory.appendingPathComponent("trial-\(trial)"), name: "bench_takeover_\(trial)")
            lease.append(held)
            feedback.append(first)
        }
        let detail =
            "the other node held the flows' lease (lease 5 s, renewed each second) after "
            + lease.map(milliseconds).joined(separator: ", ")
            + "; the first registration filed after the kill had its final feedback after "
            + feedback.map(milliseconds).joined(separator: ", ")
        return Takeover(lease: lease, firstFeedback: feedback, detail: detail)
    }

    /// One trial on a fresh single window: node B starts first and takes the flows' lease,
    /// the departments and filers are on node A; B is killed.
    private static func takeoverTrial(database: BenchPostgres, directory: URL, name: String) async throws -> (Duration, Duration) {
        var behaviour = SingleWindowSetup.Behaviour()
        behaviour.refusalRate = 0
        behaviour.inspectionRate = 0
        behaviour.registrationDeadlineMs = 600_000
        behaviour.store = try database.store(database: name)
        behaviour.nodes = 2
        let setup = try SingleWindowSetup(directory: directory, behaviour: behaviour)
        defer { setup.stop() }
        try setup.start(lastNodeFirst: true)
        let journal = try database.journal(database: name)
        defer { journal.close() }
        let driver = try await FlowDriver(setup: setup)
        defer { driver.close() }
        try await driver.registerFilers()
        let filed = Locked<[(id: String, at: ContinuousClock.Instant)]>([])
        let filer = Task {
            var n = 0
            while !Task.isCancelled {
                n += 1
                let at = ContinuousClock.now
                if let id = try? await driver.registerMerchant(n, prefix: "takeover-") { filed.withLock { $0.append((id, at)) } }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { filer.cancel() }
        func leader() -> String? { (try? journal.clusterStatus())?.flowLeader }
        try await waitUntil(.seconds(60), "flows_takeover: no node holds the flows' lease") { leader() != nil }
        let (victim, survivor) = (1, SingleWindowSetup.nodeName(0))
        guard leader() == SingleWindowSetup.nodeName(victim) else {
            throw BenchError(
                "flows_takeover: \(leader() ?? "no node") took the flows' lease, not \(SingleWindowSetup.nodeName(victim)), which started first"
            )
        }
        // Flows settle before the kill: the filings stream through the leader.
        try await waitUntil(.seconds(120), "flows_takeover: no registration settled before the kill") { driver.board.total >= 5 }
        let killed = ContinuousClock.now
        setup.killNode(victim)
        try await waitUntil(.seconds(60), "flows_takeover: \(survivor) did not take the flows' lease over", poll: .milliseconds(20)) {
            leader() == survivor
        }
        let held = ContinuousClock.now - killed
        var first: ContinuousClock.Instant?
        try await waitUntil(.seconds(120), "flows_takeover: no registration filed after the kill settled") {
            let after = filed.withLock { $0.filter { $0.at > killed }.map(\.id) }
            first = after.compactMap { driver.board.settled($0) }.min()
            return first != nil
        }
        return (held, (first ?? .now) - killed)
    }

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.0f ms", duration.seconds * 1000)
    }

    /// Polls `condition` every `poll` until it holds; throws `what` after `limit`.
    static func waitUntil(
        _ limit: Duration, _ what: String, poll: Duration = .milliseconds(10), _ condition: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw BenchError(what) }
            try await Task.sleep(for: poll)
        }
    }
}

/// The counts of the failover case's submission stream, shared by its tasks.
final class SubmissionStream: @unchecked Sendable {
    private let lock = NSLock()
    private var number = 0
    private var acceptedTotal = 0
    private var failedTotal = 0
    private var isStopped = false

    func nextNumber() -> Int {
        lock.withLock {
            number += 1
            return number
        }
    }
    func accepted() { lock.withLock { acceptedTotal += 1 } }
    func failed() { lock.withLock { failedTotal += 1 } }
    func stop() { lock.withLock { isStopped = true } }
    var stopped: Bool { lock.withLock { isStopped } }
    var acceptedCount: Int { lock.withLock { acceptedTotal } }
    var failedCount: Int { lock.withLock { failedTotal } }
}
