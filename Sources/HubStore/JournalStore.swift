import HubLifecycle

/// The hub's durable journal: every accepted message gets a sequence number, and every
/// party's acknowledgement position is kept, so delivery resumes after a restart.
///
/// Implementations are synchronous and safe to call from any thread; a call blocks until
/// the storage answers. One writing instance per journal: the writer keeps the head in
/// memory. Errors are ``StoreError``s.
public protocol JournalStore: Sendable {
    /// Appends the batch in ONE transaction that is durable (fsync'd) when this returns
    /// (group commit), and saves the given acknowledgement positions and progress marks in
    /// the same transaction.
    ///
    /// Each entry gets the next seq, or, if `(sender, id)` is already journaled (earlier,
    /// or earlier in this same batch), its original seq, original recipients and
    /// `duplicate = true`, journaling nothing new.
    ///
    /// - Parameters:
    ///   - batch: The messages to journal, in order.
    ///   - acks: Acknowledgement positions to save, by party (see ``saveAcks(_:)``).
    ///   - progress: Progress marks to log; a mark that does not pass every earlier mark of
    ///     its party and kind is left out (see ``ProgressMark``).
    /// - Returns: One outcome per entry, in batch order.
    func append(_ batch: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]) throws -> [AppendOutcome]

    /// Saves acknowledgement positions durably; a position never moves backwards (the
    /// maximum of the old and the new one is kept).
    ///
    /// - Parameters:
    ///   - acks: Acknowledgement positions, by party.
    func saveAcks(_ acks: [String: UInt64]) throws

    /// Every party's durable acknowledgement position.
    ///
    /// - Returns: The positions, by party.
    func ackPositions() throws -> [String: UInt64]

    /// Messages addressed to `recipient` with seq > `after`, in seq order, at most `limit`.
    ///
    /// - Parameters:
    ///   - recipient: The party the messages are addressed to.
    ///   - after: Only messages with a greater seq are returned.
    ///   - limit: The most messages to return; 0 or less returns none.
    /// - Returns: The messages and the journal's head as seen by the same read.
    func fetch(recipient: String, after: UInt64, limit: Int) throws -> FetchResult

    /// How many messages addressed to `recipient` have a seq > `after`: its backlog when
    /// `after` is its acknowledgement position. Counts over the (recipient, seq) index.
    ///
    /// - Parameters:
    ///   - recipient: The party the messages are addressed to.
    ///   - after: Only messages with a greater seq are counted.
    /// - Returns: The count.
    func pendingCount(recipient: String, after: UInt64) throws -> Int

    /// Messages addressed to `recipient` of the given types with seq > `after`, in seq
    /// order, at most `limit`: what a replay of one party's stream reads.
    ///
    /// - Parameters:
    ///   - recipient: The party the messages are addressed to.
    ///   - after: Only messages with a greater seq are returned.
    ///   - limit: The most messages to return; 0 or less returns none.
    ///   - types: Only messages of these types; empty means every type.
    /// - Returns: The messages and the journal's head as seen by the same read.
    func fetch(recipient: String, after: UInt64, limit: Int, types: [String]) throws -> FetchResult

    /// The seq of the first message journaled at or after a time. `journaled_at_us` never
    /// decreases with seq (the writer never stamps a batch earlier than the one before), so
    /// this is a binary search over seq.
    ///
    /// - Parameters:
    ///   - us: The time, microseconds since the Unix epoch.
    /// - Returns: That seq, or the head + 1 when every message was journaled earlier (or the
    ///   journal is empty).
    func firstSeq(journaledAtOrAfter us: Int64) throws -> UInt64

    /// One message by seq.
    ///
    /// - Parameters:
    ///   - seq: The message's sequence number.
    /// - Returns: The message, or `nil` if there is none with that seq.
    func record(seq: UInt64) throws -> JournalRecord?

    /// One message by `(sender, id)`.
    ///
    /// - Parameters:
    ///   - sender: The party that sent the message.
    ///   - id: The sender's message id.
    /// - Returns: The message, or `nil` if it was never journaled.
    func record(sender: String, id: String) throws -> JournalRecord?

    /// Messages of the given types with seq > `after`, in seq order, at most `limit`: what a
    /// reader of some types (the hub's flows, rebuilding after a restart) pages through.
    ///
    /// - Parameters:
    ///   - types: The message types wanted.
    ///   - after: Only messages with a greater seq are returned.
    ///   - limit: The most messages to return.
    /// - Returns: The messages.
    func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord]

    /// The messages of `sender` whose ids start with `prefix`, in seq order.
    ///
    /// - Parameters:
    ///   - sender: The party that sent them.
    ///   - prefix: The start of their ids.
    /// - Returns: The messages.
    func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord]

    /// The last journaled seq (0 when empty).
    ///
    /// - Returns: The head of the journal.
    func headSeq() throws -> UInt64

    /// The store's own background work while a hub writes to it (SQLite's WAL checkpoints),
    /// to run in the hub's `ServiceGroup` before the parts that use the store, so that it
    /// stops after them. Empty by default.
    var services: [ThreadLoopService] { get }
}

extension JournalStore {
    /// No background work.
    public var services: [ThreadLoopService] { [] }

    /// Appends the batch and saves acknowledgement positions, logging no progress marks.
    ///
    /// - Parameters:
    ///   - batch: The messages to journal, in order.
    ///   - acks: Acknowledgement positions to save, by party.
    /// - Returns: One outcome per entry, in batch order.
    public func append(_ batch: [JournalAppend], acks: [String: UInt64]) throws -> [AppendOutcome] {
        try append(batch, acks: acks, progress: [])
    }
}
