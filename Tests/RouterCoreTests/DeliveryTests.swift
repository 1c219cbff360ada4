import HubProtocol
import HubStore
import HubTestSupport
import Testing

/// At-least-once delivery in journal order per recipient, resumed after the acknowledgement
/// position, within the granted credit: what `HubServerTests/DeliveryTests` checks against
/// a real hub, here in-process.
@Suite("RouterCore: delivery order, resumption and credit")
struct DeliveryTests {
    @Test func perRecipientOrderIsJournalOrder() throws {
        let hub = try TestConfig.harness()
        let customs = hub.connect("customs")
        hub.hello(customs)
        let enterprise = hub.connect("enterprise")
        let bank = hub.connect("bank")
        // Interleaved in turns of a few submissions each, so commits mix the two senders.
        for round in 0..<50 {
            hub.turn {
                for index in 0..<5 {
                    hub.submit(enterprise, id: "e-\(round * 5 + index)")
                    hub.submit(bank, id: "b-\(round * 5 + index)", type: "demo.Query", to: ["customs"])
                }
            }
        }
        let receipts = enterprise.accepted + bank.accepted
        #expect(receipts.count == 500)
        #expect(Set(receipts.map(\.seq)).count == 500)
        let seqs = customs.deliveredSeqs
        #expect(seqs == receipts.map(\.seq).sorted())
        let seqById = Dictionary(uniqueKeysWithValues: receipts.map { ($0.id, $0.seq) })
        for delivery in customs.deliveries {
            #expect(seqById[delivery.header.id] == delivery.seq)
            #expect(delivery.header.sender == (delivery.header.id.hasPrefix("e-") ? "enterprise" : "bank"))
        }
    }

