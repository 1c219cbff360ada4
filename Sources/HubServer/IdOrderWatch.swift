import Metrics

/// Counts, per sending party, the messages journaled with an id that sorts before the id of
/// that party's message journaled just before (`swhub_journal_unordered_ids_total{party}`),
/// in byte order: the order of the SQLite journal's index (PostgreSQL's follows its
/// database's collation, which orders UUIDs and numbered keys the same way).
///
/// The journal finds a repeat by `(sender, id)` in an index: ids that sort in the order
/// they are made (UUID version 7, growing business keys) are added at its end, random ones
/// (UUID version 4) anywhere, which costs the hub about three times the disk writes
/// (PROTOCOL.md section 5, BENCHMARKS.md "Message ids"). A party whose ids are random shows
/// about one count for every two messages; one whose ids sort by time, none. Duplicates are not
/// journaled and are not counted.
///
/// Owned by the journal writer's thread.
struct IdOrderWatch {
    /// The id last journaled per party (parties are the configured ones: a bounded set).
    private var last: [String: String] = [:]
    private var counters: [String: Counter] = [:]

    /// Notes the messages of one commit, in journal order; returns how many were counted.
    @discardableResult
    mutating func note(_ messages: some Sequence<(sender: String, id: String)>) -> Int {
        var unordered: [String: Int] = [:]
        for (sender, id) in messages {
            if let previous = last[sender], id.utf8.lexicographicallyPrecedes(previous.utf8) {
                unordered[sender, default: 0] += 1
            }
            last[sender] = id
        }
        for (party, count) in unordered {
            let counter = counters[party] ?? Counter(label: "swhub_journal_unordered_ids_total", dimensions: [("party", party)])
            counters[party] = counter
            counter.increment(by: Int64(count))
        }
        return unordered.values.reduce(0, +)
    }
}
