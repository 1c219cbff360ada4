import HubProtocol
import HubTestSupport
import Testing

/// Replay sessions as the core runs them: from a seq or a time, by type, then live with
/// `follow`; their ACKs return credit and never move the party's position.
@Suite("RouterCore: replay sessions")
struct ReplayTests {
    static func request(fromSeq: UInt64 = 0, sinceUs: Int64 = 0, types: [String] = [], follow: Bool = false, credit: UInt32 = 0)
        -> WireReplay
    {
        var request = WireReplay()
        request.fromSeq = fromSeq
        request.sinceUs = sinceUs
        request.types = types
        request.follow = follow
        request.credit = credit
        return request
    }

    @Test func replayFromASeqFinishesOnceAcknowledged() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 1...6 {
            hub.submit(sender, id: "p-\(index)", type: index.isMultiple(of: 2) ? "demo.Query" : "demo.Note", to: ["customs"])
        }
        let replayer = hub.connect("customs")
        hub.replay(replayer, Self.request(fromSeq: 2, types: ["demo.Note"]))
        #expect(replayer.replayStatuses.map(\.phase) == [.started, .caughtUp])
        #expect(replayer.replayStatuses.first?.firstSeq == 2)
        #expect(replayer.deliveredSeqs == [3, 5])
        #expect(replayer.deliveries.allSatisfy { $0.header.recipients == ["customs"] })
        hub.ack(replayer, 5)
        #expect(replayer.replayStatuses.map(\.phase) == [.started, .caughtUp, .finished])
        #expect(replayer.replayStatuses.last?.delivered == 2)
        hub.ping(replayer)
        #expect(replayer.pongs.last?.ackedSeq == 0, "a replay's ACK never moves the party's position")
    }

    /// A replay asked from beyond the head catches up at once, reporting the journal's head
    /// (it reported `from_seq - 1`, a seq not yet journaled), and then follows from `from_seq`.
    @Test func replayFromBeyondTheHeadReportsTheJournalsHead() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 1...3 { hub.submit(sender, id: "b-\(index)", to: ["customs"]) }
        let replayer = hub.connect("customs")
        hub.replay(replayer, Self.request(fromSeq: 10))
        #expect(replayer.replayStatuses.map(\.phase) == [.started, .caughtUp, .finished])
        #expect(replayer.replayStatuses.map(\.headSeq) == [3, 3, 3])
        #expect(replayer.replayStatuses.first?.firstSeq == 10)
        #expect(replayer.deliveredSeqs.isEmpty)
    }

    @Test func followingReplayGoesLiveWithoutGap() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 1...3 { hub.submit(sender, id: "q-\(index)") }
        let replayer = hub.connect("customs")
        hub.replay(replayer, Self.request(follow: true, credit: 2))
        #expect(replayer.deliveredSeqs == [1, 2])
        hub.submit(sender, id: "q-4")
        hub.ack(replayer, 2)
        hub.submit(sender, id: "q-5")
        hub.ack(replayer, 4)
        #expect(replayer.deliveredSeqs == [1, 2, 3, 4, 5])
        #expect(replayer.replayStatuses.map(\.phase) == [.started, .caughtUp])
    }

    @Test func replayFromATimeStartsAtTheFirstLaterMessage() throws {
        let store = InMemoryJournalStore(clock: { 1_000 })  // every message journaled at 1,000 µs
        let hub = try RouterHarness(config: TestConfig.config(), store: store)
        let sender = hub.connect("enterprise")
        for index in 1...3 { hub.submit(sender, id: "t-\(index)") }
        let replayer = hub.connect("customs")
        hub.replay(replayer, Self.request(sinceUs: 1_000))
        #expect(replayer.replayStatuses.first?.firstSeq == 1)
        #expect(replayer.deliveredSeqs == [1, 2, 3])
        let late = hub.connect("customs")
        hub.replay(late, Self.request(sinceUs: 1_001))
        #expect(late.replayStatuses.first?.firstSeq == 4)
        #expect(late.deliveredSeqs.isEmpty)
    }

    @Test func replayOfAnotherPartysStreamNeedsTheAuditPolicy() throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("enterprise")
        var request = Self.request()
        request.party = "customs"
        hub.replay(peer, request)
        #expect(peer.errors.map(\.code) == [HubErrorCode.notEntitled.rawValue])
    }

    @Test func aConnectionHoldsOneSession() throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("customs")
        hub.hello(peer)
        hub.replay(peer, Self.request())
        #expect(peer.errors.map(\.code) == [HubErrorCode.badReplay.rawValue])
    }
}
