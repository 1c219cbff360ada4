import Foundation
import HubClient
import HubProtocol
import HubStore
import HubTestSupport
import Testing
import ZeroMQ

/// REPLAY (PROTOCOL.md section 14) against a real hub: a party's stream from a seq or a
/// time, by type, then live without a gap or duplicate; ACKs that only return credit.
@Suite("Replay")
struct ReplayTests {
    static func startHub() async throws -> TestHub {
        let hub = try TestHub(
            parties: [
                .init(id: "enterprise"),
                .init(id: "customs", subscribes: ["demo.Note", "demo.Query"]),
                .init(id: "tax", subscribes: ["demo.Other"]),
            ],
            types: ["demo.Note", "demo.Query", "demo.Other"])
        try await hub.start()
        return hub
    }

    /// Submits notes and queries for customs and a few notes for tax only, interleaved.
    static func fill(_ client: HubClient, prefix: String, count: Int) async throws -> [SubmitReceipt] {
        var receipts: [SubmitReceipt] = []
        for index in 0..<count {
            let type = index % 3 == 0 ? "demo.Query" : "demo.Note"
            receipts.append(try await client.submit(type: type, body: Array("\(prefix) \(index)".utf8), id: "\(prefix)-\(index)"))
            if index % 4 == 0 {
                _ = try await client.submit(type: "demo.Other", body: Array("tax only".utf8), id: "\(prefix)-tax-\(index)")
            }
        }
        return receipts
    }

    @Test func ownStreamFromASeq() async throws {
        let hub = try await Self.startHub()
        let enterprise = try hub.client("enterprise")
        defer { enterprise.close() }
        let receipts = try await Self.fill(enterprise, prefix: "own", count: 20)
        let from = receipts[7].seq
        let log = try await hub.replay("customs", ReplayRequest(fromSeq: from))

        let expected = try hub.journalStream("customs", from: from)
        #expect(log.seqs == expected.map(\.seq))
        #expect(log.seqs.count == 13)  // receipts 7...19; the tax-only messages are not in customs' stream
        #expect(log.deliveries.map(\.body) == expected.map(\.body))
        #expect(log.deliveries.allSatisfy { $0.header.recipients == ["customs"] && $0.header.sender == "enterprise" })
        #expect(log.deliveries.map(\.header.journaledAtUs) == expected.map(\.journaledAtUs))
        #expect(log.phases() == [.started, .caughtUp, .finished])
        #expect(log.statuses.first?.firstSeq == from)
        #expect(log.statuses.first?.party == "customs")
        #expect(log.statuses.last?.delivered == 13)
        #expect(log.statuses.last?.headSeq ?? 0 >= expected.last?.seq ?? 0)
    }

    @Test func typeFilter() async throws {
        let hub = try await Self.startHub()
        let enterprise = try hub.client("enterprise")
        defer { enterprise.close() }
        _ = try await Self.fill(enterprise, prefix: "types", count: 15)
        let log = try await hub.replay("customs", ReplayRequest(types: ["demo.Query"]))
        let expected = try hub.journalStream("customs", types: ["demo.Query"])
        #expect(expected.count == 5)
        #expect(log.seqs == expected.map(\.seq))
        #expect(log.deliveries.allSatisfy { $0.header.type == "demo.Query" })
        #expect(log.statuses.first?.firstSeq == 1)
    }

    @Test func sinceATime() async throws {
        let hub = try await Self.startHub()
        let enterprise = try hub.client("enterprise")
        defer { enterprise.close() }
        let before = try await Self.fill(enterprise, prefix: "before", count: 6)
        // The later ones must carry a later time: wait until the clock is past the last earlier one.
        let lastBefore = try #require(try hub.openJournal().record(seq: before[5].seq)).journaledAtUs
        try await waitUntil(.seconds(5), "the wall clock did not pass \(lastBefore)") { WallClock.nowMicroseconds() > lastBefore }
        let later = try await Self.fill(enterprise, prefix: "after", count: 6)
        let since = try #require(try hub.openJournal().record(seq: later[0].seq)).journaledAtUs

        let log = try await hub.replay("customs", ReplayRequest(sinceUs: since))
        let expected = try hub.journalStream("customs").filter { $0.journaledAtUs >= since }
        #expect(log.seqs == expected.map(\.seq))
        #expect(log.seqs == later.map(\.seq))
        #expect(log.statuses.first?.firstSeq == later[0].seq)
        #expect(log.deliveries.allSatisfy { String(decoding: $0.body, as: UTF8.self).hasPrefix("after") })

        // A time after everything: nothing, at once.
        let empty = try await hub.replay("customs", ReplayRequest(sinceUs: since + 3_600_000_000))
        #expect(empty.seqs.isEmpty)
        #expect(empty.phases() == [.started, .caughtUp, .finished])
    }

