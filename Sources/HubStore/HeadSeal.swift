/// The last durable step of a SQLite group commit: writing the head record (``HeadRecord``)
/// that says how far the journal has committed. ``SQLiteJournalStore/append(_:acks:progress:)``
/// writes it before it returns; ``HeadSealing/appendUnsealed(_:acks:progress:)`` hands it to
/// the caller, so that it can run beside the next commit (the hub's journal writer does), and
/// the caller acknowledges the batch only once ``write()`` returned.
///
/// Seals must be written in commit order, by one thread at a time; a later seal covers the
/// earlier ones (its mark is the higher head), so of several pending seals only the last
/// needs writing.
public struct HeadSeal: Sendable {
    let record: HeadRecord
    let mark: HeadRecord.Mark

    /// The head seq this seal records.
    public var seq: UInt64 { mark.seq }

    /// Writes the head record and waits until it is on disk (`fdatasync`).
    /// - Throws: ``StoreError`` `writeFailed`: the batch is in the journal, but the record
    ///   could not be written.
    public func write() throws {
        do {
            try record.write(mark)
        } catch let error as StoreError {
            throw StoreError(code: .writeFailed, reason: "the batch was committed, but " + error.reason)
        }
    }
}

/// A store whose commits end with a ``HeadSeal`` that may be written beside the next commit.
public protocol HeadSealing: JournalStore {
    /// ``JournalStore/append(_:acks:progress:)`` without its last step: the batch is durable
    /// in the journal when this returns, but may be acknowledged only after the returned seal
    /// was written (nil when the batch moved no head: duplicates, acks and marks only).
    func appendUnsealed(_ batch: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]) throws -> (
        outcomes: [AppendOutcome], seal: HeadSeal?
    )
}
