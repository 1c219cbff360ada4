import Foundation
import HubProtocol
import HubStore
import Testing

@testable import HubServer

/// What `swhub_journal_unordered_ids_total` counts, per party, in the index's byte order.
@Suite("Ids out of order per party")
struct IdOrderWatchTests {
    @Test func timeOrderedIdsAreNeverCounted() {
        var watch = IdOrderWatch()
        let ids = (0..<1000).map { _ in (sender: "a", id: TimeOrderedId.make()) }
        #expect(watch.note(ids[..<500]) == 0)
        #expect(watch.note(ids[500...]) == 0)
    }

    @Test func eachIdSortingBeforeItsPartysPreviousOneIsCounted() {
        var watch = IdOrderWatch()
        #expect(watch.note([(sender: "a", id: "b"), (sender: "a", id: "a"), (sender: "b", id: "z"), (sender: "a", id: "c")]) == 1)
        // Across commits; another party's ids do not matter.
        #expect(watch.note([(sender: "b", id: "y"), (sender: "a", id: "d")]) == 1)
        // Byte order, as the index compares: "Z" (0x5A) before "a" (0x61); "é" after "z".
        #expect(watch.note([(sender: "c", id: "a"), (sender: "c", id: "Z"), (sender: "c", id: "é"), (sender: "c", id: "z")]) == 2)
    }

    @Test func randomIdsAreCountedAboutHalfTheTime() {
        var watch = IdOrderWatch()
        let counted = watch.note((0..<2000).map { _ in (sender: "a", id: UUID().uuidString.lowercased()) })
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
