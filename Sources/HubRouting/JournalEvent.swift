import HubStore

/// What the journal reports back to the router: the outcome of a group commit or of a read
/// the router asked for (`RouterAction`).
public enum JournalEvent: Sendable {
    /// A group commit is durable: one outcome per submission, in order.
    case committed([PendingSubmission], [AppendOutcome])
    /// A group commit failed: nothing of it was journaled.
    case commitFailed([PendingSubmission], reason: String)
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
