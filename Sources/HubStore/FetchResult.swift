/// The answer to ``JournalStore/fetch(recipient:after:limit:)``.
public struct FetchResult: Sendable {
    /// The messages found, in seq order.
    public var records: [JournalRecord]
    /// The journal's last seq as seen by the same read transaction (0 when empty).
    public var headSeq: UInt64

    /// Creates a fetch result.
    ///
    /// - Parameters:
    ///   - records: The messages found, in seq order.
    ///   - headSeq: The journal's last seq as seen by the same read.
    public init(records: [JournalRecord], headSeq: UInt64) {
        self.records = records
        self.headSeq = headSeq
    }
}
