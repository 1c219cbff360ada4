import Foundation
import Synchronization

/// New message ids that sort in the order they were made: UUID version 7 (RFC 9562), in
/// the canonical lowercase form (36 characters).
///
/// The hub's journal finds a repeat by `(sender, id)` in an index (PROTOCOL.md section 5,
/// "Idempotency"). Ids that sort by time are added at the end of each sender's part of that
/// index, so a group commit rewrites a page or two of it; random ids (UUID version 4) land
/// anywhere in it, and each commit rewrites about one page per message. The Swift SDK's
/// default id and the C kit's `swhub_new_id` are made this way.
///
/// Layout: 48 bits of Unix time in milliseconds, the version (7), 12 bits of a counter
/// (RFC 9562 section 6.2, method 1), the variant (binary 10) and 62 random bits. The counter
/// starts at a random value below 2,048 each millisecond and counts up, so the ids one
/// process makes are strictly increasing, also many within a millisecond (past 4,095, the
/// time field moves on by a millisecond) and when the clock steps back (the last time is
/// kept until the clock passes it).
public enum TimeOrderedId {
    /// The millisecond and counter of the last id made: each new id's are greater.
    struct Stamp: Sendable, Equatable {
        var millisecond: UInt64 = 0
        var counter: UInt64 = 0

        /// Moves on to the next id's fields, at clock time `now` (ms): a later millisecond
        /// starts the counter at `seed`'s low 11 bits; otherwise the counter goes up by one,
        /// and past 4,095 the millisecond does.
        mutating func advance(now: UInt64, seed: UInt64) {
            if now > millisecond {
                millisecond = now
                counter = seed & 0x7FF
            } else if counter < 0xFFF {
                counter += 1
            } else {
                millisecond += 1
                counter = seed & 0x7FF
            }
        }
    }

    private static let last = Mutex(Stamp())
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A new id, greater than every id made before it in this process.
    public static func make() -> String {
        var random = SystemRandomNumberGenerator()
        let seed = random.next()
        let now = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let stamp = last.withLock { (stamp: inout Stamp) -> Stamp in
            stamp.advance(now: now, seed: seed)
            return stamp
        }
        return format(millisecond: stamp.millisecond, counter: stamp.counter, random: random.next())
    }

    /// The id of the given fields: `random`'s low 62 bits fill the last 62.
    static func format(millisecond: UInt64, counter: UInt64, random: UInt64) -> String {
        let high = (millisecond & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (counter & 0xFFF)
        let low = 0x8000_0000_0000_0000 | (random & 0x3FFF_FFFF_FFFF_FFFF)
        return String(unsafeUninitializedCapacity: 36) { bytes in
            var position = 0
            for nibble in 0..<32 {
                if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                    bytes[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = nibble < 16 ? high : low
                let shift = UInt64(60 - (nibble % 16) * 4)
                bytes[position] = hexDigits[Int((word >> shift) & 0xF)]
                position += 1
            }
            return position
        }
    }

    /// The millisecond an id made by ``make()`` carries, or nil when `id` is not a
    /// version 7 UUID.
    public static func millisecond(of id: String) -> UInt64? {
        let hex = id.utf8.filter { $0 != UInt8(ascii: "-") }
        guard id.utf8.count == 36, hex.count == 32, hex[12] == UInt8(ascii: "7") else { return nil }
        guard let value = UInt64(String(decoding: hex[0..<12], as: UTF8.self), radix: 16) else { return nil }
        return value
    }
}
