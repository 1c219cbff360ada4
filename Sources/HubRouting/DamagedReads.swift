import HubStore

/// Reading up to a damaged record. A journal read that meets a record failing its check
/// either reports it (``FetchResult/damaged``) or throws a ``StoreError`` with code
/// `corrupt` and the record's seq; for the second kind, this finds the records before it.
public enum DamagedReads {
    /// Whether an error is a damaged record or page (code `corrupt`).
    ///
    /// - Parameters:
    ///   - error: What a read threw.
    /// - Returns: The store error, if it reports damage.
    public static func damage(in error: any Error) -> StoreError? {
        guard let error = error as? StoreError, error.code == .corrupt else { return nil }
        return error
    }

    /// The longest prefix of a read that succeeds, by halving its limit: the records before
    /// the first damaged one (a read of `limit` records throws when one of them is damaged,
    /// one that stops before it does not). At most about log2(`limit`) + 1 reads.
    ///
    /// - Parameters:
    ///   - limit: The limit of the read that failed.
    ///   - read: The read, with a smaller limit.
    /// - Returns: The records before the damaged one (empty when it is the first).
    public static func readablePrefix(limit: Int, _ read: (Int) throws -> [JournalRecord]) -> [JournalRecord] {
        var good: [JournalRecord] = []
        var low = 0  // a read of `low` records succeeds
        var high = max(limit, 1)  // a read of `high` records fails
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if let records = try? read(middle) {
                good = records
                low = middle
                if records.count < middle { break }  // fewer than asked: the damage is past them
            } else {
                high = middle
            }
        }
        return good
    }
}
