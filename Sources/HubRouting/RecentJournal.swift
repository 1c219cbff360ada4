import HubCore

/// The messages this router journaled last, in memory: a receiving session that fell behind
/// (its live queue overflowed, or it reconnected shortly after) catches up from here instead
/// of from the journal, as long as its position is within what is held.
///
/// A fan-out's recipients fall behind together: read from the journal, each of them read and
/// decoded the same records again on the reader thread. From here, each gets the message as
/// committed (the body frame as received, shared), exactly like a live delivery.
///
/// Invariant: while ``floor`` is set, every journaled message with a recipient and a seq above
/// it is held, in seq order. That holds because the router sees this node's commits in seq order and is
/// their only writer; the first record journaled elsewhere (another node of a cluster) ends it
/// for good (``invalidate()``), and the hub reads from the journal as before.
struct RecentJournal: Sendable {
    struct Entry: Sendable {
        let seq: UInt64
        /// Emptied when the entry is let go of, so that its memory goes at once, not when
        /// the array is next compacted.
        var recipients: [String]
        var payload: Outgoing?
        let bytes: Int
    }

    /// What one message is counted as beyond its body: its header, recipients and frame
    /// objects and their allocations. Measured: a hub holding 8 MiB or 32 MiB of 100-byte
    /// messages counted at 256 bytes each grew by about 1.2 KB per message held.
    static let entryOverheadBytes = 1280

    /// Most bytes held (bodies plus ``entryOverheadBytes`` each); 0 holds nothing.
    let byteLimit: Int
    private(set) var entries: [Entry] = []
    private var head = 0
    private(set) var bytes = 0
    /// Every message journaled with a seq above this is held; nil: nothing can be served
    /// (nothing held yet, or the journal has other writers).
    private(set) var floor: UInt64?
    private var ended = false

    init(byteLimit: Int) {
        self.byteLimit = max(0, byteLimit)
    }

    /// Messages held.
    var count: Int { entries.count - head }

    /// A message this router just journaled, with the recipients the journal names.
    mutating func append(seq: UInt64, recipients: [String], message: LiveMessage) {
        // A message to nobody is never fetched: it need not be held.
        guard byteLimit > 0, !ended, !recipients.isEmpty else { return }
        if let last = count > 0 ? entries[entries.count - 1].seq : floor, seq <= last {
            // Out of order: never expected from one writer, and never served around.
            invalidate()
            return
        }
        if floor == nil { floor = seq - 1 }
        let size = message.body.count + Self.entryOverheadBytes
        entries.append(Entry(seq: seq, recipients: recipients, payload: .live(message), bytes: size))
        bytes += size
        while bytes > byteLimit, count > 0 { evictOldest() }
    }

    /// Stops serving for good: the journal has other writers, whose records this router
    /// learns of separately and may not hold.
    mutating func invalidate() {
        forget()
        ended = true
    }

    /// Lets go of everything held, and holds again from the next message journaled: what
    /// is held no longer matches the journal's reading of it (an enterprise's personal
    /// fields were shredded), so catch-ups before that next message read the journal.
    /// After ``invalidate()`` nothing is held, and nothing will be.
    mutating func forget() {
        floor = nil
        entries = []
        head = 0
        bytes = 0
    }

    /// `party`'s messages with a seq above `after`, at most `limit`, in seq order, and the
    /// seq up to which they are complete; nil when `after` is older than what is held.
    func fetch(party: String, after: UInt64, limit: Int) -> (items: [(seq: UInt64, payload: Outgoing)], head: UInt64)? {
        guard let floor, after >= floor, limit > 0 else { return nil }
        var items: [(seq: UInt64, payload: Outgoing)] = []
        var index = firstIndex(after: after)
        while index < entries.count, items.count < limit {
            // Read in place: copying each entry scanned would retain its recipients and payload.
            if entries[index].recipients.contains(party), let payload = entries[index].payload {
                items.append((entries[index].seq, payload))
            }
            index += 1
        }
        let complete = count > 0 ? entries[entries.count - 1].seq : floor
        return (items, max(complete, after))
    }

    /// The index of the first held message with a seq above `after`.
    private func firstIndex(after: UInt64) -> Int {
        var low = head
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].seq <= after { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func evictOldest() {
        bytes -= entries[head].bytes
        floor = entries[head].seq
        entries[head].payload = nil
        entries[head].recipients = []
        head += 1
        if head >= 4096 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
