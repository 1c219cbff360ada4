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

    /// One commit's pass: the party of the messages being read and its last id, so that the
    /// dictionary is read and written only where the sender changes, not per message (the
    /// first version, per message, took about 2 % of the hub's CPU in a 1 → 5 fan-out).
    private struct Pass {
        var sender: String?
        var lastId: String?
        var unordered: [String: Int] = [:]
    }

    /// Notes the journaled messages of one commit, in journal order: `appends` with their
    /// `outcomes` (one each, paired in order), duplicates left out. Returns how many were counted.
    @discardableResult
    mutating func note(_ appends: [JournalAppend], _ outcomes: [AppendOutcome]) -> Int {
        var pass = Pass()
        for index in 0..<min(appends.count, outcomes.count) where !outcomes[index].duplicate {
            observe(sender: appends[index].sender, id: appends[index].id, in: &pass)
        }
        return finish(pass)
    }

    /// Notes the messages of one commit, in journal order; returns how many were counted.
    @discardableResult
    mutating func note(_ messages: some Sequence<(sender: String, id: String)>) -> Int {
        var pass = Pass()
        for (sender, id) in messages { observe(sender: sender, id: id, in: &pass) }
        return finish(pass)
    }

    private mutating func observe(sender: String, id: String, in pass: inout Pass) {
        if sender != pass.sender {
            if let previous = pass.sender { last[previous] = pass.lastId }
            pass.sender = sender
            pass.lastId = last[sender]
        }
        if let previous = pass.lastId, Self.sortsBefore(id, previous) { pass.unordered[sender, default: 0] += 1 }
        pass.lastId = id
    }

    private mutating func finish(_ pass: Pass) -> Int {
        if let sender = pass.sender { last[sender] = pass.lastId }
        for (party, count) in pass.unordered {
            let counter = counters[party] ?? Counter(label: "swhub_journal_unordered_ids_total", dimensions: [("party", party)])
            counters[party] = counter
            counter.increment(by: Int64(count))
        }
        return pass.unordered.values.reduce(0, +)
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
