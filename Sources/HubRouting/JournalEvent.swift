import HubStore

/// What the journal reports back to the router: the outcome of a group commit or of a read
/// the router asked for (`RouterAction`).
public enum JournalEvent: Sendable {
    /// A group commit is durable: one outcome per submission, in order.
    case committed([PendingSubmission], [AppendOutcome])
    /// A group commit failed: nothing of it was journaled.
    case commitFailed([PendingSubmission], reason: String)
    /// A group commit could not reach the journal's database (`StoreError.unavailable`):
    /// it may or may not have been journaled; submitters are told to resubmit later.
    case commitUnavailable([PendingSubmission], reason: String)
    /// Records journaled by other writers sharing the journal (other hub nodes, or a commit
    /// of this hub whose answer was lost), in seq order, each exactly once and before any
    /// later record this hub journals.
    case journaledElsewhere([JournalRecord])
    /// Other writers journaled records up to this seq that could not be handed over as
    /// records (one was damaged, or the read failed): sessions read them from the journal.
    case headAdvanced(UInt64)
    /// This node took the flows' lease (true) or lost it (false).
    case flowLeadership(Bool)
    /// A session's fetch: the records in seq order and the journal's head seen by the read.
    case fetched(session: UInt64, records: [JournalRecord], headSeq: UInt64)
    /// A session's fetch met a damaged record (`error.code == .corrupt`): `records` are the
    /// ones before it (deliverable), `error.seq` the damaged record's seq when the journal
    /// knows it (nil: a damaged page, no seq). Nothing at or after the damage is delivered.
    case damaged(session: UInt64, records: [JournalRecord], headSeq: UInt64, error: StoreError)
    /// A session's fetch failed.
    case fetchFailed(session: UInt64, reason: String)
    /// Where a replay from a time begins (its first seq), and the journal's head then.
    case located(session: UInt64, firstSeq: UInt64, headSeq: UInt64)
}
