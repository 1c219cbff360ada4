/// The answer to ``JournalStore/fetch(recipient:after:limit:)``.
public struct FetchResult: Sendable {
    /// The messages found, in seq order; when ``damaged`` is set, those before it.
    public var records: [JournalRecord]
    /// The journal's last seq as seen by the same read transaction (0 when empty).
    public var headSeq: UInt64
    /// Set when the read met a record that failed its check (code `corrupt`, with the
    /// record's seq when known): the read stopped there, and ``records`` holds only the
    /// records before it. A damaged record is never returned.
    public var damaged: StoreError?

    /// Creates a fetch result.
    ///
    /// - Parameters:
    ///   - records: The messages found, in seq order.
    ///   - headSeq: The journal's last seq as seen by the same read.
    ///   - damaged: The damaged record the read stopped at, if any.
    public init(records: [JournalRecord], headSeq: UInt64, damaged: StoreError? = nil) {
        self.records = records
        self.headSeq = headSeq
        self.damaged = damaged
    }
}
