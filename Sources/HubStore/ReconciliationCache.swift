import HubCore

/// The folded ``Reconciliation`` (数据相互印证), kept in the trade statistics' cache file in
/// a table of its own (`reconciliation`) and brought up to the journal's head on each
/// ``update(from:rebuild:)``.
public struct ReconciliationCache: Sendable {
    let cache: JournalFoldCache<Reconciliation>

    /// Opens (or creates) the cache file.
    ///
    /// - Throws: ``StoreError`` `openFailed`.
    public init(path: String) throws {
        cache = try JournalFoldCache(path: path, table: "reconciliation", row: "reconcile", what: "reconciliation")
    }

    /// Brings the reconciliation to the journal's head and saves it.
    ///
    /// - Parameters:
    ///   - inspector: The journal.
    ///   - rebuild: Fold the whole journal again (a journal behind the cache is rebuilt too).
    /// - Throws: ``StoreError`` (`readFailed`, `corrupt`: run with `rebuild`).
    public func update(from inspector: JournalInspector, rebuild: Bool) throws -> JournalFoldCache<Reconciliation>.Update {
        try cache.update(from: inspector, rebuild: rebuild)
    }
}
