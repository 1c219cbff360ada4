/// The primitive reads of a journal that the operators' commands build on (``JournalInspector``:
/// `swhub status`, `swhub stats`, `swhub trace`, the monitor's trace), one implementation per
/// store backend (``SQLiteJournalQueries`` for a journal file).
///
/// Implementations only read: they never write, migrate or take locks a hub would wait on,
/// so they are safe beside a running hub. Calls are synchronous and safe from any thread;
/// each call reads one consistent state of the journal (see ``snapshot(_:)`` for several).
///
/// **Errors** are ``StoreError``s: `readFailed` when the storage cannot be read; `corrupt`
/// for damage.
///
/// **Records are checked.** Every record a method returns is checked against its stored
/// checksum (``RecordChecksum``) first. A record whose content no longer gives its stored
/// checksum, that has no checksum, or with a stored value of the wrong type (a time that is
/// not an integer) is damaged: the call then returns nothing and throws
/// `StoreError(code: .corrupt, reason: "journal record seq N fails its checksum: <why>", seq: N)`
/// for the first damaged record (lowest seq) among those it would have returned; a seq that
/// cannot be read at all throws `corrupt` without a seq. The SQLite implementation also reads
/// journals written before checksums (schema v4), whose records it returns unchecked. A
/// stored seq or position that is negative throws `corrupt`.
///
/// **Order.** Text compares bytewise, by UTF-8 code units (SQLite's `BINARY` collation;
/// PostgreSQL's `COLLATE "C"`).
public protocol JournalQueries: Sendable {
    /// The message `(sender, id)`, checked.
    ///
    /// - Parameters:
    ///   - sender: The party that sent it.
    ///   - id: The sender's message id.
    /// - Returns: The record, or nil if it was never journaled.
    func record(sender: String, id: String) throws -> JournalRecord?

    /// The seq of the message `(sender, id)`, as the dedup index (`UNIQUE(sender, id)`)
    /// holds it: the record itself is neither read nor checked, so a damaged record still
    /// answers.
    ///
    /// - Parameters:
    ///   - sender: The party that sent it.
    ///   - id: The sender's message id.
    /// - Returns: Its seq, or nil if it was never journaled.
    func seq(sender: String, id: String) throws -> UInt64?

    /// The messages of `sender` whose ids start with `prefix` (bytewise; the empty prefix
    /// matches every id), in ascending seq, all of them, checked: one range of the
    /// (sender, id) index, `id >= prefix AND id < prefix + "\u{10FFFF}"`.
    ///
    /// - Parameters:
    ///   - sender: The party that sent them.
    ///   - prefix: The start of their ids.
    /// - Returns: The records.
    func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord]

    /// The smallest sender, bytewise, greater than `sender` among the journal's messages:
    /// the walk over every sender (start from `""`) through the (sender, id) index,
    /// `SELECT min(sender) FROM messages WHERE sender > $1`.
    ///
    /// - Parameters:
    ///   - sender: The sender to start after.
    /// - Returns: The next sender, or nil when none follows.
    func nextSender(after sender: String) throws -> String?

    /// The messages whose type is one of `types` with seq > `after`, in ascending seq, at
    /// most `limit` (the first `limit` of them), checked: one page of a reader of some types.
    ///
    /// - Parameters:
    ///   - types: The message types wanted; empty returns none.
    ///   - after: Only messages with a greater seq are returned.
    ///   - limit: The most messages to return; 0 or less returns none.
    /// - Returns: The records.
    func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord]

    /// The messages whose correlation id is `correlationId`, in ascending seq, all of them,
    /// checked (the answers, receipts and feedback about message `correlationId`).
    ///
    /// - Parameters:
    ///   - correlationId: A message id; the empty id returns none.
    /// - Returns: The records.
    func records(correlationId: String) throws -> [JournalRecord]

    /// The progress mark (``ProgressMark``) of `party` and `kind` with the smallest seq
    /// that is ≥ `seq`: the mark that first covered message `seq`.
    ///
    /// - Parameters:
    ///   - party: The party whose mark it is.
    ///   - kind: Deliveries or acknowledgements.
    ///   - seq: The position to reach.
    /// - Returns: The mark, or nil when there is none, or the journal keeps no progress log
    ///   (a SQLite journal no hub of schema v3 on has opened).
    func progressMark(party: String, kind: ProgressMark.Kind, atOrAfter seq: UInt64) throws -> ProgressMark?

    /// How many messages (or deliveries) there are per key of `grouping`, one entry per key
    /// that has any, in ascending key order. No record is read whole, so none is checked.
    ///
    /// - Parameters:
    ///   - grouping: What to group by.
    /// - Returns: The counts.
    func counts(by grouping: JournalCount.Grouping) throws -> [JournalCount]

    /// Every party's durable acknowledgement position (parties that never acknowledged
    /// have none).
    ///
    /// - Returns: The positions, by party.
    func ackPositions() throws -> [String: UInt64]

    /// The highest journaled seq, 0 when the journal is empty.
    ///
    /// - Returns: The head seq.
    func headSeq() throws -> UInt64

    /// Runs `body` with queries that all read one consistent state of the journal (one
    /// read transaction: SQLite's deferred read, PostgreSQL's `REPEATABLE READ READ ONLY`),
    /// so that reads built of many calls (a trace) see no message journaled in between.
    /// The queries given to `body` are valid only during the call. The default runs `body`
    /// with `self` (each call then reads on its own, still never a torn record).
    ///
    /// - Parameters:
    ///   - body: The reads.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws (errors other than ``StoreError`` as `readFailed`), or
    ///   `readFailed` when the read cannot start.
    func snapshot<R>(_ body: (any JournalQueries) throws -> R) throws -> R
}

extension JournalQueries {
    /// Runs `body` with `self`: no snapshot beyond each call's own.
    public func snapshot<R>(_ body: (any JournalQueries) throws -> R) throws -> R {
        try body(self)
    }
}
