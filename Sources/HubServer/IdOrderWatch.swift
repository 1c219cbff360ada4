import Foundation
import HubStore
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

    /// Notes the journaled messages of one commit, in journal order: `appends` with their
    /// `outcomes` (one each, paired in order), duplicates left out. Returns how many were counted.
    ///
    /// The dictionary of last ids is read and written only where the sender changes, not per
    /// message (the first version, per message, took about 2 % of the hub's CPU in a 1 → 5
    /// fan-out).
    @discardableResult
    mutating func note(_ appends: [JournalAppend], _ outcomes: [AppendOutcome]) -> Int {
        var sender: String?
        var lastId: String?
        var unordered: [String: Int] = [:]
        for index in 0..<min(appends.count, outcomes.count) where !outcomes[index].duplicate {
            // Fields read in place: a copy of the whole append would retain all it holds.
            let (party, id) = (appends[index].sender, appends[index].id)
            if party != sender {
                if let sender { last[sender] = lastId }
                sender = party
                lastId = last[party]
            }
            if let previous = lastId, Self.sortsBefore(id, previous) { unordered[party, default: 0] += 1 }
            lastId = id
        }
        if let sender { last[sender] = lastId }
        for (party, count) in unordered {
            let counter = counters[party] ?? Counter(label: "swhub_journal_unordered_ids_total", dimensions: [("party", party)])
            counters[party] = counter
            counter.increment(by: Int64(count))
        }
        return unordered.values.reduce(0, +)
    }

    /// Whether `id` sorts before `previous` in byte order (memcmp, then the shorter first).
    static func sortsBefore(_ id: String, _ previous: String) -> Bool {
        var id = id
        var previous = previous
        return id.withUTF8 { a in
            previous.withUTF8 { b in
                let common = min(a.count, b.count)
                let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
                return order < 0 || (order == 0 && a.count < b.count)
            }
        }
    }
}
