import HubCore

/// A fold the statistics cache file (beside the journal) keeps in a table of its own: the
/// table, the row's name in it, and what the fold is, for messages. One
/// ``JournalFoldCache/init(path:)`` opens any of them.
public protocol CachedJournalFold: JournalFold {
    /// The table's name (letters and `_`).
    static var cacheTable: String { get }
    /// The row's name in the table.
    static var cacheRow: String { get }
    /// What the fold is, for messages (`statistics`).
    static var cacheWhat: String { get }
}

extension JournalFoldCache where State: CachedJournalFold {
    /// Opens (or creates) the cache file and the fold's table.
    ///
    /// - Throws: ``StoreError`` `openFailed`.
    public init(path: String) throws {
        try self.init(path: path, table: State.cacheTable, row: State.cacheRow, what: State.cacheWhat)
    }
}

extension TradeStatistics: CachedJournalFold {
    public static let cacheTable = "trade_statistics"
    public static let cacheRow = "trade"
    public static let cacheWhat = "statistics"
}

extension Reconciliation: CachedJournalFold {
    public static let cacheTable = "reconciliation"
    public static let cacheRow = "reconcile"
    public static let cacheWhat = "reconciliation"
}

extension RiskStatistics: CachedJournalFold {
    public static let cacheTable = "risk_hits"
    public static let cacheRow = "risk"
    public static let cacheWhat = "risk hits"
}

/// The folded ``Reconciliation`` (数据相互印证), in the statistics cache file's
/// `reconciliation` table, brought up to the journal's head on each update.
public typealias ReconciliationCache = JournalFoldCache<Reconciliation>

/// The folded ``RiskStatistics`` (风险防控: the risk rules' hits), in the statistics cache
/// file's `risk_hits` table, brought up to the journal's head on each update.
public typealias RiskStatisticsCache = JournalFoldCache<RiskStatistics>
