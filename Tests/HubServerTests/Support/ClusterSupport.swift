import Foundation
import HubClient
import HubTestSupport

/// Helpers of the cluster tests: hub nodes on one PostgreSQL journal, clients that list
/// every node, senders that stream and resubmit, and the checks of what receivers got.
enum ClusterSupport {
    /// The `store:` lines of a hub whose journal is `database` on `hosts` (tried in order).
    static func storeLines(
        hosts: [String], database: String, user: String, passwordFile: String, connectTimeoutMs: Int = 1000
    ) -> [String] {
        [
            "kind: postgres", "hosts: [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]", "database: \(database)",
            "user: \(user)", "password_file: \(passwordFile)", "connect_timeout_ms: \(connectTimeoutMs)", "query_timeout_ms: 5000",
        ]
    }

    /// `storeLines` for a database on `server` (and, after it, `more` hosts).
    static func storeLines(_ server: PostgresServer, database: String, more: [String] = [], connectTimeoutMs: Int = 1000) -> [String] {
        storeLines(
            hosts: [server.endpoint] + more, database: database, user: server.user, passwordFile: server.passwordFile,
            connectTimeoutMs: connectTimeoutMs)
    }

    /// Nodes named `a`, `b`, ... of one cluster: the same hub and party key pairs, the same
    /// journal; not started.
    static func nodes(
        _ count: Int, parties: [TestHub.PartySpec], store: [String], types: [String] = ["demo.Note", "demo.Query"],
        flows: [String]? = nil
    ) throws -> [TestHub] {
        var nodes: [TestHub] = []
        for index in 0..<count {
            let name = String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index)))
            nodes.append(
                try TestHub(
                    parties: parties, types: types, extraHub: ["node: \(name)"], flows: flows, keysOf: nodes.first, store: store))
        }
        return nodes
    }

    /// A client of `party` that knows every node's endpoint, in the order given.
    static func client(_ party: String, endpoints: [String], hub: TestHub, receive: Bool = false) throws -> HubClient {
        var configuration = hub.clientConfiguration(party, receive: receive)
        configuration.endpoints = endpoints
        configuration.requestTimeout = .seconds(15)
        return try hub.client(configuration: configuration, name: party)
    }

    /// Submits until the hub answers ACCEPTED (or a duplicate's receipt): answers that say
    /// "retry later" (3xx, a timeout) are retried with the same id at once, as PROTOCOL.md
    /// allows. The hub paces them: while the database is away its journal writer waits
    /// between commit attempts (10 ms doubling to 1 s) and answers `303` only after one
    /// failed. Any other failure is thrown.
    static func submitUntilAccepted(
        _ client: HubClient, type: String = "demo.Note", body: [UInt8], to recipients: [String] = [], id: String,
        correlation: String = "", retried: Locked<Int>? = nil
    ) async throws -> SubmitReceipt {
        while true {
            do {
                return try await client.submit(type: type, body: body, to: recipients, id: id, correlationId: correlation)
            } catch let error as HubClientError where error.errorClass == .retryLater {
                retried?.withLock { $0 += 1 }
            }
        }
    }

    /// What is wrong with one recipient's deliveries: seqs must increase strictly, apart
    /// from redeliveries (an already-seen seq with the same id, after a reconnect); an id
    /// must come with one seq only, the one its receipt gave (`accepted`, when known).
    static func orderProblems(_ deliveries: [Delivery], accepted: [String: UInt64] = [:]) -> [String] {
        var problems: [String] = []
        var highest: UInt64 = 0
        var idOfSeq: [UInt64: String] = [:]
        var seqOfId: [String: UInt64] = [:]
        for (index, delivery) in deliveries.enumerated() {
            if let seen = idOfSeq[delivery.seq] {
                if seen != delivery.id { problems.append("#\(index): seq \(delivery.seq) came as \(seen) and as \(delivery.id)") }
            } else if delivery.seq <= highest {
                problems.append("#\(index): seq \(delivery.seq) (\(delivery.id)) after seq \(highest): out of order")
            }
            if let seq = seqOfId[delivery.id], seq != delivery.seq {
                problems.append("#\(index): \(delivery.id) came with seq \(seq) and seq \(delivery.seq): journaled twice")
            }
            if let seq = accepted[delivery.id], seq != delivery.seq {
                problems.append("#\(index): \(delivery.id) delivered with seq \(delivery.seq), its receipt said \(seq)")
            }
            idOfSeq[delivery.seq] = delivery.id
            seqOfId[delivery.id] = delivery.seq
            highest = max(highest, delivery.seq)
        }
        return problems
    }

    /// How many deliveries were redeliveries (a seq seen before).
    static func redeliveries(_ deliveries: [Delivery]) -> Int {
        deliveries.count - Set(deliveries.map(\.seq)).count
    }
}

