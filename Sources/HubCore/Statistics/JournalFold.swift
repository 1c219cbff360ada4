/// A state folded from journal records in seq order and kept between calls (the trade
/// statistics, the reconciliation): a fresh value, the record types it reads, the last seq
/// it folded, and the fold itself (records at or before ``lastSeq`` are skipped).
public protocol JournalFold: Sendable, Codable {
    /// The message types the fold reads.
    static var types: [String] { get }
    /// The last seq folded.
    var lastSeq: UInt64 { get }
    /// Nothing folded yet.
    init()
    /// Folds one record; records must come in seq order.
    mutating func fold(_ record: TradeStatistics.Record)
    /// The layout of the saved state, as its `format` field holds it (nil: no such field,
    /// the first layout). A cache holding another layout is folded again from the journal.
    static var stateFormat: Int? { get }
}

extension JournalFold {
    public static var stateFormat: Int? { nil }
}

extension TradeStatistics: JournalFold {
    public static var stateFormat: Int? { currentFormat }
}
extension Reconciliation: JournalFold {}
