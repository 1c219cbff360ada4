import Foundation

/// The wall clock, as the journal records it.
public enum WallClock {
    /// Microseconds since the Unix epoch, now.
    public static func nowMicroseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