    /// Replay with follow while another client keeps submitting, before, during and after
    /// the switch from catch-up to live: every seq of the stream exactly once, compared with
    /// the journal.
    @Test func followSwitchesToLiveWithoutGapOrDuplicate() async throws {
        let hub = try await Self.startHub()
        let enterprise = try hub.client("enterprise")
        defer { enterprise.close() }
        _ = try await hub.submitConcurrently(enterprise, count: 300, idPrefix: "early")
        let session = try hub.replaySession("customs", ReplayRequest(follow: true, credit: 16))
        defer { session.close() }
        // A small credit makes the catch-up take many fetches while the submitter runs.
        let log = Locked(ReplayLog())
        let reader = Task {
            for try await event in session.events {
                switch event {
                case .started(let status), .caughtUp(let status), .finished(let status):
                    log.withLock { $0.statuses.append(status) }
                case .delivery(let delivery):
                    log.withLock { $0.deliveries.append(delivery) }
                    session.acknowledge(delivery.seq)
                }
            }
        }
        defer { reader.cancel() }
        let submitter = Task {
            // Without pause until the replay has caught up, then 100 more that can only come live.
            var index = 0
            var after = 0
            var last: UInt64 = 0
            while after < 100 {
                if log.current.statuses.contains(where: { $0.phase == .caughtUp }) { after += 1 }
                last = try await enterprise.submit(type: "demo.Note", body: Array("late \(index)".utf8), id: "late-\(index)").seq
                index += 1
            }
            return last
        }
        let last = try await submitter.value
        try await waitUntil(.seconds(60), "the replay did not reach seq \(last)") { log.current.seqs.last ?? 0 >= last }
        session.close()
        let expected = try hub.journalStream("customs")
        let replayed = log.current
        #expect(expected.last?.seq == last)
        #expect(replayed.seqs == expected.map(\.seq))
        #expect(Set(replayed.seqs).count == replayed.seqs.count)
        #expect(replayed.deliveries.map(\.body) == expected.map(\.body))
        #expect(replayed.phases() == [.started, .caughtUp])
        // At least the last 100 came live, after CAUGHT_UP.
        let caughtUpHead = try #require(replayed.statuses.last?.headSeq)
        #expect(expected.filter { $0.seq > caughtUpHead }.count >= 100)
    }

    @Test func replayNeverMovesTheDurableAckPosition() async throws {
        let hub = try await Self.startHub()
        let enterprise = try hub.client("enterprise")
        let customs = try hub.client("customs", receive: true)
        defer {
            enterprise.close()
            customs.close()
        }
        let inbox = DeliveryInbox(customs, acknowledge: false)
        try await customs.connect()
        _ = try await Self.fill(enterprise, prefix: "ack", count: 10)
        let delivered = try await inbox.wait(for: 10, within: .seconds(10))
        customs.acknowledge(delivered[3].seq)
        try await hub.waitForAckPosition("customs", atLeast: delivered[3].seq)

        let log = try await hub.replay("customs", ReplayRequest())
        #expect(log.seqs == delivered.map(\.seq))
        // The replay acknowledged everything, but only for credit.
        let context = try ZMQContext()
        let peer = try RawPeer(hub, context: context, party: "customs")
        defer { peer.close() }
        #expect(try await peer.io { try $0.ackPosition() } == delivered[3].seq)
        customs.close()
        await hub.terminate()
        #expect(try hub.openJournal().ackPositions()["customs"] == delivered[3].seq)
    }

