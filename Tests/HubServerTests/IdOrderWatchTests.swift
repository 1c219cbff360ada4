import Foundation
import HubProtocol
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
}
