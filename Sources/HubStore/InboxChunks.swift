import GRDB

/// A recipient's inbox runs after a seq, handed out in chunks of seqs for a fetch
/// (``SQLiteJournalStore``): a run is read from the cursor only when the chunk needs it.
struct InboxChunks {
    private let runs: RowCursor
    private let after: Int64
    /// The ranges of the run being handed out, last first.
    private var pending: [ClosedRange<Int64>] = []
    private var exhausted = false

    /// - Parameters:
    ///   - runs: The recipient's runs, in seq order (``InboxTable/selectRunsAfter``).
    ///   - after: Seqs up to this one are left out.
    init(runs: RowCursor, after: Int64) {
        self.runs = runs
        self.after = after
    }

    /// The next seqs, at most `size`, as ascending ranges; empty when none are left. A run
    /// that cannot be read ends the chunk and comes back as `damaged` (the seqs before it
    /// are still handed out); nothing follows it.
    mutating func next(_ size: Int) -> (seqs: [ClosedRange<Int64>], damaged: (any Error)?) {
        var seqs: [ClosedRange<Int64>] = []
        var taken = 0
        while taken < size {
            guard let range = pending.popLast() else {
                if exhausted { break }
                do {
                    guard let row = try runs.next() else {
                        exhausted = true
                        break
                    }
                    pending = try InboxTable.run(from: row).ranges(after: after).reversed()
                } catch {
                    exhausted = true
                    return (seqs, error)
                }
                continue
            }
            let room = size - taken
            if range.upperBound - range.lowerBound >= Int64(room) {
                Self.append(range.lowerBound...range.lowerBound + Int64(room) - 1, to: &seqs)
                pending.append(range.lowerBound + Int64(room)...range.upperBound)
                taken = size
            } else {
                Self.append(range, to: &seqs)
                taken += Int(range.upperBound - range.lowerBound) + 1
            }
        }
        return (seqs, nil)
    }

    /// Appends `range`, joined to the last range when it follows on (runs of successive
    /// commits often do: one range scan reads them).
    private static func append(_ range: ClosedRange<Int64>, to seqs: inout [ClosedRange<Int64>]) {
        if let last = seqs.last, last.upperBound + 1 == range.lowerBound {
            seqs[seqs.count - 1] = last.lowerBound...range.upperBound
        } else {
            seqs.append(range)
        }
    }

    /// `seqs` as a JSON array of every seq, for `json_each`.
    static func json(_ seqs: [ClosedRange<Int64>]) -> String {
        var text = "["
        var first = true
        for range in seqs {
            for seq in range {
                if !first { text += "," }
                first = false
                text += String(seq)
            }
        }
        return text + "]"
    }
}
