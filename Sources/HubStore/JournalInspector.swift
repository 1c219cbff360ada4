/// The operators' reads of a journal (`swhub status`, `swhub stats`, `swhub trace`, the
/// monitor's trace), built on the primitive reads of ``JournalQueries`` so that they work on
/// every store backend. Read-only, safe beside a running hub.
public final class JournalInspector: Sendable {
    /// The journal's reads.
    let queries: any JournalQueries

    /// Counts of messages grouped by one column.
    public typealias Count = JournalCount

    /// Reads the journal through `queries`.
    ///
    /// - Parameters:
    ///   - queries: The backend's reads.
    public init(queries: any JournalQueries) {
        self.queries = queries
    }

    /// Opens the SQLite journal file at `path` read-only (``SQLiteJournalQueries``).
    ///
    /// - Parameters:
    ///   - path: The journal file.
    /// - Throws: ``StoreError`` `openFailed` when the file is missing or not a journal.
    public convenience init(path: String) throws {
        self.init(queries: try SQLiteJournalQueries(path: path))
    }

    /// The messages of `sender` whose ids start with `prefix`, in seq order.
    public func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        try queries.records(sender: sender, idPrefix: prefix)
    }

    /// Every message of `type`, in seq order, from `after` on, at most `limit`.
    public func records(type: String, after: UInt64, limit: Int) throws -> [JournalRecord] {
        try queries.records(types: [type], after: after, limit: limit)
    }

    /// Every message of one of `types`, in seq order, from `after` on, at most `limit`.
    public func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        try queries.records(types: types, after: after, limit: limit)
    }

    /// Messages by type.
    public func countsByType() throws -> [Count] {
        try queries.counts(by: .type)
    }

    /// Messages by sender.
    public func countsBySender() throws -> [Count] {
        try queries.counts(by: .sender)
    }

    /// Deliveries owed, by recipient (one per message addressed to it).
    public func countsByRecipient() throws -> [Count] {
        try queries.counts(by: .recipient)
    }

    /// Messages by UTC day (YYYY-MM-DD) of journaling.
    public func countsByDay() throws -> [Count] {
        try queries.counts(by: .day)
    }

    /// Every party's acknowledgement position, by party (bytewise order).
    public func ackPositions() throws -> [Count] {
        try queries.ackPositions()
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { Count(key: $0.key, count: Int(clamping: $0.value)) }
    }

    /// The journal's head seq.
    public func headSeq() throws -> UInt64 {
        try queries.headSeq()
    }

    /// The first progress mark of `party` and `kind` at or past `seq`.
    public func progressMark(party: String, kind: ProgressMark.Kind, atOrAfter seq: UInt64) throws -> ProgressMark? {
        try queries.progressMark(party: party, kind: kind, atOrAfter: seq)
    }
}
