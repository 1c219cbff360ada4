import Foundation
import HubProtocol

/// The ids the bench's senders give their messages: `prefix` (the receivers count their
/// run's ids by it), an id as a client makes it, `-`, and the message's index (read back
/// from an ACCEPTED for the latency histogram).
///
/// The id in the middle is what the Swift SDK makes by default (``TimeOrderedId``, UUID
/// version 7), or, with `swhub bench --random-ids`, a random UUID (version 4) as a client
/// that picks its own ids with `UUID()` would send: those land anywhere in the journal's
/// `(sender, id)` index instead of at its end (BENCHMARKS.md, "Message ids").
enum BenchMessageId {
    /// The kind of id in the middle.
    enum Order: Sendable {
        case timeOrdered
        case random
    }

    /// The ids of messages `0..<count`, made before a run's clock starts, so that making
    /// them is not part of what it measures: 1–2 µs each for time-ordered ids, 4–7 µs for
    /// Foundation's random UUIDs, a large part of a second for 100,000.
    static func make(prefix: String, count: Int, order: Order) -> [String] {
        (0..<count).map { index in
            let id =
                switch order {
                case .timeOrdered: TimeOrderedId.make()
                case .random: UUID().uuidString.lowercased()
                }
            return prefix + id + "-" + String(index)
        }
    }

    /// The index at the end of `id`, if `id` starts with `prefix`.
    static func index(of id: String, prefix: String) -> Int? {
        guard id.hasPrefix(prefix), let dash = id.lastIndex(of: "-") else { return nil }
        return Int(id[id.index(after: dash)...])
    }
}
