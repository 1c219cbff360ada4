import Metrics

/// The monitoring tap's figures as metrics, brought up to date from `TapStatistics` once a
/// second on the router thread: `swhub_tap_published_total{party}`,
/// `swhub_tap_dropped_total{party}`, `swhub_tap_subscriptions{party}` and
/// `swhub_tap_refused_subscriptions_total`.
///
/// Owned by the router thread (through `RouterMonitoring`).
final class TapMetrics {
    private let statistics: @Sendable () -> TapStatistics
    private var published: [String: (counter: Counter, last: UInt64)] = [:]
    private var dropped: [String: (counter: Counter, last: UInt64)] = [:]
    private var subscriptions: [String: Gauge] = [:]
    private let refused = Counter(label: "swhub_tap_refused_subscriptions_total")
    private var lastRefused: UInt64 = 0

    /// - Parameter statistics: reads the tap's figures (`TapPublisher.statistics()`).
    init(statistics: @escaping @Sendable () -> TapStatistics) {
        self.statistics = statistics
    }

    /// Records what changed since the last call.
    func update() {
        let current = statistics()
        for (party, observer) in current.observers {
            Self.advance(&published, party, "swhub_tap_published_total", to: observer.published)
            Self.advance(&dropped, party, "swhub_tap_dropped_total", to: observer.dropped)
            let gauge = subscriptions[party] ?? Gauge(label: "swhub_tap_subscriptions", dimensions: [("party", party)])
            subscriptions[party] = gauge
            gauge.record(observer.subscriptions)
        }
        if current.refusedSubscriptions > lastRefused {
            refused.increment(by: Int64(current.refusedSubscriptions - lastRefused))
            lastRefused = current.refusedSubscriptions
        }
    }

    private static func advance(
        _ counters: inout [String: (counter: Counter, last: UInt64)], _ party: String, _ label: String, to value: UInt64
    ) {
        var entry = counters[party] ?? (Counter(label: label, dimensions: [("party", party)]), 0)
        if value > entry.last {
            entry.counter.increment(by: Int64(value - entry.last))
            entry.last = value
        }
        counters[party] = entry
    }
}
