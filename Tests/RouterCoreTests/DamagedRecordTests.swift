import HubProtocol
import HubRouting
import HubStore
import HubTestSupport
import Testing

/// A damaged journal record is never served: the stream stops before it with one
/// `502 JOURNAL_DAMAGED`, is read again only every 30 s (a repaired record resumes it), and
/// is counted once; failed reads back off. Other parties go on.
@Suite("RouterCore: damaged records and failed reads")
struct DamagedRecordTests {
    /// A router that reads every catch-up from the journal, as one restarted after its
    /// records were written does (it holds none of them in memory; `RecentDeliveryTests`).
    static func readingTheJournal() throws -> RouterHarness {
        try TestConfig.harness(hub: ["recent_delivery_bytes: 0"])
    }

    /// Six notes to customs (seqs 1...6) and a query to bank (7); seq 4 damaged.
    static func journalWithDamage() throws -> RouterHarness {
        let hub = try Self.readingTheJournal()
        let sender = hub.connect("enterprise")
        for index in 1...6 { hub.submit(sender, id: "n-\(index)") }
        hub.submit(sender, id: "b-1", type: "demo.Query", to: ["bank"])
        hub.store.damage(seq: 4)
        return hub
    }

    /// Lets `duration` pass in steps of 200 ms, the peers PINGing (the heartbeat is 500 ms).
    static func pass(_ duration: Duration, _ hub: RouterHarness, pinging peers: [HarnessPeer]) {
        var left = duration
        while left > .zero {
            let step = min(left, .milliseconds(200))
            for peer in peers { hub.ping(peer) }
            hub.advance(by: step)
            left -= step
        }
    }

    @Test func streamStopsBeforeTheDamagedRecordAndResumesOnceRepaired() throws {
        let hub = try Self.journalWithDamage()
        let customs = hub.connect("customs")
        hub.hello(customs)
        #expect(customs.deliveredSeqs == [1, 2, 3])
        #expect(customs.errors.map(\.code) == [HubErrorCode.journalDamaged.rawValue])
        #expect(customs.errors.first?.reason.contains("seq 4") == true)
        #expect(customs.errors.first?.reason.contains("swhub verify") == true)
        #expect(hub.notes.filter { $0 == .journalDamaged(seq: 4) }.count == 1)
        #expect(hub.core.damagedSeqs == [4])

        // No tight loop: nothing is read again before the 30 s retry, live messages included.
        let fetches = hub.fetches
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "n-live")
        Self.pass(.seconds(20), hub, pinging: [customs])
        #expect(hub.fetches == fetches)
        #expect(customs.deliveredSeqs == [1, 2, 3])
        hub.ack(customs, 3)
        #expect(customs.errors.count == 1)

        // The retry meets the same damage: no new ERROR, no new count.
        Self.pass(.seconds(11), hub, pinging: [customs])
        #expect(hub.fetches == fetches + 1)
        #expect(customs.errors.count == 1)
        #expect(hub.notes.filter { $0 == .journalDamaged(seq: 4) }.count == 1)

