import Foundation
import HubProtocol
import HubStore
import Testing

@testable import HubServer

/// What `swhub_journal_unordered_ids_total` counts, per party, in the index's byte order.
@Suite("Ids out of order per party")
struct IdOrderWatchTests {
    /// A commit's appends from (sender, id) pairs, none a duplicate.
    private static func commit(_ pairs: some Collection<(sender: String, id: String)>) -> ([JournalAppend], [AppendOutcome]) {
        let appends = pairs.map {
            JournalAppend(sender: $0.sender, id: $0.id, type: "t", recipients: ["r"], correlationId: "", createdAtUs: 0, body: [UInt8]())
        }
        let outcomes = appends.indices.map { AppendOutcome(seq: UInt64($0 + 1), duplicate: false, recipients: ["r"], journaledAtUs: 0) }
        return (appends, outcomes)
    }

    /// Notes `pairs` as one commit.
    private static func note(_ pairs: some Collection<(sender: String, id: String)>, in watch: inout IdOrderWatch) -> Int {
        let (appends, outcomes) = commit(pairs)
        return watch.note(appends, outcomes)
    }

    @Test func timeOrderedIdsAreNeverCounted() {
        var watch = IdOrderWatch()
        let ids = (0..<1000).map { _ in (sender: "a", id: TimeOrderedId.make()) }
        #expect(Self.note(ids[..<500], in: &watch) == 0)
        #expect(Self.note(ids[500...], in: &watch) == 0)
    }

    @Test func eachIdSortingBeforeItsPartysPreviousOneIsCounted() {
        var watch = IdOrderWatch()
        #expect(
            Self.note([(sender: "a", id: "b"), (sender: "a", id: "a"), (sender: "b", id: "z"), (sender: "a", id: "c")], in: &watch) == 1)
        // Across commits; another party's ids do not matter.
        #expect(Self.note([(sender: "b", id: "y"), (sender: "a", id: "d")], in: &watch) == 1)
        // Byte order, as the index compares: "Z" (0x5A) before "a" (0x61); "é" after "z".
        #expect(
            Self.note([(sender: "c", id: "a"), (sender: "c", id: "Z"), (sender: "c", id: "é"), (sender: "c", id: "z")], in: &watch) == 2)
    }

    @Test func randomIdsAreCountedAboutHalfTheTime() {
        var watch = IdOrderWatch()
        let counted = Self.note((0..<2000).map { _ in (sender: "a", id: UUID().uuidString.lowercased()) }, in: &watch)
        #expect(counted > 800 && counted < 1200)
    }

    /// Byte order as memcmp gives it, a prefix before what extends it.
    @Test func byteOrderWithPrefixes() {
        #expect(IdOrderWatch.sortsBefore("a", "ab"))
        #expect(!IdOrderWatch.sortsBefore("ab", "a"))
        #expect(!IdOrderWatch.sortsBefore("a", "a"))
        #expect(IdOrderWatch.sortsBefore("", "a"))
        #expect(!IdOrderWatch.sortsBefore("a", ""))
        #expect(IdOrderWatch.sortsBefore("Z", "a"))
        #expect(IdOrderWatch.sortsBefore("z", "é"))
    }

    /// The writer's form: a commit's appends with their outcomes, duplicates left out (a
    /// duplicate neither counts nor becomes the party's last id), parties interleaved.
    @Test func aCommitsAppendsWithoutItsDuplicates() {
        var watch = IdOrderWatch()
        func append(_ sender: String, _ id: String) -> JournalAppend {
            JournalAppend(sender: sender, id: id, type: "t", recipients: ["r"], correlationId: "", createdAtUs: 0, body: [UInt8]())
        }
        let appends = [append("a", "5"), append("b", "9"), append("a", "1"), append("a", "6"), append("b", "1"), append("a", "7")]
        let outcomes = [false, false, true, false, false, false].enumerated().map {
            AppendOutcome(seq: UInt64($0.offset + 1), duplicate: $0.element, recipients: ["r"], journaledAtUs: 0)
        }
        // a: 5, (1 is a duplicate), 6, 7 in order; b: 9 then 1 out of order.
        #expect(watch.note(appends, outcomes) == 1)
        // The next commit goes on from each party's last id: a's 7 and b's 1.
        #expect(watch.note([append("a", "3"), append("b", "2")], outcomes[..<2].map { $0 }) == 1)
    }
}
