import Foundation
import HubClient
import HubProtocol
import Testing
import ZeroMQ

/// A recipient that stops reading must not slow the others, nor make the hub hold
/// unbounded memory, nor lose anything: what it missed is served from the journal later.
@Suite("Flow control with a stalled recipient", .serialized, .timeLimit(.minutes(2)))
struct FlowControlTests {
    static let messages = 3000
    static let rssLimit = 300 * 1024 * 1024

    @Test func stalledRecipientDoesNotSlowOthers() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs"), .init(id: "bank")])
        try await hub.start()

        // The stalled recipient: a session with a large credit and a tiny receive queue,
        // kept alive by PINGs, that never reads a frame after the WELCOME.
        let context = try ZMQContext()
        let stalled = try RawPeer(hub, context: context, party: "customs", receiveHighWaterMark: 10)
        let welcome = try await stalled.io { try $0.hello(credit: 1000) }
        #expect(welcome.credit == 1000)
        let stopPinging = Locked(false)
        defer { stopPinging.withLock { $0 = true } }
        let pinger = Task {
            try await stalled.io { peer in
                while !stopPinging.current {
                    try peer.pingIfDue(everyMs: 250)
                    usleep(20_000)
                }
            }
        }

        // RSS of the hub, sampled throughout.
        let peakRSS = Locked(0)
        let stopSampling = Locked(false)
        defer { stopSampling.withLock { $0 = true } }
        let sampler = Task {
            while !stopSampling.current {
                if let rss = hub.residentBytes() { peakRSS.withLock { $0 = max($0, rss) } }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }

        let healthy = try hub.client("bank", receive: true, credit: 1000)
        defer { healthy.close() }
        let healthyInbox = DeliveryInbox(healthy)
        try await healthy.connect()
        let sender = try hub.client("enterprise", requestTimeout: .seconds(30))
        defer { sender.close() }

        let started = ContinuousClock.now
        let receipts = try await withTimeout(.seconds(30), "\(Self.messages) submissions") {
            try await hub.submitConcurrently(
                sender, count: Self.messages, to: ["customs", "bank"], idPrefix: "f",
                body: { index in
                    var body = [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: 1024)
                    body.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(index).bigEndian, Array.init))
                    return body
                })
        }
        let seqs = receipts.map(\.seq).sorted()
        #expect(receipts.allSatisfy { $0.recipients == 2 })

        let delivered = try await healthyInbox.wait(for: Self.messages, within: .seconds(30))
        let elapsed = ContinuousClock.now - started
        #expect(delivered.map(\.seq) == seqs, "the healthy recipient's deliveries are incomplete or out of order")
        #expect(delivered.allSatisfy { $0.body.count == 1024 })
        #expect(hub.isRunning)

        stopSampling.withLock { $0 = true }
        await sampler.value
        let peak = peakRSS.current
        #expect(peak > 0, "could not read the hub's VmRSS")
        #expect(peak < Self.rssLimit, "hub RSS peaked at \(peak / 1_048_576) MB")
        print(
            "flow control: \(Self.messages) x 1 KB to a stalled and a healthy recipient in \(elapsed); hub peak RSS \(peak / 1_048_576) MB")

        stopPinging.withLock { $0 = true }
        try await pinger.value
        stalled.close()

        // The stalled party comes back as a fresh client: everything from the journal, in order.
        let recovered = try hub.client("customs", receive: true, credit: 1000)
        defer { recovered.close() }
        let recoveredInbox = DeliveryInbox(recovered)
        let recoveredWelcome = try await recovered.connect()
        #expect(recoveredWelcome.ackedSeq == 0)
        let caughtUp = try await recoveredInbox.wait(for: Self.messages, within: .seconds(30))
        #expect(caughtUp.map(\.seq) == seqs)
        #expect(caughtUp.last?.body == delivered.last?.body)
    }

    /// With the journal queue full (`max_pending`), a SUBMIT gets 301 HUB_BUSY carrying
    /// its id and is not journaled; resubmitted later under the same id it is accepted.
    @Test func fullJournalQueueAnswersHubBusy() async throws {
        let hub = try TestHub(
            parties: [.init(id: "enterprise"), .init(id: "customs")], extraHub: ["max_pending: 1", "commit_batch_max: 1"])
        try await hub.start()
        let context = try ZMQContext()
        let sender = try RawPeer(hub, context: context, party: "enterprise")
        defer { sender.close() }
        let count = 200
        let replies = try await sender.io { peer -> [Reply] in
            for index in 0..<count { try peer.submit(id: "busy-\(index)", recipients: ["customs"]) }
            return try (0..<count).map { _ in try peer.expectReply("ACCEPTED or HUB_BUSY") }
        }
        var accepted: [String: UInt64] = [:]
        var busy: [String] = []
        for reply in replies {
            switch reply.command.kind {
            case .accepted(let a): accepted[a.id] = a.seq
            case .error(let e) where e.code == HubErrorCode.hubBusy.rawValue: busy.append(e.id)
            default: Issue.record("unexpected reply \(reply)")
            }
        }
        #expect(accepted.count + busy.count == count)
        #expect(!busy.isEmpty, "max_pending 1 with 200 pipelined SUBMITs: expected some HUB_BUSY")
        #expect(Set(busy).isDisjoint(with: accepted.keys))
        #expect(Set(busy).union(accepted.keys) == Set((0..<count).map { "busy-\($0)" }), "every refusal carries its id")

        // Resubmitted one at a time, each refused one is accepted.
        let refused = busy
        let retried = try await sender.io { peer -> [String: UInt64] in
            var retried: [String: UInt64] = [:]
            for id in refused {
                try peer.submit(id: id, recipients: ["customs"])
                let reply = try peer.expectAccepted()
                retried[reply.id] = reply.seq
            }
            return retried
        }
        #expect(retried.count == busy.count)
        await hub.terminate()
        let journal = try hub.openJournal()
        #expect(try journal.headSeq() == UInt64(count), "each message journaled once")
        for (id, seq) in accepted.merging(retried, uniquingKeysWith: { a, _ in a }) {
            #expect(try journal.record(sender: "enterprise", id: id)?.seq == seq)
        }
    }
}
