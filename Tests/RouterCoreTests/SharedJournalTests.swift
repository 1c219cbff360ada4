import HubCore
import HubProtocol
import HubStore
import HubTestSupport
import Testing

/// Two hub nodes on one journal, as RouterCore sees them: each node's router gets its own
/// commits and, from its writer, the records the other node journaled (Docs/cluster.md).
@Suite("RouterCore on a journal shared by hub nodes")
struct SharedJournalTests {
    /// Two harnesses on one in-memory journal.
    static func nodes() throws -> (a: RouterHarness, b: RouterHarness, store: InMemoryJournalStore) {
        let store = InMemoryJournalStore()
        let a = try RouterHarness(config: TestConfig.config(), store: store)
        let b = try RouterHarness(config: TestConfig.config(), store: store)
        a.shareJournal()
        b.shareJournal()
        return (a, b, store)
    }

    /// The records with `after < seq <= through`.
    static func records(_ store: InMemoryJournalStore, after: UInt64, through: UInt64) throws -> [JournalRecord] {
        try (after + 1...through).compactMap { try store.record(seq: $0) }
    }

    @Test func recordsJournaledElsewhereAreDeliveredInSeqOrderBeforeOwnCommits() throws {
        let (a, b, store) = try Self.nodes()
        let receiver = a.connect("customs")
        a.hello(receiver, credit: 100)
        let senderB = b.connect("enterprise")
        b.submit(senderB, id: "b1")
        b.submit(senderB, id: "b2")
        #expect(senderB.accepted.map(\.seq) == [1, 2])
        #expect(receiver.deliveredSeqs.isEmpty)
        // A's writer hands over what B journaled, then A's own commit follows.
        a.journaledElsewhere(try Self.records(store, after: 0, through: 2))
        let senderA = a.connect("enterprise")
        a.submit(senderA, id: "a3")
        #expect(senderA.accepted.map(\.seq) == [3])
        #expect(receiver.deliveredSeqs == [1, 2, 3])
        #expect(receiver.deliveries.map(\.header.id) == ["b1", "b2", "a3"])
        #expect(a.core.headSeq == 3)
    }

    @Test func headAdvancedMakesLiveSessionsReadTheJournal() throws {
        let (a, b, _) = try Self.nodes()
        let receiver = a.connect("customs")
        a.hello(receiver, credit: 100)
        let sender = b.connect("enterprise")
        for index in 1...4 { b.submit(sender, id: "b\(index)") }
        a.headAdvanced(to: 4)
        #expect(receiver.deliveredSeqs == [1, 2, 3, 4])
        // Live again: A's own next commit is delivered from memory.
        let senderA = a.connect("enterprise")
        a.submit(senderA, id: "a5")
        #expect(receiver.deliveredSeqs == [1, 2, 3, 4, 5])
    }

    @Test func helloMayAcknowledgeWhatAnotherNodeDelivered() throws {
        let (a, b, store) = try Self.nodes()
        let sender = b.connect("enterprise")
        for index in 1...3 { b.submit(sender, id: "b\(index)") }
        let onB = b.connect("customs")
        b.hello(onB, credit: 10)
        #expect(onB.deliveredSeqs == [1, 2, 3])
        a.journaledElsewhere(try Self.records(store, after: 0, through: 3))
        // customs fails over to A, which never delivered anything to it.
        let onA = a.connect("customs")
        a.hello(onA, credit: 10, ackedSeq: 3)
        #expect(onA.errors.isEmpty)
        #expect(onA.welcomes.count == 1)
        #expect(a.core.acked["customs"] == 3)
        // Beyond this node's head (another node's commits not seen here yet): the session
        // resumes after it, the durable position moves only to the head.
        let again = a.connect("customs")
        a.hello(again, credit: 10, ackedSeq: 9)
        #expect(again.errors.isEmpty)
        #expect(again.welcomes.count == 1)
        #expect(a.core.acked["customs"] == 3)
    }

    @Test func aSingleHubStillRefusesAHelloBeyondItsDeliveries() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 1...3 { hub.submit(sender, id: "d\(index)") }
        let receiver = hub.connect("customs")
        hub.hello(receiver, credit: 10, ackedSeq: 2)
        #expect(receiver.errors.map(\.code) == [HubErrorCode.badAck.rawValue])
    }
}
