import HubProtocol
import HubTestSupport
import Testing

/// Idempotent submission: `(sender, id)` is journaled once (`HubServerTests/DedupTests`).
@Suite("RouterCore: deduplication by (sender, message id)")
struct DedupTests {
    @Test func sameIdTwiceIsJournaledOnceAndDeliveredOnce() throws {
        let hub = try TestConfig.harness()
        let live = hub.connect("customs")
        hub.hello(live, credit: 100)
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "dup-1", body: Array("first".utf8))
        hub.submit(sender, id: "dup-1", body: Array("second".utf8))
        hub.submit(sender, id: "marker", body: Array("marker".utf8))
        let (first, second, marker) = (sender.accepted[0], sender.accepted[1], sender.accepted[2])
        #expect(!first.duplicate)
        #expect(second.duplicate)
        #expect(second.seq == first.seq)
        #expect(second.recipients == first.recipients)
        #expect(marker.seq == first.seq + 1, "the duplicate must not consume a seq")

        let fromJournal = hub.connect("customs")
        hub.hello(fromJournal, credit: 100)
        for (name, peer) in [("live", live), ("from the journal", fromJournal)] {
            #expect(peer.deliveries.map(\.header.id) == ["dup-1", "marker"], "\(name)")
            #expect(peer.deliveries.first?.seq == first.seq, "\(name)")
            #expect(peer.deliveries.first?.body == Array("first".utf8), "\(name): the original body is kept")
        }
        #expect(try hub.store.headSeq() == marker.seq)
        let journaled = hub.notes.reduce(0) { total, note in
            if case .journaled(_, _, _, let count) = note { total + count } else { total }
        }
        #expect(journaled == 2, "a duplicate is not counted as journaled")
    }

    @Test func sameIdFromTwoSendersGetsTwoSeqs() throws {
        let hub = try TestConfig.harness()
        let receiver = hub.connect("customs")
        hub.hello(receiver)
        let enterprise = hub.connect("enterprise")
        let bank = hub.connect("bank")
        hub.submit(enterprise, id: "shared-id", body: Array("e".utf8))
        hub.submit(bank, id: "shared-id", body: Array("b".utf8))
        let (fromEnterprise, fromBank) = (try #require(enterprise.accepted.first), try #require(bank.accepted.first))
        #expect(!fromEnterprise.duplicate && !fromBank.duplicate)
        #expect(fromEnterprise.seq != fromBank.seq)
        #expect(Set(receiver.deliveredSeqs) == [fromEnterprise.seq, fromBank.seq])
        #expect(Set(receiver.deliveries.map(\.header.sender)) == ["enterprise", "bank"])
    }

    /// SUBMITs with the same id sent back to back land in one group commit: all answered,
    /// with one seq, the first the original.
    @Test func sameIdPipelinedIsJournaledOnce() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        hub.turn {
            for _ in 0..<5 { hub.submit(sender, id: "pipelined") }
        }
        #expect(hub.commits == [5], "one group commit")
        let replies = sender.accepted
        #expect(replies.count == 5)
        #expect(replies.allSatisfy { $0.id == "pipelined" })
        #expect(Set(replies.map(\.seq)).count == 1)
        #expect(replies.map(\.duplicate) == [false, true, true, true, true])
        #expect(try hub.store.headSeq() == 1)
    }

    /// The tap gets each new message once, with the hub's header, and neither duplicates nor
    /// messages addressed to nobody.
    @Test func theTapGetsNewMessagesOnly() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        hub.turn {
            hub.submit(sender, id: "t-1")
            hub.submit(sender, id: "t-1")
            hub.submit(sender, id: "t-2", type: "demo.Query")  // no recipient
            hub.submit(sender, id: "t-3", type: "demo.Query", to: ["bank"])
        }
        #expect(hub.tapped.map(\.id) == ["t-1", "t-3"])
        #expect(hub.tapped.map(\.seq) == [1, 3])
        #expect(hub.tapped.allSatisfy { $0.sender == "enterprise" && $0.journaledAtUs > 0 })
    }
}