        // Repaired: the next retry resumes the stream, in order, with nothing skipped.
        hub.store.repair(seq: 4)
        Self.pass(.seconds(31), hub, pinging: [customs])
        #expect(customs.deliveredSeqs == [1, 2, 3, 4, 5, 6, 8])
        #expect(customs.errors.count == 1)
    }

    @Test func otherRecipientsAndSubmissionsAreUnaffected() throws {
        let hub = try Self.journalWithDamage()
        let customs = hub.connect("customs")
        hub.hello(customs)
        let bank = hub.connect("bank")
        hub.hello(bank)
        #expect(bank.deliveredSeqs == [7])
        #expect(bank.errors.isEmpty)
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "b-2", type: "demo.Query", to: ["bank"])
        #expect(sender.accepted.last?.seq == 8)
        #expect(bank.deliveredSeqs == [7, 8])
        #expect(customs.deliveredSeqs == [1, 2, 3])
    }

    @Test func replayEndsAtTheDamagedSeqWithTheSameError() throws {
        let hub = try Self.journalWithDamage()
        let replayer = hub.connect("customs")
        var request = WireReplay()
        request.fromSeq = 1
        hub.replay(replayer, request)
        #expect(replayer.deliveredSeqs == [1, 2, 3])
        #expect(replayer.errors.map(\.code) == [HubErrorCode.journalDamaged.rawValue])
        #expect(replayer.replayStatuses.map(\.phase) == [.started])
        let fetches = hub.fetches
        Self.pass(.seconds(60), hub, pinging: [replayer])
        #expect(hub.fetches == fetches, "an ended replay reads nothing more")
        #expect(replayer.errors.count == 1)
    }

    @Test func failedReadsBackOffAndTellTheClientOnce() throws {
        let hub = try Self.readingTheJournal()
        let sender = hub.connect("enterprise")
        for index in 1...3 { hub.submit(sender, id: "n-\(index)") }
        let customs = hub.connect("customs")
        var failures = 0
        // Every fetch fails: retries come at 20 ms, 40 ms, 80 ms, ... never faster.
        hub.store.inject(.nextFetch)
        hub.hello(customs)
        failures += 1
        for _ in 0..<600 {
            let before = hub.fetches
            hub.store.inject(.nextFetch)
            hub.ping(customs)
            hub.advance(by: .milliseconds(50))
            if hub.fetches > before { failures += 1 }
        }
        // 30 s of failures: about a dozen attempts (20 ms doubling to 30 s), not ~1,500.
        #expect(failures <= 16, "\(failures) attempts in 30 s")
        #expect(customs.errors.map(\.code) == [HubErrorCode.journalFailure.rawValue])
        #expect(customs.deliveredSeqs.isEmpty)
        // The journal reads again: delivery resumes at the next retry.
        Self.pass(.seconds(61), hub, pinging: [customs])
        #expect(customs.deliveredSeqs == [1, 2, 3])
    }

    /// A malformed page (SQLITE_CORRUPT, no seq): 502 once, retries back off, nothing counted
    /// as a damaged record; the stream resumes when the page reads again.
    @Test func damagedPageWithoutSeqBacksOffAndTellsOnce() throws {
        let hub = try Self.readingTheJournal()
        let sender = hub.connect("enterprise")
        for index in 1...3 { hub.submit(sender, id: "n-\(index)") }
        let customs = hub.connect("customs")
        hub.store.inject(.nextFetchDamagedPage)
        hub.hello(customs)
        var attempts = 1
        for _ in 0..<200 {
            let before = hub.fetches
            hub.store.inject(.nextFetchDamagedPage)
            hub.ping(customs)
            hub.advance(by: .milliseconds(50))
            if hub.fetches > before { attempts += 1 }
        }
        // 10 s of damage: retries at 20 ms doubling (9 or so), not 500.
        #expect(attempts <= 12, "\(attempts) attempts in 10 s")
        #expect(customs.errors.map(\.code) == [HubErrorCode.journalDamaged.rawValue])
        #expect(customs.errors.first?.reason.contains("malformed") == true)
        #expect(hub.core.damagedSeqs.isEmpty)
        let counted = hub.notes.contains { note in
            if case .journalDamaged = note { return true }
            return false
        }
        #expect(!counted)
        Self.pass(.seconds(61), hub, pinging: [customs])
        #expect(customs.deliveredSeqs == [1, 2, 3])
    }

    @Test func readablePrefixStopsBeforeTheDamagedRecord() throws {
        let store = InMemoryJournalStore()
        let appends = (1...5).map { index in
            JournalAppend(
                sender: "enterprise", id: "x-\(index)", type: "demo.Note", recipients: ["customs"], correlationId: "", createdAtUs: 1,
                body: [])
        }
        _ = try store.append(appends, acks: [:], progress: [])
        store.damage(seq: 3)
        #expect(throws: StoreError.self) { try store.records(types: ["demo.Note"], after: 0, limit: 10) }
        let prefix = DamagedReads.readablePrefix(limit: 10) { try store.records(types: ["demo.Note"], after: 0, limit: $0) }
        #expect(prefix.map(\.seq) == [1, 2])
        let none = DamagedReads.readablePrefix(limit: 10) { try store.records(types: ["demo.Note"], after: 2, limit: $0) }
        #expect(none.isEmpty)
    }
}
