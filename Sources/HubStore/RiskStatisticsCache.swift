import HubCore

/// The folded ``RiskStatistics`` (风险防控: the risk rules' hits), kept in the trade statistics' cache file in
/// a table of its own (`risk_hits`) and brought up to the journal's head on each
/// ``update(from:rebuild:)``.
public struct RiskStatisticsCache: Sendable {
    let cache: JournalFoldCache<RiskStatistics>

    /// Opens (or creates) the cache file.
    ///
    /// - Throws: ``StoreError`` `openFailed`.
    public init(path: String) throws {
        cache = try JournalFoldCache(path: path, table: "risk_hits", row: "risk", what: "risk hits")
    }

    /// Brings the risk hits to the journal's head and saves it.
    ///
    /// - Parameters:
    ///   - inspector: The journal.
    ///   - rebuild: Fold the whole journal again (a journal behind the cache is rebuilt too).
    /// - Throws: ``StoreError`` (`readFailed`, `corrupt`: run with `rebuild`).
    public func update(from inspector: JournalInspector, rebuild: Bool) throws -> JournalFoldCache<RiskStatistics>.Update {
        try cache.update(from: inspector, rebuild: rebuild)
    }
}