    @Test func subscriptionAndExplicitRecipientBothDeliver() throws {
        let hub = try TestConfig.harness()
        let customs = hub.connect("customs")
        let bank = hub.connect("bank")
        hub.hello(customs)
        hub.hello(bank)
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "both", to: ["bank"], body: Array("note".utf8))
        hub.submit(sender, id: "named", to: ["customs", "bank", "customs"])
        hub.submit(sender, id: "query", type: "demo.Query", to: ["bank"])
        #expect(sender.accepted.map(\.recipients) == [2, 2, 1])
        #expect(customs.deliveries.map(\.header.id) == ["both", "named"])
        #expect(bank.deliveries.map(\.header.id) == ["both", "named", "query"])
        #expect(bank.deliveries.first?.body == Array("note".utf8))
    }

    @Test func reconnectingRecipientResumesAfterItsAck() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 1...10 { hub.submit(sender, id: "r-\(index)") }
        let seqs = sender.accepted.map(\.seq)

        let first = hub.connect("customs")
        hub.hello(first)
        #expect(first.deliveredSeqs == seqs)
        hub.ack(first, seqs[3])  // processed 4 of 10
        #expect(first.errors.isEmpty, "a valid ACK gets no reply")
        first.queue = .gone

        let second = hub.connect("customs")
        hub.hello(second)
        #expect(second.welcomes.first?.ackedSeq == seqs[3])
        #expect(second.deliveredSeqs == Array(seqs[4...]))
    }

    @Test func acknowledgementsSurviveARestart() throws {
        let store = InMemoryJournalStore()
        let hub = try RouterHarness(config: TestConfig.config(), store: store)
        let sender = hub.connect("enterprise")
        for index in 1...20 { hub.submit(sender, id: "d-\(index)") }
        let seqs = sender.accepted.map(\.seq)
        let receiver = hub.connect("customs")
        hub.hello(receiver)
        hub.ack(receiver, seqs[11])
        // Positions are written with a later commit, at most every 20 ms.
        hub.advance(by: .milliseconds(25))
        #expect(try store.ackPositions()["customs"] == seqs[11])

        let restarted = try RouterHarness(config: TestConfig.config(), store: store)
        let again = restarted.connect("customs")
        restarted.hello(again)
        #expect(again.welcomes.first?.ackedSeq == seqs[11])
        #expect(again.deliveredSeqs == Array(seqs[12...]))
    }

    @Test func offlineRecipientCatchesUpFromTheJournal() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 0..<2000 {
            hub.submit(sender, id: "o-\(index)", type: "demo.Query", to: ["post"], body: Array("message \(index)".utf8))
        }
        let seqs = sender.accepted.map(\.seq)
        #expect(Set(seqs).count == 2000)

        let receiver = hub.connect("post")
        hub.hello(receiver, credit: 100)
        #expect(receiver.welcomes.first?.credit == 100)
        while let last = receiver.deliveries.last, receiver.deliveries.count < 2000 {
            let before = receiver.deliveries.count
            hub.ack(receiver, last.seq)
            #expect(receiver.deliveries.count - before <= 100, "more than the credit at once")
            guard receiver.deliveries.count > before else { break }
        }
        #expect(receiver.deliveredSeqs == seqs)
        let bodies = Dictionary(uniqueKeysWithValues: receiver.deliveries.map { ($0.header.id, $0.body) })
        #expect(bodies["o-1234"] == Array("message 1234".utf8))
    }

    enum CreditPath: String, Sendable, CaseIterable { case fromJournal, live }

    /// A receiver that does not acknowledge gets exactly its credit, then the next ones as it
    /// acknowledges.
    @Test(arguments: CreditPath.allCases)
    func creditIsRespected(_ path: CreditPath) throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        let receiver = hub.connect("customs")
        func submit14() { for index in 1...14 { hub.submit(sender, id: "c\(index)") } }

        if path == .fromJournal { submit14() }
        hub.hello(receiver, credit: 5)
        #expect(receiver.welcomes.first?.credit == 5)
        if path == .live { submit14() }
        #expect(receiver.deliveredSeqs == [1, 2, 3, 4, 5])
        // Pings and time change nothing.
        hub.ping(receiver)
        hub.advance(by: .milliseconds(100))
        #expect(receiver.deliveredSeqs == [1, 2, 3, 4, 5])

        hub.ack(receiver, 5)
        #expect(receiver.deliveredSeqs == Array(1...10))
        hub.ack(receiver, 7)  // a partial ACK frees part of the credit
        #expect(receiver.deliveredSeqs == Array(1...12))
    }

    @Test func senderIsNotItsOwnSubscriberUnlessNamed() throws {
        let hub = try TestConfig.harness()
        let customs = hub.connect("customs")
        hub.hello(customs)
        hub.submit(customs, id: "own")
        hub.submit(customs, id: "to-self", to: ["customs"])
        #expect(customs.accepted.map(\.recipients) == [0, 1])
        #expect(customs.deliveries.map(\.header.id) == ["to-self"])
        #expect(try hub.store.record(sender: "customs", id: "own")?.recipients == [])
    }

    /// The hub drops a receiving session after 3 heartbeat intervals without traffic; PINGs
    /// keep it. Its deliveries come again on a new HELLO.
    @Test func silentSessionIsDroppedAndItsDeliveriesComeAgain() throws {
        let hub = try TestConfig.harness()
        let receiver = hub.connect("customs")
        hub.hello(receiver, credit: 10)
        let sender = hub.connect("enterprise")
        for index in 1...4 { hub.submit(sender, id: "s\(index)") }
        let seqs = sender.accepted.map(\.seq)
        #expect(receiver.deliveredSeqs == seqs)

        for _ in 0..<10 {  // 2 s of PINGs only: the session stays
            hub.advance(by: .milliseconds(200))
            hub.ping(receiver)
        }
        hub.ack(receiver, seqs[1])
        #expect(receiver.errors.isEmpty)
        #expect(receiver.pongs.last.map { _ in true } == true)
        hub.ping(receiver)
        #expect(receiver.pongs.last?.ackedSeq == seqs[1])

        hub.advance(by: .milliseconds(1600))  // silence beyond 3 x 500 ms: dropped
        receiver.clear()
        hub.ack(receiver, seqs[3])
        #expect(receiver.errors.map(\.code) == [HubErrorCode.noSession.rawValue])
        hub.hello(receiver, credit: 10)
        #expect(receiver.welcomes.first?.ackedSeq == seqs[1])
        #expect(receiver.deliveredSeqs == Array(seqs[2...]))
    }

    /// A new HELLO replaces the party's receiving connection: the old one gets 409 for its
    /// ACKs, and what was outstanding comes again on the new one with the same header and body.
    @Test func newHelloReplacesThePreviousSession() throws {
        let hub = try TestConfig.harness()
        let old = hub.connect("customs")
        hub.hello(old, credit: 10)
        let sender = hub.connect("enterprise")
        for index in 1...3 { hub.submit(sender, id: "x\(index)", body: Array("x body \(index)".utf8)) }
        let seqs = sender.accepted.map(\.seq)
        #expect(old.deliveredSeqs == seqs)

        let new = hub.connect("customs")
        hub.hello(new, credit: 10)
        #expect(new.welcomes.first?.ackedSeq == 0)
        #expect(new.deliveredSeqs == seqs)
        for (live, stored) in zip(old.deliveries, new.deliveries) {
            #expect(live.header == stored.header, "seq \(live.seq): live and redelivered headers differ")
            #expect(live.body == stored.body)
        }
        hub.ack(new, seqs[2])

        old.clear()
        hub.ack(old, seqs[2])
        #expect(old.errors.map(\.code) == [HubErrorCode.noSession.rawValue])
        #expect(old.deliveries.isEmpty)
        hub.ping(new)
        #expect(new.pongs.last?.ackedSeq == seqs[2])
    }

    /// `Hello.acked_seq` counts as a cumulative ACK (up to what was delivered: the client
    /// processed deliveries whose ACK the hub never got).
    @Test func helloAckedSeqMovesThePosition() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 1...5 { hub.submit(sender, id: "h\(index)") }
        let seqs = sender.accepted.map(\.seq)
        let lost = hub.connect("customs")
        hub.hello(lost, credit: 10)
        #expect(lost.deliveredSeqs == seqs)
        let receiver = hub.connect("customs")
        hub.hello(receiver, credit: 10, ackedSeq: seqs[2])
        #expect(receiver.welcomes.first?.ackedSeq == seqs[2])
        #expect(receiver.deliveredSeqs == Array(seqs[3...]))
        hub.ping(receiver)
        #expect(receiver.pongs.last?.ackedSeq == seqs[2])
        #expect(receiver.pongs.last?.receiving == true)
    }

    /// The delivered header is the submitted one with sender, seq and journal time set by
    /// the hub (client values for those are ignored), recipients naming the receiver only.
    @Test func deliveredHeaderIsCompletedByTheHub() throws {
        let hub = try TestConfig.harness()
        let receiver = hub.connect("bank")
        hub.hello(receiver)
        let sender = hub.connect("enterprise")
        var header = WireHeader()
        header.id = "h-1"
        header.type = "demo.Query"
        header.recipients = ["bank", "post"]
        header.correlationID = "corr-7"
        header.createdAtUs = 1_700_000_000_000_000
        header.journaledAtUs = 5  // ignored
        header.seq = 999  // ignored
        var submit = WireSubmit()
        submit.header = header
        let before = WallClock.nowMicroseconds()
        hub.send(sender, [WireProtocol.frame(.submit(submit)), [0, 1, 2, 255]])
        let after = WallClock.nowMicroseconds()
        let accepted = try #require(sender.accepted.first)
        let delivered = try #require(receiver.deliveries.first)
        #expect(delivered.header.id == "h-1")
        #expect(delivered.header.type == "demo.Query")
        #expect(delivered.header.sender == "enterprise")
        #expect(delivered.header.recipients == ["bank"])
        #expect(delivered.header.correlationID == "corr-7")
        #expect(delivered.header.createdAtUs == 1_700_000_000_000_000)
        #expect(delivered.seq == accepted.seq)
        #expect(delivered.header.journaledAtUs >= before && delivered.header.journaledAtUs <= after)
        #expect(delivered.body == [0, 1, 2, 255])
    }
}
