import Foundation
import Testing

@testable import HubProtocol

/// The SDK's default message ids: UUID version 7 (RFC 9562) that one process makes in
/// strictly increasing order.
@Suite("Time-ordered message ids", .serialized)
struct TimeOrderedIdTests {
    /// RFC 9562 appendix A.6's example: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3,
    /// rand_b 0x18C4DC0C0C07398F.
    @Test func theRFCExampleIsLaidOutAsTheRFCShowsIt() {
        let id = TimeOrderedId.format(millisecond: 0x017F_22E2_79B0, counter: 0xCC3, random: 0x18C4_DC0C_0C07_398F)
        #expect(id == "017f22e2-79b0-7cc3-98c4-dc0c0c07398f")
        #expect(TimeOrderedId.millisecond(of: id) == 0x017F_22E2_79B0)
    }

    @Test func anIdIsAVersion7UUIDOfNow() throws {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = TimeOrderedId.make()
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        let uuid = try #require(UUID(uuidString: id))
        #expect(uuid.uuidString.lowercased() == id)
        let characters = Array(id)
        #expect(characters[14] == "7")
        #expect("89ab".contains(characters[19]))
        #expect(id.allSatisfy { "0123456789abcdef-".contains($0) })
        let millisecond = try #require(TimeOrderedId.millisecond(of: id))
        #expect(millisecond >= before && millisecond <= after + 1)
    }

    @Test func idsIncreaseStrictly() {
        var previous = TimeOrderedId.make()
        for _ in 0..<20_000 {
            let id = TimeOrderedId.make()
            #expect(id > previous, "\(id) after \(previous)")
            previous = id
        }
    }

    /// The fields of the ids, in order, as ids sort: past 4,095 ids in one millisecond, and
    /// when the clock steps back.
    @Test func stampsIncreaseWhenTheCounterRunsOutAndWhenTheClockStepsBack() {
        func key(_ stamp: TimeOrderedId.Stamp) -> UInt64 { stamp.millisecond << 12 | stamp.counter }
        var stamp = TimeOrderedId.Stamp()
        stamp.advance(now: 1000, seed: 0xFFFF_FFFF)
        #expect(stamp == .init(millisecond: 1000, counter: 0x7FF))
        var previous = key(stamp)
        var carried = 0
        for _ in 0..<5000 {
            stamp.advance(now: 1000, seed: 5)
            #expect(key(stamp) > previous)
            if stamp.millisecond == 1001 { carried += 1 }
            previous = key(stamp)
        }
        #expect(carried > 0)
        stamp.advance(now: 900, seed: 1)
        #expect(key(stamp) > previous)
        #expect(stamp.millisecond == 1001)
        stamp.advance(now: 2000, seed: 0x803)
        #expect(stamp == .init(millisecond: 2000, counter: 3))
    }

    @Test func idsMadeOnManyThreadsAreAllDifferent() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<20_000).map { _ in TimeOrderedId.make() } } }
            var all: [String] = []
            for await part in group { all += part }
            return all
        }
        #expect(Set(ids).count == 80_000)
    }

    @Test func otherIdsHaveNoMillisecond() {
        #expect(TimeOrderedId.millisecond(of: UUID().uuidString.lowercased().replacingCharacters(at: 14, with: "4")) == nil)
        #expect(TimeOrderedId.millisecond(of: "order-2024-000123") == nil)
        #expect(TimeOrderedId.millisecond(of: "") == nil)
    }
}

extension String {
    fileprivate func replacingCharacters(at offset: Int, with replacement: Character) -> String {
        var characters = Array(self)
        characters[offset] = replacement
        return String(characters)
    }
}
