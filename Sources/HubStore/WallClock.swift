import Foundation

/// The wall clock, as the journal records it.
enum WallClock {
    /// Microseconds since the Unix epoch, now.
    static func nowMicroseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
