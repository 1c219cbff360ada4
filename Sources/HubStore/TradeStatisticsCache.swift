import Foundation
import GRDB
import HubCore

/// The trade statistics kept beside the journal in a SQLite file of their own (the journal's
/// schema is untouched): the folded ``TradeStatistics`` and the last seq folded. Each
/// ``update(from:rebuild:)`` folds only what the journal gained since, read through a
/// ``JournalInspector`` (safe beside a running hub, on either store).
public struct TradeStatisticsCache: Sendable {
    let queue: DatabaseQueue

    /// What an update did.
    public struct Update: Sendable {
        public var statistics: TradeStatistics
        /// Records folded by this update.
        public var folded: Int
        /// Whether it started over from the journal's first record.
        public var rebuilt: Bool
    }

    /// The layout field of a saved state; absent (nil) in the first layout.
    struct FormatProbe: Decodable {
        var format: Int?
    }

    /// Opens (or creates) the cache file.
    ///
    /// - Throws: ``StoreError`` `openFailed`.
    public init(path: String) throws {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS trade_statistics (
                            name TEXT PRIMARY KEY NOT NULL, last_seq INTEGER NOT NULL, state BLOB NOT NULL)
                        """)
            }
        } catch {
            throw StoreError(code: .openFailed, reason: "cannot open the statistics cache \(path): \(error)")
        }
    }

    /// Brings the statistics to the journal's head and saves them.
    ///
    /// - Parameters:
    ///   - inspector: The journal.
    ///   - rebuild: Fold the whole journal again instead of what it gained. A journal whose
    ///     head is behind the cache's last seq (restored, replaced), and a cache saved in
    ///     another layout (``TradeStatistics/currentFormat``), are rebuilt as well.
    /// - Throws: ``StoreError`` (`readFailed` from the journal, `corrupt` for an unreadable
    ///   cache row: run with `rebuild`).
    public func update(from inspector: JournalInspector, rebuild: Bool) throws -> Update {
        try queue.write { db in
            let head = try inspector.headSeq()
            var statistics = TradeStatistics()
            var rebuilt = true
            if !rebuild, let row = try Row.fetchOne(db, sql: "SELECT state FROM trade_statistics WHERE name = 'trade'") {
                let data: Data = row[0]
                // A cache of another layout (an older build's) is folded again from the journal.
                let format: Int?
                do {
                    format = try JSONDecoder().decode(FormatProbe.self, from: data).format
                    if format == TradeStatistics.currentFormat {
                        statistics = try JSONDecoder().decode(TradeStatistics.self, from: data)
                    }
                } catch {
                    throw StoreError(code: .corrupt, reason: "the statistics cache is unreadable (rebuild it): \(error)")
                }
                rebuilt = format != TradeStatistics.currentFormat || statistics.lastSeq > head
                if rebuilt { statistics = TradeStatistics() }
            }
            var folded = 0
            var after = statistics.lastSeq
            reading: while after < head {
                let page = try inspector.records(types: TradeStatistics.types, after: after, limit: 5000)
                guard let last = page.last else { break }
                after = last.seq
                for record in page {
                    guard record.seq <= head else { break reading }
                    statistics.fold(
                        TradeStatistics.Record(
                            seq: record.seq, type: record.type, sender: record.sender, id: record.id,
                            journaledAtUs: record.journaledAtUs, body: record.body))
                    folded += 1
                }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try db.execute(
                sql: "INSERT OR REPLACE INTO trade_statistics (name, last_seq, state) VALUES ('trade', ?, ?)",
                arguments: [Int64(clamping: statistics.lastSeq), try encoder.encode(statistics)])
            return Update(statistics: statistics, folded: folded, rebuilt: rebuilt)
        }
    }
}