    /// A replay whose reader never acknowledges holds its credit and nothing else: the
    /// party's own receiving session, other parties and submissions carry on.
    @Test func aStalledReplayBlocksNobody() async throws {
        let hub = try await Self.startHub()
        let enterprise = try hub.client("enterprise")
        defer { enterprise.close() }
        _ = try await hub.submitConcurrently(enterprise, count: 200, idPrefix: "before")
        let context = try ZMQContext()
        let stalled = try RawPeer(hub, context: context, party: "customs")
        defer { stalled.close() }
        let held = try await stalled.io { peer -> [Delivered] in
            var replay = WireReplay()
            replay.follow = true
            replay.credit = 10
            try peer.send(.replay(replay))
            var delivered: [Delivered] = []
            while delivered.count < 10 {
                let reply = try peer.expectReply("a DELIVER")
                if case .deliver(let deliver) = reply.command.kind {
                    delivered.append(Delivered(header: deliver.header, body: reply.extra[0]))
                }
            }
            return delivered
        }
        #expect(held.count == 10)

        let customs = try hub.client("customs", receive: true)
        let tax = try hub.client("tax", receive: true)
        defer {
            customs.close()
            tax.close()
        }
        let customsInbox = DeliveryInbox(customs)
        let taxInbox = DeliveryInbox(tax)
        try await customs.connect()
        try await tax.connect()
        let later = try await Self.fill(enterprise, prefix: "later", count: 20)
        // customs' receiving session: the 200 from the journal, then the 20 live ones.
        let toCustoms = try await customsInbox.wait(for: 220, within: .seconds(20))
        #expect(Array(toCustoms.suffix(20)).map(\.seq) == later.map(\.seq))
        #expect(try await taxInbox.wait(for: 5, within: .seconds(10)).count == 5)
        // The stalled replay got nothing beyond its credit.
        let extra = try await stalled.io { peer -> Int in
            var count = 0
            while let reply = try peer.receive(timeoutMs: 200) {
                if case .deliver = reply.command.kind { count += 1 }
            }
            return count
        }
        #expect(extra == 0)
    }

    /// The hub dies in the middle of a replay and comes back: `ReplaySession` asks again
    /// from the seq after the last one it passed on, so the reader sees each seq once.
    @Test func replaySessionResumesAfterTheHubRestarts() async throws {
        let hub = try await Self.startHub()
        let enterprise = try hub.client("enterprise")
        _ = try await hub.submitConcurrently(enterprise, count: 60, idPrefix: "r")
        enterprise.close()
        let session = try hub.replaySession("customs", ReplayRequest(follow: true, credit: 5))
        defer { session.close() }
        let log = Locked(ReplayLog())
        let reopened = Locked(false)  // the reader acknowledges the first 20, then only after the restart
        let reader = Task {
            for try await event in session.events {
                switch event {
                case .started(let status), .caughtUp(let status), .finished(let status):
                    log.withLock { $0.statuses.append(status) }
                case .delivery(let delivery):
                    let count = log.withLock { log in
                        log.deliveries.append(delivery)
                        return log.deliveries.count
                    }
                    if count <= 20 || reopened.current { session.acknowledge(delivery.seq) }
                }
            }
        }
        defer { reader.cancel() }
        try await waitUntil(.seconds(20), "first deliveries") { log.current.deliveries.count >= 20 }
        // Held by the credit: at most 5 beyond the 20 acknowledged.
        #expect(log.current.deliveries.count <= 25)
        await hub.kill9()
        try await hub.start()
        reopened.withLock { $0 = true }
        if let last = log.current.deliveries.last { session.acknowledge(last.seq) }
        let expected = try hub.journalStream("customs").map(\.seq)
        try await waitUntil(.seconds(30), "the replay after the restart") { log.current.seqs.last == expected.last }
        let replayed = log.current
        #expect(replayed.seqs == expected)
        #expect(replayed.phases().filter { $0 == .started }.count == 2)
        #expect(replayed.statuses.last(where: { $0.phase == .started })?.firstSeq ?? 0 > 1)
    }
}