/// A small seeded generator (SplitMix64): a test's random moments can be replayed from
/// the seed it prints.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed of a run: `SWHUB_TEST_SEED` when set (to replay one), else a random one.
    static func seed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["SWHUB_TEST_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 1...UInt64.max)
    }
}

/// Senders streaming submissions until told to stop; each keeps a few submissions in
/// flight and records every receipt.
final class StreamingSenders: Sendable {
    /// Every ACCEPTED id, with its sender and seq.
    let accepted = Locked<[String: (sender: String, seq: UInt64)]>([:])
    /// Ids submitted (answered or not).
    let submitted = Locked<Set<String>>([])
    /// Accepted count per sender.
    let perSender = Locked<[String: Int]>([:])
    /// 3xx answers and timeouts that were retried.
    let retried = Locked(0)
    /// Failures that are not "retry later": the test fails on any.
    let failures = Locked<[String]>([])
    private let stopped = Locked(false)
    private let running = Locked(0)

    /// Starts one task per sender client: batches of `window` concurrent submissions of
    /// `type`, ids `<party>-<n>`.
    func start(_ senders: [(party: String, client: HubClient)], type: String = "demo.Note", window: Int = 4) {
        for (party, client) in senders {
            running.withLock { $0 += 1 }
            Task {
                defer { self.running.withLock { $0 -= 1 } }
                var next = 0
                while !self.stopped.current {
                    let ids = (next..<next + window).map { "\(party)-\($0)" }
                    next += window
                    self.submitted.withLock { $0.formUnion(ids) }
                    await withTaskGroup(of: Void.self) { group in
                        for id in ids {
                            group.addTask {
                                do {
                                    let receipt = try await ClusterSupport.submitUntilAccepted(
                                        client, type: type, body: Array(id.utf8), id: id, retried: self.retried)
                                    self.accepted.withLock { $0[id] = (party, receipt.seq) }
                                    self.perSender.withLock { $0[party, default: 0] += 1 }
                                } catch {
                                    self.failures.withLock { $0.append("\(id): \(error)") }
                                }
                            }
                        }
                    }
                    if !self.failures.current.isEmpty { return }
                }
            }
        }
    }

    var acceptedCount: Int { accepted.withLock { $0.count } }

    /// Asks the senders to stop after their batch in flight and waits until they have.
    func stop(within limit: Duration = .seconds(90)) async throws {
        stopped.withLock { $0 = true }
        try await waitUntil(limit, "the senders did not finish their last batches") { self.running.current == 0 }
    }

    /// Waits until every sender has had `more` submissions accepted since `since`.
    func waitEachProgressed(_ more: Int, since: [String: Int], within limit: Duration, _ what: String) async throws {
        try await waitUntil(limit, "\(what): accepted per sender \(perSender.current), from \(since); \(failures.current)") {
            let now = self.perSender.current
            return since.allSatisfy { now[$0.key, default: 0] >= $0.value + more } || !self.failures.current.isEmpty
        }
    }
}
