/// What became of one ``JournalAppend``.
public struct AppendOutcome: Sendable, Equatable {
    /// The message's sequence number: a new one, or the original one for a duplicate.
    public var seq: UInt64
    /// Whether `(sender, id)` was already journaled, so nothing new was written.
    public var duplicate: Bool
    /// The recipients as journaled (the original ones for a duplicate).
    public var recipients: [String]
    /// When the message was journaled, in microseconds since the Unix epoch
    /// (the original time for a duplicate).
    public var journaledAtUs: Int64

    /// Creates an outcome.
    ///
    /// - Parameters:
    ///   - seq: The message's sequence number.
    ///   - duplicate: Whether the message was already journaled.
    ///   - recipients: The recipients as journaled.
    ///   - journaledAtUs: When the message was journaled, in microseconds since the epoch.
    public init(seq: UInt64, duplicate: Bool, recipients: [String], journaledAtUs: Int64) {
        self.seq = seq
        self.duplicate = duplicate
        self.recipients = recipients
        self.journaledAtUs = journaledAtUs
    }
}
