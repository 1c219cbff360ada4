/// How many messages (or deliveries) share one key: one line of `swhub stats`.
public struct JournalCount: Sendable, Equatable {
    /// What ``JournalQueries/counts(by:)`` groups by.
    public enum Grouping: String, Sendable, CaseIterable {
        /// Messages by type.
        case type
        /// Messages by sender.
        case sender
        /// Deliveries owed, by recipient: each message counts once for every distinct
        /// party among its recipients (one inbox entry per recipient and message).
        case recipient
        /// Messages by the UTC day they were journaled, as `YYYY-MM-DD`: the day of
        /// `journaled_at_us / 1_000_000` (whole seconds, truncated) since the Unix epoch.
        case day
    }

    /// The type, sender, recipient or day; a party for an acknowledgement position.
    public var key: String
    /// How many; the position for an acknowledgement position.
    public var count: Int

    /// Creates a count.
    ///
    /// - Parameters:
    ///   - key: What is counted.
    ///   - count: How many.
    public init(key: String, count: Int) {
        self.key = key
        self.count = count
    }
}
