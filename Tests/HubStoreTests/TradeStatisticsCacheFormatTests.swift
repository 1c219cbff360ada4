import FlowSamples
import Foundation
import GRDB
import HubCore
import HubStore
import Logging
import Testing

/// The statistics cache across a change of its layout: a state saved by an older build (no
/// `format`, no `refusals`) is folded again from the journal, not refused and not read
/// wrong; an unreadable row is still `corrupt`.
@Suite("Trade statistics cache format")
struct TradeStatisticsCacheFormatTests {
    /// A journal of `month`'s records at `path`.
    static func journal(_ path: String, _ month: SampleTradeMonth) throws {
        var store: SQLiteJournalStore? = try SQLiteJournalStore(
            path: path, logger: Logger(label: "cache-format", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try store?.appendStamped(
            month.records.map { record in
                (
                    JournalAppend(
                        sender: record.sender, id: record.id, type: record.type, recipients: record.recipients, correlationId: "",
                        createdAtUs: record.journaledAtUs, body: record.body),
                    record.journaledAtUs
                )
            })
        store = nil
    }

    /// A cache folded from another journal (copied beside this one, or this journal restored
    /// or replaced) is folded again from this journal: it was trusted as long as its last seq
    /// was not past the head, and gave the other journal's figures plus this one's newer
    /// records.
    @Test func aCacheFoldedFromAnotherJournalIsRebuilt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-cache-other-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (small, large) = (folder.appendingPathComponent("small.sqlite").path, folder.appendingPathComponent("large.sqlite").path)
        try Self.journal(small, SampleTradeMonth(count: 30, startUs: 1_790_000_000_000_000, seed: 11))
        try Self.journal(large, SampleTradeMonth(count: 60, startUs: 1_793_491_200_000_000, seed: 5))
        let fresh = try TradeStatisticsCache(path: folder.appendingPathComponent("fresh.sqlite").path)
            .update(from: try JournalInspector(path: large), rebuild: false)
        let cache = try TradeStatisticsCache(path: folder.appendingPathComponent("cache.sqlite").path)
        let fromSmall = try cache.update(from: try JournalInspector(path: small), rebuild: false)
        #expect(fromSmall.statistics.lastSeq < fresh.statistics.lastSeq)
        let onLarge = try cache.update(from: try JournalInspector(path: large), rebuild: false)
        #expect(onLarge.rebuilt, "the cache of another journal was trusted")
        #expect(onLarge.statistics == fresh.statistics)
        let next = try cache.update(from: try JournalInspector(path: large), rebuild: false)
        #expect(!next.rebuilt && next.folded == 0)
    }

    @Test func anOlderLayoutIsRebuiltFromTheJournal() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-cache-format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let journal = folder.appendingPathComponent("journal.sqlite").path
        let month = SampleTradeMonth(count: 60, startUs: 1_793_491_200_000_000, seed: 5)
        try Self.journal(journal, month)
        let cachePath = folder.appendingPathComponent("cache.sqlite").path
        let cache = try TradeStatisticsCache(path: cachePath)
        let first = try cache.update(from: try JournalInspector(path: journal), rebuild: false)
        let refused = month.filings.filter { $0.fate == .refused }.count
        #expect(first.rebuilt && first.statistics.format == TradeStatistics.currentFormat)
        #expect(first.statistics.refusals.values.reduce(0) { $0 + $1.values.reduce(0, +) } >= refused)

        // The first layout: the same state without `format` and `refusals`, at the head.
        let queue = try DatabaseQueue(path: cachePath)
        try queue.write { db in
            let data: Data = try Data.fetchOne(db, sql: "SELECT state FROM trade_statistics WHERE name = 'trade'")!
            var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            object["format"] = nil
            object["refusals"] = nil
            try db.execute(
                sql: "UPDATE trade_statistics SET state = ? WHERE name = 'trade'",
                arguments: [try JSONSerialization.data(withJSONObject: object)])
        }
        let again = try cache.update(from: try JournalInspector(path: journal), rebuild: false)
        #expect(again.rebuilt, "an older layout is folded again")
        #expect(again.statistics == first.statistics)
        let next = try cache.update(from: try JournalInspector(path: journal), rebuild: false)
        #expect(!next.rebuilt && next.folded == 0)

        try queue.write { db in
            try db.execute(sql: "UPDATE trade_statistics SET state = ? WHERE name = 'trade'", arguments: [Data("not json".utf8)])
        }
        #expect(throws: StoreError.self) { try cache.update(from: try JournalInspector(path: journal), rebuild: false) }
        #expect(try cache.update(from: try JournalInspector(path: journal), rebuild: true).statistics == first.statistics)
    }
}
