import HubRouting
import HubServer
import Metrics
import Prometheus

/// swift-metrics bootstrapped once per process with swift-prometheus's registry, through
/// ``DescribedMetricsFactory`` (every family with its HELP text from ``MetricCatalog``);
/// the registry is what the monitor's `/metrics` renders.
enum MetricsBootstrap {
    /// The registry, bootstrapping the metrics system on first use (exactly once).
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = DescribedMetricsFactory(registry: registry, help: MetricCatalog.help)
        // Group commits take from well under a millisecond (no fsync wait) to seconds (a
        // slow disk): finer buckets than the default 5 ms … 10 s.
        factory.durationHistogramBuckets["swhub_journal_commit_seconds"] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        Gauge(label: "swhub_build_info", dimensions: [("version", HubVersion.current)]).record(1)
        return registry
    }()
}
