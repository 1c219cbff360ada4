/// Gathers the inbox runs of a commit (or of a whole inbox being rewritten): seqs are
/// added in ascending order with their recipients, and come out as one ``InboxRun`` per
/// recipient, or several when one would pass `maxSeqs`.
struct InboxRunBuilder {
    private let maxSeqs: Int
    /// Per recipient, in the order first seen: its finished runs and its open ranges.
    private var recipients: [String] = []
    private var slots: [String: Int] = [:]
    private var open: [[ClosedRange<Int64>]] = []
    private var openCounts: [Int] = []
    private var finished: [InboxRun] = []

    /// - Parameter maxSeqs: The most seqs in one run.
    init(maxSeqs: Int = InboxRun.maxSeqs) {
        self.maxSeqs = max(maxSeqs, 1)
    }

    /// Adds `seq` to each recipient's inbox (a recipient named twice gets it once).
    /// Seqs must be added in ascending order.
    mutating func add(_ seq: Int64, recipients named: [String]) {
        for recipient in named { add(seq, recipient: recipient) }
    }

    /// Adds `seq` to `recipient`'s inbox (once, however often it is added).
    mutating func add(_ seq: Int64, recipient: String) {
        let slot: Int
        if let known = slots[recipient] {
            slot = known
        } else {
            slot = recipients.count
            slots[recipient] = slot
            recipients.append(recipient)
            open.append([])
            openCounts.append(0)
        }
        if let last = open[slot].last {
            if seq <= last.upperBound { return }
            if openCounts[slot] >= maxSeqs {
                close(slot)
            } else if seq == last.upperBound + 1 {
                open[slot][open[slot].count - 1] = last.lowerBound...seq
                openCounts[slot] += 1
                return
            }
        }
        open[slot].append(seq...seq)
        openCounts[slot] += 1
    }

    /// The runs; each recipient's come in seq order.
    mutating func runs() -> [InboxRun] {
        for slot in recipients.indices { close(slot) }
        return finished
    }

    private mutating func close(_ slot: Int) {
        if let run = InboxRun(recipient: recipients[slot], ranges: open[slot]) { finished.append(run) }
        open[slot] = []
        openCounts[slot] = 0
    }
}
