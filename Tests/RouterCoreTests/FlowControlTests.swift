import HubProtocol
import HubTestSupport
import Testing

/// A recipient that stops reading must not hold up the others nor lose anything; a full
/// journal queue answers HUB_BUSY (`HubServerTests/FlowControlTests`).
@Suite("RouterCore: flow control")
struct FlowControlTests {
    static let messages = 3000

    @Test func stalledRecipientDoesNotHoldUpOthers() throws {
        let hub = try TestConfig.harness()
        let stalled = hub.connect("customs")
        hub.hello(stalled, credit: 1000)
        stalled.queue = .full  // its receive queue is full from here on
        let healthy = hub.connect("bank")
        hub.hello(healthy, credit: 1000)
        let sender = hub.connect("enterprise")
        for index in 0..<Self.messages {
            hub.submit(sender, id: "f-\(index)", to: ["customs", "bank"])
            if let last = healthy.deliveries.last { hub.ack(healthy, last.seq) }
            if index % 100 == 0 { hub.advance(by: .milliseconds(25)) }  // the stalled session retries, and fails again
        }
        let seqs = sender.accepted.map(\.seq)
        #expect(sender.accepted.allSatisfy { $0.recipients == 2 })
        #expect(healthy.deliveredSeqs == seqs, "the healthy recipient's deliveries are incomplete or out of order")
        #expect(stalled.deliveries.isEmpty)

        // It comes back as a fresh connection: everything from the journal, in order.
        let recovered = hub.connect("customs")
        hub.hello(recovered, credit: 1000)
        #expect(recovered.welcomes.first?.ackedSeq == 0)
        while let last = recovered.deliveries.last, recovered.deliveries.count < Self.messages {
            let before = recovered.deliveries.count
            hub.ack(recovered, last.seq)
            guard recovered.deliveries.count > before else { break }
        }
        #expect(recovered.deliveredSeqs == seqs)
    }

    /// A full peer queue parks the session: nothing more is sent, the sends that failed are
    /// taken back, and once the peer reads again a tick resumes from the journal with no gap
    /// and no duplicate.
    @Test(arguments: [1, 7, 40])
    func peerFullIsRetriedWithoutGapOrDuplicate(sentBeforeFull: Int) throws {
        let hub = try TestConfig.harness()
        let receiver = hub.connect("customs")
        hub.hello(receiver, credit: 100)
        let sender = hub.connect("enterprise")
        for index in 0..<sentBeforeFull { hub.submit(sender, id: "a-\(index)") }
        receiver.queue = .full
        for index in 0..<50 { hub.submit(sender, id: "b-\(index)") }
        #expect(receiver.deliveries.count == sentBeforeFull)
        #expect(hub.core.hasParkedSessions)

        hub.advance(by: .milliseconds(25))  // still full: parked again
        #expect(receiver.deliveries.count == sentBeforeFull)
        receiver.queue = .open
        hub.advance(by: .milliseconds(25))
        #expect(receiver.deliveredSeqs == sender.accepted.map(\.seq))
        #expect(!hub.core.hasParkedSessions)
        // And live again afterwards.
        hub.submit(sender, id: "c-1")
        #expect(receiver.deliveredSeqs.last == sender.accepted.last?.seq)
    }

    /// A vanished peer ends its session; the party's next connection gets everything.
    @Test func vanishedPeerEndsItsSession() throws {
        let hub = try TestConfig.harness()
        let receiver = hub.connect("customs")
        hub.hello(receiver)
        receiver.queue = .gone
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "g-1")
        hub.submit(sender, id: "g-2")
        #expect(hub.core.receivers["customs"] == nil)
        let next = hub.connect("customs")
        hub.hello(next)
        #expect(next.deliveredSeqs == [1, 2])
    }

    /// With `max_pending` submissions waiting for the journal, a SUBMIT gets 301 HUB_BUSY with
    /// its id and is not journaled; resubmitted later under the same id it is accepted.
    @Test func fullJournalQueueAnswersHubBusy() throws {
        let hub = try TestConfig.harness(hub: ["max_pending: 3"])
        hub.journalsAutomatically = false
        let sender = hub.connect("enterprise")
        for index in 0..<10 { hub.submit(sender, id: "busy-\(index)", to: ["customs"]) }
        #expect(sender.errors.map(\.code) == Array(repeating: HubErrorCode.hubBusy.rawValue, count: 7))
        #expect(sender.errors.map(\.id) == (3..<10).map { "busy-\($0)" }, "every refusal carries its id")
        #expect(hub.core.pending == 3)
        hub.runJournal()
        #expect(sender.accepted.map(\.id) == ["busy-0", "busy-1", "busy-2"])
        #expect(hub.core.pending == 0)

        hub.journalsAutomatically = true
        for index in 3..<10 { hub.submit(sender, id: "busy-\(index)", to: ["customs"]) }
        #expect(sender.accepted.count == 10)
        #expect(sender.accepted.allSatisfy { !$0.duplicate })
        #expect(try hub.store.headSeq() == 10, "each message journaled once")
    }
}
