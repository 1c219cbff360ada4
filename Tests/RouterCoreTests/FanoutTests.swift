import HubCore
import HubProtocol
import HubRouting
import HubTestSupport
import Testing

/// Fan-out of one commit: the sends to each receiving session that asked for batches are
/// gathered into one delivery work per commit as they are decided; every recipient still
/// gets its own header (naming it alone), its own body and its own credit.
@Suite("RouterCore: fan-out")
struct FanoutTests {
    static func entries(_ count: Int, to recipients: [String]) -> [(header: WireHeader, body: [UInt8])] {
        (0..<count).map { (RouterHarness.header(id: "f\($0)", to: recipients), Array("body \($0)".utf8)) }
    }

    @Test func aCommitGoesToEachBatchingSessionAsOneWorkInOrder() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        let customs = hub.connect("customs")
        hub.hello(customs, batchDeliveries: 16)
        let bank = hub.connect("bank")
        hub.hello(bank, batchDeliveries: 3)
        let post = hub.connect("post")
        hub.hello(post)
        let before = hub.deliveryWorks.count
        hub.submitBatch(sender, batch: 1, Self.entries(4, to: ["bank", "post"]))
        #expect(hub.commits == [4])
        let works = hub.deliveryWorks[before...]
        #expect(works.filter { $0.stream == "customs" }.map(\.sends) == [4])
        #expect(works.filter { $0.stream == "bank" }.map(\.sends) == [4])
        #expect(works.filter { $0.stream == "post" }.map(\.sends) == [1, 1, 1, 1], "one work per send without batches")
        let bodies = (0..<4).map { Array("body \($0)".utf8) }
        for (peer, party) in [(customs, "customs"), (bank, "bank"), (post, "post")] {
            #expect(peer.deliveredSeqs == [1, 2, 3, 4], "\(party)")
            #expect(peer.deliveries.map(\.body) == bodies, "\(party)")
            #expect(peer.deliveries.allSatisfy { $0.header.recipients == [party] && $0.header.sender == "enterprise" }, "\(party)")
        }
        #expect(sender.acceptedBatches.count == 1)
    }

    @Test func eachSessionKeepsItsOwnCreditWithinAGatheredCommit() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        let customs = hub.connect("customs")
        hub.hello(customs, batchDeliveries: 16)
        let bank = hub.connect("bank")
        hub.hello(bank, credit: 2, batchDeliveries: 16)
        let before = hub.deliveryWorks.count
        hub.submitBatch(sender, batch: 1, Self.entries(5, to: ["bank"]))
        #expect(hub.deliveryWorks[before...].filter { $0.stream == "bank" }.map(\.sends) == [2])
        #expect(bank.deliveredSeqs == [1, 2], "the credit of 2 holds the rest back")
        #expect(customs.deliveredSeqs == [1, 2, 3, 4, 5])
        hub.ack(bank, 2)
        #expect(bank.deliveredSeqs == [1, 2, 3, 4])
        hub.ack(bank, 4)
        #expect(bank.deliveredSeqs == [1, 2, 3, 4, 5])
    }

    @Test func aCommitsRunsOfLikeMessagesAreOneMetricsNoteEach() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        let before = hub.notes.count
        var entries = Self.entries(3, to: ["bank", "post"])
        entries.append((RouterHarness.header(id: "other-type", type: "demo.Query", to: ["bank", "post"]), Array("x".utf8)))
        entries.append((RouterHarness.header(id: "other-recipients", to: ["bank"]), Array("y".utf8)))
        entries.append((RouterHarness.header(id: "again", to: ["bank"]), Array("z".utf8)))
        hub.submitBatch(sender, batch: 1, entries)
        #expect(hub.commits == [6])
        let runs: [(String, [String], Int)] = hub.notes[before...].compactMap { note in
            guard case .journaled(let type, let from, let recipients, let count) = note, from == "enterprise" else { return nil }
            return (type, recipients, count)
        }
        #expect(runs.map(\.0) == ["demo.Note", "demo.Query", "demo.Note"])
        #expect(runs.map { $0.1.contains("post") } == [true, true, false], "routes may add recipients to the named ones")
        #expect(runs.map(\.2) == [3, 1, 2], "each run counted once, its messages all counted")
    }
}
