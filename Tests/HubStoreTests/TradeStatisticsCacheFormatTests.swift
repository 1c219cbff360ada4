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
    @Test func anOlderLayoutIsRebuiltFromTheJournal() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-cache-format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let journal = folder.appendingPathComponent("journal.sqlite").path
        let month = SampleTradeMonth(count: 60, startUs: 1_793_491_200_000_000, seed: 5)
        var store: SQLiteJournalStore? = try SQLiteJournalStore(
            path: journal, logger: Logger(label: "cache-format", factory: { _ in SwiftLogNoOpLogHandler() }))
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
