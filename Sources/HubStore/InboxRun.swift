import HubProtocol

/// One row of the journal's `inbox_runs` table (schema v8): the seqs of one recipient's
/// messages from one commit (or one slice of an upgraded or restored inbox), as ascending
/// ranges.
///
/// The row holds the first and last seq, the count and the ranges' bytes. Those bytes are,
/// for each range in order, two unsigned LEB128 varints: the gap before it (its first seq
/// minus the previous range's last seq minus 1, the previous of the first range being
/// `firstSeq - 1`, so the first gap is 0 and every other one at least 1) and its length
/// minus 1. A commit of a 1 → 5 fan-out is one range per recipient: four bytes or so.
///
/// Runs of one recipient never overlap: each commit's seqs follow the last commit's.
struct InboxRun: Sendable, Equatable {
    /// The recipient.
    var recipient: String
    /// The seqs, as ascending ranges with a gap between each two; never empty.
    private(set) var ranges: [ClosedRange<Int64>]

    /// The most seqs one run holds (a commit larger than that, the v8 upgrade and a restore
    /// write several), so that serving one run never decodes an unbounded row.
    static let maxSeqs = 4096

    /// A run of ranges that are ascending, non-empty, with a gap between each two; nil otherwise.
    init?(recipient: String, ranges: [ClosedRange<Int64>]) {
        guard let first = ranges.first, first.lowerBound > 0 else { return nil }
        var previous = first
        for range in ranges.dropFirst() {
            guard previous.upperBound < Int64.max - 1, range.lowerBound > previous.upperBound + 1 else { return nil }
            previous = range
        }
        self.recipient = recipient
        self.ranges = ranges
    }

    /// The first seq.
    var firstSeq: Int64 { ranges[0].lowerBound }
    /// The last seq (the row's key with the recipient).
    var lastSeq: Int64 { ranges[ranges.count - 1].upperBound }
    /// How many seqs.
    var count: Int { ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 } }

    /// Whether `seq` is one of the run's.
    func contains(_ seq: Int64) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < seq { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].contains(seq)
    }

    /// The ranges cut to the seqs after `after`.
    func ranges(after: Int64) -> [ClosedRange<Int64>] {
        ranges.compactMap { range in
            range.upperBound <= after ? nil : max(range.lowerBound, after + 1)...range.upperBound
        }
    }

    /// How many seqs come after `after`.
    func count(after: Int64) -> Int {
        ranges(after: after).reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 }
    }

    /// The run without the seqs of `cut`: what is left before it and after it (either nil
    /// when nothing is).
    func removing(_ cut: ClosedRange<Int64>) -> (before: InboxRun?, after: InboxRun?) {
        var before: [ClosedRange<Int64>] = []
        var after: [ClosedRange<Int64>] = []
        for range in ranges {
            if range.lowerBound < cut.lowerBound { before.append(range.lowerBound...min(range.upperBound, cut.lowerBound - 1)) }
            if range.upperBound > cut.upperBound { after.append(max(range.lowerBound, cut.upperBound + 1)...range.upperBound) }
        }
        return (InboxRun(recipient: recipient, ranges: before), InboxRun(recipient: recipient, ranges: after))
    }

    /// The ranges' bytes, as the row stores them.
    var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ranges.count * 3)
        var previousEnd = firstSeq - 1
        for range in ranges {
            Varint.append(UInt64(range.lowerBound - previousEnd - 1), to: &bytes)
            Varint.append(UInt64(range.upperBound - range.lowerBound), to: &bytes)
            previousEnd = range.upperBound
        }
        return bytes
    }

    /// The run a row stores, checked against the row's first seq, last seq and count; nil
    /// when they do not agree or the bytes are not ranges (a damaged row).
    static func decode(recipient: String, firstSeq: Int64, lastSeq: Int64, count: Int64, bytes: UnsafeRawBufferPointer) -> InboxRun? {
        guard firstSeq > 0, lastSeq >= firstSeq, lastSeq < Int64.max, count > 0, count <= lastSeq - firstSeq + 1 else { return nil }
        var ranges: [ClosedRange<Int64>] = []
        var offset = 0
        var previousEnd = firstSeq - 1
        var total: Int64 = 0
        while offset < bytes.count {
            guard let gap = readVarint(bytes, &offset), let length = readVarint(bytes, &offset),
                gap <= UInt64(lastSeq - previousEnd), length <= UInt64(lastSeq - previousEnd)
            else { return nil }
            let start = previousEnd + 1 + Int64(gap)
            guard ranges.isEmpty ? gap == 0 : gap > 0, start <= lastSeq - Int64(length) else { return nil }
            let end = start + Int64(length)
            ranges.append(start...end)
            total += Int64(length) + 1
            previousEnd = end
        }
        guard previousEnd == lastSeq, total == count else { return nil }
        return InboxRun(recipient: recipient, ranges: ranges)
    }

    /// An unsigned LEB128 varint of at most 10 bytes, without a redundant last byte.
    private static func readVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            guard shift < 64, shift < 63 || byte <= 1 else { return nil }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return byte == 0 && shift > 0 ? nil : value }
            shift += 7
        }
        return nil
    }
}
