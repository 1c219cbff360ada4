import HubProtocol
import HubStore
import HubTestSupport
import Testing

@testable import HubRouting

/// A receiving session that fell behind catches up from the messages the router journaled
/// last (`hub.recent_delivery_bytes`) instead of from the journal, with the same deliveries
/// in the same order; beyond what is held, and on a journal with other writers, it reads the
/// journal as before.
@Suite("RouterCore: catching up from the messages journaled last")
struct RecentDeliveryTests {
    /// Submits `count` messages to customs and bank while customs reads none of them (its live
    /// queue overflows), then lets customs acknowledge until it has everything.
    /// Returns the sender's seqs, what customs got, and the journal fetches its catch-up made.
    static func fallBehindAndCatchUp(hub extra: [String], count: Int = 900, batch: UInt32 = 0) throws -> (
        seqs: [UInt64], delivered: [UInt64], bank: [UInt64], fetches: Int
    ) {
        let hub = try TestConfig.harness(hub: extra)
        let customs = hub.connect("customs")
        hub.hello(customs, credit: 50, batchDeliveries: batch)
        let bank = hub.connect("bank")
        hub.hello(bank, credit: 1000, batchDeliveries: batch)
        let sender = hub.connect("enterprise")
        let fetchesBefore = hub.fetches
        for index in 0..<count {
            hub.submit(sender, id: "r-\(index)", to: ["customs", "bank"], body: Array("body \(index)".utf8))
            if index % 50 == 0, let last = bank.deliveries.last { hub.ack(bank, last.seq) }
        }
        #expect(customs.deliveries.count == 50, "customs has its credit's worth and no more")
        while let last = customs.deliveries.last, customs.deliveries.count < count {
            let before = customs.deliveries.count
            hub.ack(customs, last.seq)
            guard customs.deliveries.count > before else { break }
        }
        return (sender.accepted.map(\.seq), customs.deliveredSeqs, bank.deliveredSeqs, hub.fetches - fetchesBefore)
    }

    @Test(arguments: [0, 40] as [UInt32])
    func fallenBehindCatchesUpFromMemory(batch: UInt32) throws {
        let run = try Self.fallBehindAndCatchUp(hub: [], batch: batch)
        #expect(run.seqs.count == 900)
        #expect(run.delivered == run.seqs, "every message once, in order")
        #expect(run.bank == run.seqs)
        #expect(run.fetches == 0, "the catch-up read nothing from the journal")
    }

    /// `recent_delivery_bytes: 0`: the same deliveries, read from the journal.
    @Test func turnedOffReadsTheJournal() throws {
        let run = try Self.fallBehindAndCatchUp(hub: ["recent_delivery_bytes: 0"])
        #expect(run.delivered == run.seqs)
        #expect(run.fetches > 0)
    }

    /// Held: about 60 messages (bodies of 6–8 bytes, `entryOverheadBytes` each beside). The
    /// session reads the older part from the journal, the rest from memory, nothing twice.
    @Test func olderThanWhatIsHeldReadsTheJournal() throws {
        let run = try Self.fallBehindAndCatchUp(hub: ["recent_delivery_bytes: 80000"])
        #expect(run.delivered == run.seqs)
        #expect(run.fetches > 0)
    }

