import Foundation
import HubClient
import HubCore
import HubProtocol
import HubServer
import HubStore
import HubTestSupport
import Logging
import Testing
import ZeroMQ

/// A tap subscriber that never reads: the hub goes on accepting and delivering everything,
/// and the copies it cannot queue are counted, in `TapBatch.dropped` of later batches and in
/// `Hub.tapStatistics()`. The hub runs in this process (over the same real sockets, config
/// and journal files as `swhub serve`) so that its statistics can be read.
@Suite("Monitoring tap: slow subscribers and statistics")
struct TapDropTests {
    /// A hub in this process over the files (config, keys, journal) of `files`, not started.
    static func makeHub(_ files: TestHub) throws -> Hub {
        let config = try HubConfig.load(path: files.configPath)
        var logger = Logger(label: "test.tap")
        logger.logLevel = .error
        return try Hub(
            config: config, keyPair: Hub.loadKeyPair(path: config.settings.keyFile),
            store: SQLiteJournalStore(path: config.settings.journal, logger: logger), logger: logger)
    }

    /// ``makeHub(_:)``, started.
    static func startHub(_ files: TestHub) throws -> Hub {
        let hub = try makeHub(files)
        hub.start()
        return hub
    }

    @Test func nothingIsCopiedWhileNobodySubscribes() async throws {
        let files = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])], tapQueue: 100)
        let hub = try Self.startHub(files)
        defer { hub.stop() }
        let platform = try files.client("platform")
        defer { platform.close() }
        let before = try await platform.submit(type: "demo.Note", body: Array("unwatched".utf8))
        #expect(before.recipients == 1)
        // Statistics are published on the tap thread's next turn: one more subscription
        // change gives a fresh snapshot, and no message was handed over before it.
        let tap = try HubTap(configuration: files.clientConfiguration("customs"), party: "customs")
        try tap.subscribe("demo.Note/")
        try tap.subscribe("demo.Query/")
        try await waitUntil(.seconds(20), "the tap did not apply the subscriptions") {
            hub.tapStatistics()?.observers["customs"]?.subscriptions == 2
        }
        #expect(hub.tapStatistics()?.messages == 0)
        let watched = try await platform.submit(type: "demo.Note", body: Array("watched".utf8))
        #expect(try tap.read(until: watched.seq).map(\.header.seq) == [watched.seq])
        #expect(hub.tapStatistics()?.observers["customs"]?.published == 1)

        // An explicit cancellation, then leaving: the party has no subscription any more.
        try tap.unsubscribe("demo.Query/")
        try await waitUntil(.seconds(20), "the cancellation was not applied") {
            hub.tapStatistics()?.observers["customs"]?.subscriptions == 1
        }
        tap.close()
        try await waitUntil(.seconds(20), "the departed subscriber's subscription was not removed") {
            hub.tapStatistics()?.observers["customs"]?.subscriptions == 0
        }
        let handed = hub.tapStatistics()?.messages
        _ = try await platform.submit(type: "demo.Note", body: Array("unwatched again".utf8))
        // A new subscriber's subscription orders the check after that submission's commit.
        let next = try HubTap(configuration: files.clientConfiguration("customs"), party: "customs")
        try next.subscribe()
        try await waitUntil(.seconds(20), "the tap did not apply the new subscription") {
            hub.tapStatistics()?.observers["customs"]?.subscriptions == 1
        }
        #expect(hub.tapStatistics()?.messages == handed)
        #expect(hub.tapStatistics()?.observers["customs"]?.published == 1)
    }

    @Test func aSubscriberThatNeverReadsLosesCopiesButNeverSlowsTheHub() async throws {
        let files = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])], tapQueue: 4)
        let hub = try Self.startHub(files)
        defer { hub.stop() }
        #expect(try hub.tapEndpoint() == files.tapEndpoint)

        // The slow subscriber: a queue of one message and a small kernel buffer, never read.
        let context = try ZMQContext()
        defer { context.shutdown() }
        let slow = try ZMQSocket(context: context, type: .sub)
        defer { slow.close() }
        try slow.makeCurveClient(keyPair: files.partyKeys["customs"]!, serverPublicKey: files.tapKeys!.publicKey)
        try slow.linger(ms: 0)
        try slow.receiveHighWaterMark(1)
        try slow.kernelReceiveBuffer(4096)
        try slow.connect(files.tapEndpoint!)
        try slow.subscribe(Array("customs/".utf8))
        try await waitUntil(.seconds(20), "the tap did not apply the subscription") {
            hub.tapStatistics()?.observers["customs"]?.subscriptions == 1
        }

        let customs = try files.client("customs", receive: true)
        let platform = try files.client("platform")
        defer {
            customs.close()
            platform.close()
        }
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        let body = [UInt8](repeating: 0x5A, count: 16 * 1024)
        var submitted: [UInt64] = []
        // Until the tap has dropped copies (kernel buffers absorb a few MB first).
        for batch in 0..<60 where (hub.tapStatistics()?.observers["customs"]?.dropped ?? 0) == 0 {
            let messages = (0..<100).map { OutgoingMessage(type: "demo.Note", body: body, id: "slow-\(batch)-\($0)") }
            for result in await platform.submit(inOrder: messages) { submitted.append(try result.get().seq) }
            try await waitUntil(.seconds(20), "the tap did not take every message") {
                let figures = hub.tapStatistics()?.observers["customs"]
                return (figures?.published ?? 0) + (figures?.dropped ?? 0) == UInt64(submitted.count)
            }
        }
        let figures = try #require(hub.tapStatistics()?.observers["customs"])
        #expect(figures.dropped > 0)
        #expect(figures.published > 0)
        #expect(figures.published + figures.dropped == UInt64(submitted.count))
        // Everything was accepted and delivered all the same.
        let delivered = try await inbox.wait(for: submitted.count, within: .seconds(60))
        #expect(delivered.map(\.seq) == submitted)

        // Once the subscriber reads, later copies reach it and say how many it lost.
        try slow.receiveTimeout(ms: 200)
        var copies: [(header: WireHeader, dropped: UInt64)] = []
        for round in 0..<200 where !copies.contains(where: { $0.dropped >= figures.dropped }) {
            submitted.append(try await platform.submit(type: "demo.Note", body: Array("after \(round)".utf8)).seq)
            while let frames = try slow.receiveMultipart() {
                let batch = try WireTapBatch(serializedBytes: frames[1].bytes)
                copies += batch.copies.map { (header: $0.header, dropped: batch.dropped) }
            }
        }
        // (Copies queued between two drops carry the count of their time.)
        let later = try #require(copies.first { $0.dropped >= figures.dropped })
        let total = try #require(hub.tapStatistics()?.observers["customs"])
        #expect(later.dropped <= total.dropped)
        #expect(copies.map(\.dropped) == copies.map(\.dropped).sorted())
        // The copies received are in seq order, and some before `later` are missing.
        let seqs = copies.map(\.header.seq)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        let first = try #require(seqs.first)
        let sent = submitted.filter { $0 >= first && $0 <= later.header.seq }
        #expect(seqs.filter { $0 <= later.header.seq }.count < sent.count)
    }
}
