import HubCore
import HubProtocol
import HubRouting
import HubTestSupport
import Testing

/// SUBMIT_BATCH (PROTOCOL.md section 16): read as a whole, each entry checked as a SUBMIT,
/// the accepted ones journaled in one transaction, one ACCEPTED_BATCH answering all.
@Suite("RouterCore: batches")
struct BatchTests {
    typealias Entry = (header: WireHeader, body: [UInt8])

    static func entry(_ id: String, type: String = "demo.Note", body: String = "body") -> Entry {
        (RouterHarness.header(id: id, type: type), Array(body.utf8))
    }

    @Test func eachEntryIsAnsweredInOrderAndABadOneIsRefusedAlone() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        let customs = hub.connect("customs")
        hub.hello(customs)
        hub.submitBatch(
            sender, batch: 7, [Self.entry("a", body: "first"), Self.entry("b", type: "demo.Nope"), Self.entry("c", body: "third")])
        let answers = sender.acceptedBatches
        try #require(answers.count == 1)
        #expect(sender.replies.count == 1, "one answer for the whole batch")
        #expect(answers[0].batch == 7)
        let results = answers[0].results
        try #require(results.count == 3)
        #expect(results[0].accepted.id == "a" && results[0].accepted.seq == 1 && !results[0].accepted.duplicate)
        #expect(results[0].accepted.recipients == 1)
        #expect(results[1].error.code == HubErrorCode.unknownType.rawValue && results[1].error.id == "b")
        #expect(results[2].accepted.id == "c" && results[2].accepted.seq == 2)
        #expect(hub.commits == [2], "the batch's accepted entries in one commit")
        // Delivered as any submission: each body its own, byte for byte.
        #expect(customs.deliveries.map(\.header.id) == ["a", "c"])
        #expect(customs.deliveries.map(\.body) == [Array("first".utf8), Array("third".utf8)])
        #expect(customs.deliveries.allSatisfy { $0.header.sender == "enterprise" })
    }

    @Test func aBatchIsNeverSplitAcrossCommits() throws {
        let hub = try TestConfig.harness()
        hub.batchMax = 2
        let sender = hub.connect("enterprise")
        hub.journalsAutomatically = false
        hub.submit(sender, id: "single-1")
        hub.submitBatch(sender, batch: 1, (0..<5).map { Self.entry("e\($0)") })
        hub.submit(sender, id: "single-2")
        hub.runJournal()
        // The limit of 2 would cut the batch after its first entry: the commit takes it whole.
        #expect(hub.commits == [6, 1])
        #expect(sender.acceptedBatches.first?.results.map(\.accepted.seq) == [2, 3, 4, 5, 6])
    }

    @Test func idsRepeatedInABatchOrFromBeforeAreDuplicates() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        hub.submit(sender, id: "old")
        hub.submitBatch(sender, batch: 2, [Self.entry("x"), Self.entry("old"), Self.entry("x"), Self.entry("y")])
        let results = try #require(sender.acceptedBatches.first).results
        #expect(results.map(\.accepted.seq) == [2, 1, 2, 3])
        #expect(results.map(\.accepted.duplicate) == [false, true, true, false])
        #expect(try hub.store.headSeq() == 3)
    }

    @Test func aBatchWhoseEntriesAreAllRefusedIsAnsweredAtOnce() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        hub.journalsAutomatically = false
        hub.submitBatch(sender, batch: 3, [Self.entry("", body: "x"), Self.entry("big", body: String(repeating: "b", count: 2000))])
        let results = try #require(sender.acceptedBatches.first).results
        #expect(results.map(\.error.code) == [HubErrorCode.missingId.rawValue, HubErrorCode.bodyTooLarge.rawValue])
        #expect(hub.queuedForJournal == 0)
    }

    @Test func aFailedCommitAnswersEachAcceptedEntryWithTheFailure() throws {
        let store = InMemoryJournalStore()
        let hub = try RouterHarness(config: TestConfig.config(), store: store)
        let sender = hub.connect("enterprise")
        store.inject(.nextAppend)
        hub.submitBatch(sender, batch: 4, [Self.entry("p"), Self.entry("q", type: "demo.Nope")])
        let results = try #require(sender.acceptedBatches.first).results
        #expect(results.map(\.error.code) == [HubErrorCode.journalFailure.rawValue, HubErrorCode.unknownType.rawValue])
        #expect(results[0].error.id == "p")
        #expect(try store.headSeq() == 0)
    }

    /// What makes a batch unreadable as a batch: one ERROR naming its number, nothing journaled.
    @Test func malformedBatchesAreRefusedWhole() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        var cases: [(frames: [[UInt8]], code: HubErrorCode)] = []
        // No entries.
        cases.append((RouterHarness.submitBatchFrames(batch: 10, []), .badBatch))
        // More entries than allowed.
        cases.append(
            (RouterHarness.submitBatchFrames(batch: 11, (0...WireProtocol.maxBatchEntries).map { Self.entry("n\($0)") }), .badBatch))
        // Sizes that do not add up to the bodies frame.
        var short = RouterHarness.submitBatchFrames(batch: 12, [Self.entry("s1"), Self.entry("s2")])
        short[1].removeLast()
        cases.append((short, .badBatch))
        // Not one size per header.
        var submit = WireSubmitBatch()
        submit.batch = 13
        submit.headers = [Self.entry("h1").header, Self.entry("h2").header]
        submit.bodySizes = [4]
        var command = WireCommand()
        command.version = 2
        command.kind = .submitBatch(submit)
        cases.append(([try command.serializedBytes(), Array("body".utf8)], .badBatch))
        // No bodies frame.
        cases.append(([RouterHarness.submitBatchFrames(batch: 14, [Self.entry("w")])[0]], .wrongFrameCount))
        // A bodies frame over max_batch_bytes (this config allows 1024-byte bodies: 1 MiB).
        let huge = (0..<2).map { _ in Self.entry("big", body: String(repeating: "z", count: 600_000)) }
        cases.append((RouterHarness.submitBatchFrames(batch: 15, huge), .bodyTooLarge))
        for (index, item) in cases.enumerated() {
            sender.clear()
            hub.send(sender, item.frames)
            #expect(sender.errors.map(\.code) == [item.code.rawValue], "case \(index)")
            #expect(sender.errors.first?.batch == UInt64(10 + index), "case \(index)")
            #expect(sender.acceptedBatches.isEmpty)
        }
        #expect(try hub.store.headSeq() == 0)
    }

    @Test func aBatchNeedsVersion2() throws {
        let hub = try TestConfig.harness()
        let sender = hub.connect("enterprise")
        hub.send(sender, RouterHarness.submitBatchFrames(batch: 1, [Self.entry("v1")], version: 1))
        #expect(sender.errors.map(\.code) == [HubErrorCode.unexpectedCommand.rawValue])
        #expect(try hub.store.headSeq() == 0)
    }

    @Test func welcomeTellsTheBatchLimitsAndVersion2IsSpokenEverywhere() throws {
        let hub = try TestConfig.harness()
        let peer = hub.connect("enterprise")
        var hello = WireHello()
        hello.receive = false
        var command = WireCommand()
        command.version = 2
        command.kind = .hello(hello)
        hub.send(peer, [try command.serializedBytes()])
        let welcome = try #require(peer.welcomes.first)
        #expect(welcome.protocolVersion == 2)
        #expect(welcome.maxBatchEntries == UInt32(WireProtocol.maxBatchEntries))
        #expect(welcome.maxBatchBytes == UInt32(1 << 20))
        // A version-2 SUBMIT is a SUBMIT.
        hub.send(peer, RouterHarness.submitFrames(id: "two", version: 2))
        #expect(peer.accepted.map(\.id) == ["two"])
    }

    @Test func busyJournalRefusesEachEntryWith301() throws {
        let hub = try TestConfig.harness(hub: ["max_pending: 2"])
        let sender = hub.connect("enterprise")
        hub.journalsAutomatically = false
        hub.submitBatch(sender, batch: 1, (0..<3).map { Self.entry("f\($0)") })
        hub.submitBatch(sender, batch: 2, [Self.entry("late")])
        #expect(sender.acceptedBatches.map(\.batch) == [2])
        #expect(sender.acceptedBatches.first?.results.map(\.error.code) == [HubErrorCode.hubBusy.rawValue])
        hub.runJournal()
        let first = try #require(sender.acceptedBatches.first { $0.batch == 1 })
        // The entries read while the queue had room are accepted; the one after it filled is busy.
        #expect(first.results.map(\.accepted.seq) == [1, 2, 0])
        #expect(first.results[2].error.code == HubErrorCode.hubBusy.rawValue)
    }
}