    /// A session that opens while messages for it are held gets them from memory, its own
    /// only, each addressed to it alone, and then goes live.
    @Test func reconnectingPartyGetsOnlyItsOwn() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 0..<30 {
            hub.submit(sender, id: "o-\(index)", to: index % 3 == 0 ? ["post"] : ["bank"])
        }
        let seqs = sender.accepted.map(\.seq)
        let post = hub.connect("post")
        hub.hello(post, credit: 4)
        while let last = post.deliveries.last, post.deliveries.count < 10 {
            let before = post.deliveries.count
            hub.ack(post, last.seq)
            guard post.deliveries.count > before else { break }
        }
        #expect(post.deliveredSeqs == stride(from: 0, to: 30, by: 3).map { seqs[$0] })
        #expect(post.deliveries.allSatisfy { $0.header.recipients == ["post"] })
        hub.submit(sender, id: "o-live", to: ["post"])
        #expect(post.deliveredSeqs.last == sender.accepted.last?.seq, "live again")
    }

    /// A record damaged on disk after it was journaled is delivered as it was committed while
    /// it is held; a router that holds none reads the journal and stops before it.
    @Test func heldRecordsDoNotDependOnTheDisk() throws {
        for (extra, held) in [([] as [String], true), (["recent_delivery_bytes: 0"], false)] {
            let hub = try TestConfig.harness(hub: extra)
            let sender = hub.connect("enterprise")
            for index in 1...6 { hub.submit(sender, id: "n-\(index)") }
            hub.store.damage(seq: 4)
            let customs = hub.connect("customs")
            hub.hello(customs)
            #expect(customs.deliveredSeqs == (held ? [1, 2, 3, 4, 5, 6] : [1, 2, 3]))
            #expect(customs.errors.map(\.code) == (held ? [] : [HubErrorCode.journalDamaged.rawValue]))
        }
    }

    /// After a shred the messages held are let go of: a catch-up reads them from the journal
    /// (where the enterprise's personal fields no longer open), and what is journaled next
    /// is held again.
    @Test func shreddingLetsGoOfWhatIsHeld() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        for index in 0..<20 { hub.submit(sender, id: "s-\(index)", to: ["post"]) }
        hub.personalDataShredded()
        let post = hub.connect("post")
        let fetches = hub.fetches
        hub.hello(post, credit: 5)
        #expect(hub.fetches == fetches + 1, "read from the journal")
        #expect(post.deliveredSeqs == Array(sender.accepted.map(\.seq).prefix(5)))

        for index in 0..<20 { hub.submit(sender, id: "t-\(index)", to: ["post"]) }
        while let last = post.deliveries.last, post.deliveries.count < 40 {
            let before = post.deliveries.count
            hub.ack(post, last.seq)
            guard post.deliveries.count > before else { break }
        }
        #expect(post.deliveredSeqs == sender.accepted.map(\.seq))
        let journalReads = hub.fetches - fetches
        #expect(journalReads >= 4, "the 20 held before the shred came from the journal, 5 at a time")
        #expect(journalReads <= 5, "the 20 journaled after it came from memory")
    }

    /// Records journaled elsewhere (another node of a cluster): what is held is no longer
    /// complete, so catch-ups read the journal from then on.
    @Test func otherWritersEndIt() throws {
        var recent = RecentJournal(byteLimit: 1 << 20)
        for seq in 1...5 as ClosedRange<UInt64> {
            recent.append(seq: seq, recipients: ["customs"], message: Self.message(seq))
        }
        #expect(recent.fetch(party: "customs", after: 2, limit: 10)?.items.map(\.seq) == [3, 4, 5])
        recent.invalidate()
        #expect(recent.fetch(party: "customs", after: 2, limit: 10) == nil)
        recent.append(seq: 6, recipients: ["customs"], message: Self.message(6))
        #expect(recent.fetch(party: "customs", after: 5, limit: 10) == nil, "ended for good")
    }

    @Test func fetchAnswersOnlyWhatItHoldsWhole() {
        var recent = RecentJournal(byteLimit: 3 * (RecentJournal.entryOverheadBytes + 4))
        #expect(recent.fetch(party: "customs", after: 0, limit: 10) == nil, "nothing held yet")
        recent.append(seq: 10, recipients: ["customs", "bank"], message: Self.message(10))
        recent.append(seq: 11, recipients: [], message: Self.message(11))  // to nobody: not held
        recent.append(seq: 12, recipients: ["bank"], message: Self.message(12))
        #expect(recent.fetch(party: "customs", after: 8, limit: 10) == nil, "seq 9 was journaled before")
        let all = recent.fetch(party: "customs", after: 9, limit: 10)
        #expect(all?.items.map(\.seq) == [10])
        #expect(all?.head == 12)
        #expect(recent.fetch(party: "bank", after: 9, limit: 1)?.items.map(\.seq) == [10])
        recent.append(seq: 13, recipients: ["customs"], message: Self.message(13))
        recent.append(seq: 14, recipients: ["customs"], message: Self.message(14))
        #expect(recent.count == 3, "the oldest went to stay within the bytes")
        #expect(recent.fetch(party: "customs", after: 9, limit: 10) == nil)
        #expect(recent.fetch(party: "customs", after: 10, limit: 10)?.items.map(\.seq) == [13, 14])
        #expect(recent.fetch(party: "post", after: 14, limit: 10)?.items.isEmpty == true)

        recent.append(seq: 14, recipients: ["customs"], message: Self.message(14))
        #expect(recent.fetch(party: "customs", after: 12, limit: 10) == nil, "out of order: never served around")
    }

    @Test func zeroBytesHoldsNothing() {
        var recent = RecentJournal(byteLimit: 0)
        recent.append(seq: 1, recipients: ["customs"], message: Self.message(1))
        #expect(recent.count == 0)
        #expect(recent.fetch(party: "customs", after: 0, limit: 10) == nil)
    }

    static func message(_ seq: UInt64) -> LiveMessage {
        var header = WireHeader()
        header.seq = seq
        header.type = "demo.Note"
        return LiveMessage(header: header, body: Array("body".utf8))
    }
}
