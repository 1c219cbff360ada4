import Foundation
import HubClient
import HubProtocol
import HubStore
import HubTestSupport
import Testing
import ZeroMQ

/// SIGTERM drains: what was accepted is journaled, what was refused is not, and the hub
/// exits cleanly.
@Suite("Graceful shutdown under load", .serialized, .timeLimit(.minutes(2)))
struct ShutdownTests {
    enum Outcome: Sendable {
        case accepted(SubmitReceipt)
        case shuttingDown
        /// The client cannot know: timed out or closed.
        case unknown(String)
        /// Anything else: not allowed here.
        case unexpected(String)
    }

    static let total = 2000

    @Test func sigtermWithSubmissionsInFlight() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])])
        try await hub.start()
        // Four SDK connections of one party with 500 submissions each in flight. (One
        // connection with 2,000 would trip a client bug: with more than ZMQ_SNDHWM = 1000
        // unanswered submissions and the hub gone, the SDK's I/O thread blocks in zmq_send
        // for good; see ClientStallTests.)
        // The request timeout is long: a submission the hub journals after its client has
        // given up reads as "journaled but never ACCEPTED". With 5 s, a local CI run on a
        // loaded 2-core machine had 54 submissions of one client journaled after it gave up.
        let clients = try (0..<4).map { _ in try hub.client("enterprise", requestTimeout: .seconds(20)) }
        defer { for client in clients { client.close() } }
        for client in clients { try await client.connect() }

        let acceptedCount = Locked(0)
        let terminator = Task { () throws -> Int32 in
            try await waitUntil(.seconds(15), "the first 300 ACCEPTED") { acceptedCount.current >= 300 }
            return await hub.terminate()
        }

        // 2,000 concurrent submissions, issued in waves so that many are in flight, or
        // still to come, when SIGTERM arrives.
        let outcomes = try await withTimeout(.seconds(60), "2,000 submissions around a SIGTERM") {
            await withTaskGroup(of: (Int, Outcome).self) { group in
                for index in 0..<Self.total {
                    let client = clients[index % clients.count]
                    group.addTask {
                        // The first 1,000 at once, then waves of 100 every 25 ms.
                        if index >= 1000 { try? await Task.sleep(for: .milliseconds((index - 1000) / 100 * 25 + 10)) }
                        do {
                            let receipt = try await client.submit(type: "demo.Note", body: Array("s \(index)".utf8), id: "s-\(index)")
                            acceptedCount.withLock { $0 += 1 }
                            return (index, .accepted(receipt))
                        } catch let error as HubClientError {
                            switch error.code {
                            case .rejected where error.hubCode == .shuttingDown: return (index, .shuttingDown)
                            case .timeout, .closed: return (index, .unknown("\(error)"))
                            default: return (index, .unexpected("\(error)"))
                            }
                        } catch {
                            return (index, .unexpected("\(error)"))
                        }
                    }
                }
                var outcomes = [Outcome](repeating: .unexpected("no outcome"), count: Self.total)
                for await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
        }
        let status = try await terminator.value
        #expect(status == 0, "hub exit status \(status); log:\n\(hub.log().suffix(3000))")

        var accepted: [Int: SubmitReceipt] = [:]
        var refused = Set<Int>()
        var unknown = Set<Int>()
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .accepted(let receipt): accepted[index] = receipt
            case .shuttingDown: refused.insert(index)
            case .unknown: unknown.insert(index)
            case .unexpected(let what): Issue.record("submission s-\(index): \(what)")
            }
        }
        print("shutdown: \(accepted.count) accepted, \(refused.count) SHUTTING_DOWN, \(unknown.count) timed out or closed")
        #expect(accepted.count >= 300)

        // Every ACCEPTED is in the journal under its seq.
        let journal = try hub.openJournal()
        for (index, receipt) in accepted.sorted(by: { $0.key < $1.key }) {
            let record = try journal.record(sender: "enterprise", id: "s-\(index)")
            #expect(record?.seq == receipt.seq, "accepted s-\(index) seq \(receipt.seq) is journaled as \(String(describing: record?.seq))")
        }
        // Everything in the journal is accounted for: the hub drains before it exits (see
        // Hub.services: the router drains before the journal writer stops), so whatever it
        // committed was answered with ACCEPTED under that seq, and nothing it refused with
        // SHUTTING_DOWN (or never got) is in the journal. On a loaded machine a client may
        // give up (time out) before the answer to a submission the hub still journals: its
        // outcome is unknown to it, and it resolves it as PROTOCOL.md says, below.
        let head = try journal.headSeq()
        var journaled = 0
        var journaledUnanswered: [Int: UInt64] = [:]
        for seq in 1...max(head, 1) where head > 0 {
            guard let record = try journal.record(seq: seq) else { continue }
            journaled += 1
            guard record.sender == "enterprise", record.id.hasPrefix("s-"), let index = Int(record.id.dropFirst(2)), index < Self.total
            else {
                Issue.record("journal holds a message nobody submitted: seq \(seq) \(record.sender)/\(record.id)")
                continue
            }
            #expect(!refused.contains(index), "s-\(index) was refused with SHUTTING_DOWN but journaled as seq \(seq)")
            if let receipt = accepted[index] {
                #expect(receipt.seq == seq)
            } else if case .unknown(let why) = outcomes[index], why.contains("TIMEOUT") {
                journaledUnanswered[index] = seq
            } else {
                Issue.record("s-\(index) is journaled as seq \(seq) but its submitter never got ACCEPTED (\(outcomes[index]))")
            }
        }
        #expect(journaled == accepted.count + journaledUnanswered.count)
        guard !journaledUnanswered.isEmpty else { return }
        // A submitter that timed out submits the same id again once the hub is back: it gets
        // the seq the hub journaled, as a duplicate, and nothing is journaled twice.
        print("shutdown: \(journaledUnanswered.count) journaled after their client timed out; submitted again")
        try await hub.start()
        let again = try hub.client("enterprise", requestTimeout: .seconds(20))
        defer { again.close() }
        try await again.connect()
        for (index, seq) in journaledUnanswered.sorted(by: { $0.key < $1.key }) {
            let receipt = try await again.submit(type: "demo.Note", body: Array("s \(index)".utf8), id: "s-\(index)")
            #expect(
                receipt.duplicate && receipt.seq == seq, "s-\(index) submitted again: seq \(receipt.seq), duplicate \(receipt.duplicate)")
        }
        #expect(try hub.openJournal().headSeq() == head)
        #expect(await hub.terminate() == 0)
    }

    /// During the drain (submissions still being committed) a new SUBMIT and a new HELLO
    /// are both refused with 302 SHUTTING_DOWN (PROTOCOL.md §8), while a PING is answered.
    /// One message per commit makes the drain last long enough to probe it.
    @Test func helloAndSubmitDuringTheDrainAreRefused() async throws {
        let hub = try TestHub(
            parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])],
            extraHub: ["commit_batch_max: 1"])
        try await hub.start()
        let context = try ZMQContext()
        let loader = try RawPeer(hub, context: context, party: "enterprise")
        defer { loader.close() }
        let probe = try RawPeer(hub, context: context, party: "customs")
        defer { probe.close() }
        try await probe.io { peer in
            var ping = WirePing()
            ping.nonce = 1
            try peer.send(.ping(ping))
            _ = try peer.expectReply("PONG")  // connected and authenticated
        }

        // Fill the journal queue, and SIGTERM once the first ones are committed.
        let firstAccepted = try await loader.io { peer -> Int in
            // 5,000 single-message commits: a drain of a second or more even where fsync is fast,
            // so the probe below is answered while it lasts (3,000 left it too short once).
            for index in 0..<5_000 { try peer.submit(id: "load-\(index)", body: [UInt8](repeating: 7, count: 512)) }
            var accepted = 0
            while accepted < 5 {
                if case .accepted = try peer.expectReply("ACCEPTED").command.kind { accepted += 1 }
            }
            return accepted
        }
        #expect(firstAccepted == 5)
        hub.sendTerminate()
        // The drain has begun when a new SUBMIT of the loader is refused with 302.
        let drainSeen = try await loader.io { peer -> Bool in
            let deadline = ContinuousClock.now + .seconds(5)
            var late = 0
            while ContinuousClock.now < deadline {
                late += 1
                try peer.submit(id: "late-\(late)")
                let turn = ContinuousClock.now + .milliseconds(20)
                while ContinuousClock.now < turn {
                    guard let reply = try peer.receive(timeoutMs: 5) else { continue }
                    if case .error(let error) = reply.command.kind {
                        guard error.code == HubErrorCode.shuttingDown.rawValue else {
                            throw TestHubError("unexpected \(reply)")
                        }
                        return true
                    }
                }
            }
            return false
        }
        try #require(drainSeen, "no SHUTTING_DOWN within 5 s of SIGTERM")

        let (submitReply, helloReply, pingReply) = try await probe.io { peer -> (Reply?, Reply?, Reply?) in
            try peer.sendFrames(RawPeer.submitFrames(id: "during-drain"))
            // Generous waits: on a loaded machine the hub's answers can take seconds.
            let submitReply = try peer.receive(timeoutMs: 10_000)
            var hello = WireHello()
            hello.receive = true
            hello.credit = 10
            try peer.send(.hello(hello))
            let helloReply = try peer.receive(timeoutMs: 10_000)
            var ping = WirePing()
            ping.nonce = 2
            try peer.send(.ping(ping))
            // The first reply that is not a DELIVER (should the HELLO have opened a session).
            var pingReply: Reply?
            let deadline = ContinuousClock.now + .seconds(10)
            while pingReply == nil, ContinuousClock.now < deadline {
                guard let reply = try peer.receive(timeoutMs: 100) else { continue }
                if case .deliver = reply.command.kind { continue }
                pingReply = reply
            }
            return (submitReply, helloReply, pingReply)
        }
        // The loader still gets ACCEPTEDs after the probe: the drain was under way.
        let stillDraining = try await loader.io { peer -> Bool in
            while let reply = try peer.receive(timeoutMs: 2000) {
                if case .accepted = reply.command.kind { return true }
            }
            return false
        }
        let status = await hub.waitForExit()

        #expect(stillDraining, "the drain ended before the probe; the probe proves nothing")
        guard case .error(let submitError)? = submitReply?.command.kind else {
            Issue.record("SUBMIT during the drain: expected ERROR 302, got \(String(describing: submitReply))")
            return
        }
        #expect(submitError.code == HubErrorCode.shuttingDown.rawValue)
        #expect(submitError.id == "during-drain")
        if case .error(let helloError)? = helloReply?.command.kind {
            #expect(helloError.code == HubErrorCode.shuttingDown.rawValue)
        } else {
            Issue.record("HELLO during the drain: expected ERROR 302 SHUTTING_DOWN, got \(String(describing: helloReply))")
        }
        if case .pong = pingReply?.command.kind {
        } else {
            Issue.record("PING during the drain: expected PONG, got \(String(describing: pingReply))")
        }
        #expect(status == 0)
        #expect(try hub.openJournal().record(sender: "customs", id: "during-drain") == nil)
    }
}
