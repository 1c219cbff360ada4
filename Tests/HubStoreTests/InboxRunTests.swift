import Testing

@testable import HubStore

@Suite("Inbox runs: ranges, bytes and the builder")
struct InboxRunTests {
    private static func decode(_ run: InboxRun, bytes: [UInt8]? = nil, count: Int64? = nil, firstSeq: Int64? = nil) -> InboxRun? {
        (bytes ?? run.encoded).withUnsafeBytes { raw in
            InboxRun.decode(
                recipient: run.recipient, firstSeq: firstSeq ?? run.firstSeq, lastSeq: run.lastSeq,
                count: count ?? Int64(run.count), bytes: raw)
        }
    }

    @Test func runsReadBackAsWritten() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var ranges: [ClosedRange<Int64>] = []
            var next = Int64.random(in: 1...1_000_000_000_000, using: &generator)
            for _ in 0..<Int.random(in: 1...40, using: &generator) {
                let end = next + Int64.random(in: 0...300, using: &generator)
                ranges.append(next...end)
                next = end + Int64.random(in: 2...100_000, using: &generator)
            }
            let run = try #require(InboxRun(recipient: "bob", ranges: ranges))
            #expect(Self.decode(run) == run)
        }
    }

    @Test func oneCommitOfAFanOutIsAFewBytes() throws {
        let run = try #require(InboxRun(recipient: "bob", ranges: [1_000_001...1_000_500]))
        #expect(run.encoded == [0, 0xf3, 0x03])
        #expect(run.count == 500)
    }

    @Test func rangesThatTouchOverlapOrAreEmptyAreNoRun() {
        #expect(InboxRun(recipient: "bob", ranges: []) == nil)
        #expect(InboxRun(recipient: "bob", ranges: [1...3, 4...5]) == nil)
        #expect(InboxRun(recipient: "bob", ranges: [1...3, 2...5]) == nil)
        #expect(InboxRun(recipient: "bob", ranges: [5...6, 1...2]) == nil)
        #expect(InboxRun(recipient: "bob", ranges: [0...2]) == nil)
        #expect(InboxRun(recipient: "bob", ranges: [1...2, 4...4]) != nil)
    }

    @Test func damagedRowsAreRefused() throws {
        let run = try #require(InboxRun(recipient: "bob", ranges: [10...12, 20...20, 30...35]))
        let bytes = run.encoded
        #expect(Self.decode(run, bytes: Array(bytes.dropLast())) == nil, "truncated")
        #expect(Self.decode(run, bytes: bytes + [0, 0]) == nil, "a range past the last seq")
        #expect(Self.decode(run, count: 9) == nil, "a count that is not the ranges'")
        #expect(Self.decode(run, firstSeq: 11) == nil, "a first seq that is not the first range's")
        #expect(Self.decode(run, bytes: [0x80, 0x00] + bytes.dropFirst()) == nil, "an overlong varint")
        #expect(Self.decode(run, bytes: [1] + bytes.dropFirst()) == nil, "a first gap that is not 0")
        // 10...12 then 13...13: touching ranges are never written.
        let touching: [UInt8] = [0, 2, 0, 0]
        #expect(touching.withUnsafeBytes { InboxRun.decode(recipient: "bob", firstSeq: 10, lastSeq: 13, count: 4, bytes: $0) } == nil)
        #expect(
            ([0, 3] as [UInt8]).withUnsafeBytes { InboxRun.decode(recipient: "bob", firstSeq: 10, lastSeq: 13, count: 4, bytes: $0) } != nil
        )
        #expect(Self.decode(run, bytes: Array(repeating: 0xff, count: 12)) == nil, "a varint past 64 bits")
        #expect(Self.decode(run, bytes: []) == nil)
    }

    @Test func membershipCountsAndCuts() throws {
        let run = try #require(InboxRun(recipient: "bob", ranges: [10...12, 20...20, 30...35]))
        #expect(
            [9, 10, 12, 13, 19, 20, 21, 30, 35, 36].map { run.contains($0) } == [
                false, true, true, false, false, true, false, true, true, false,
            ])
        #expect(run.count == 10)
        #expect(run.count(after: 11) == 8)
        #expect(run.ranges(after: 11) == [12...12, 20...20, 30...35])
        #expect(run.ranges(after: 35).isEmpty)
        let (before, after) = run.removing(12...31)
        #expect(before?.ranges == [10...11])
        #expect(after?.ranges == [32...35])
        #expect(run.removing(1...40) == (nil, nil))
        #expect(run.removing(1...9).before == nil && run.removing(1...9).after == run)
    }

    @Test func theBuilderMakesOneRunPerRecipientAndMergesNeighbours() {
        var builder = InboxRunBuilder()
        builder.add(5, recipients: ["bob", "carol", "bob"])
        builder.add(6, recipients: ["bob"])
        builder.add(7, recipients: ["carol", "bob"])
        builder.add(9, recipients: ["bob"])
        let runs = builder.runs()
        #expect(runs.map(\.recipient) == ["bob", "carol"])
        #expect(runs.map(\.ranges) == [[5...7, 9...9], [5...5, 7...7]])
    }

    @Test func theBuilderCutsLongInboxes() {
        var builder = InboxRunBuilder(maxSeqs: 3)
        for seq in Int64(1)...8 { builder.add(seq, recipient: "bob") }
        builder.add(8, recipient: "bob")
        #expect(builder.runs().map(\.ranges) == [[1...3], [4...6], [7...8]])
    }
}
