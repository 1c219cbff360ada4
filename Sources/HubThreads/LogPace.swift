/// Paces a repeated log line: at most one per `interval` for each key, and the count of the
/// ones held back since, for the next line to say. A client that keeps failing, or a peer
/// that keeps knocking with a wrong key, then costs a few lines, not a full disk.
///
/// A value: its owner (one thread, or a lock) keeps it.
public struct LogPace: Sendable {
    /// The least time between two lines of one key.
    public let interval: Duration
    private var last: [String: ContinuousClock.Instant] = [:]
    private var heldBack: [String: Int] = [:]

    /// - Parameter interval: the least time between two lines of one key.
    public init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Whether a line of `key` may be logged at `now`: nil if not (it is counted), else the
    /// number of lines of that key held back since the last one logged.
    public mutating func allow(_ key: String = "", at now: ContinuousClock.Instant = .now) -> Int? {
        if let previous = last[key], now - previous < interval {
            heldBack[key, default: 0] += 1
            return nil
        }
        last[key] = now
        defer { heldBack[key] = 0 }
        return heldBack[key] ?? 0
    }
}
