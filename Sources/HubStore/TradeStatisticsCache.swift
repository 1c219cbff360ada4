import HubCore

/// The trade statistics kept beside the journal in a SQLite file of their own (the journal's
/// schema is untouched): the folded ``TradeStatistics`` and the last seq folded. Each
/// ``update(from:rebuild:)`` folds only what the journal gained since, read through a
/// ``JournalInspector`` (safe beside a running hub, on either store).
public struct TradeStatisticsCache: Sendable {
    let cache: JournalFoldCache<TradeStatistics>

    /// What an update did.
    public struct Update: Sendable {
        public var statistics: TradeStatistics
        /// Records folded by this update.
        public var folded: Int
        /// Whether it started over from the journal's first record.
        public var rebuilt: Bool
    }

    /// Opens (or creates) the cache file.
    ///
    /// - Throws: ``StoreError`` `openFailed`.
    public init(path: String) throws {
        cache = try JournalFoldCache(path: path)
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
        let update = try cache.update(from: inspector, rebuild: rebuild)
        return Update(statistics: update.state, folded: update.folded, rebuilt: update.rebuilt)
    }
}
