/// The HTTP side of the hub: Prometheus `/metrics` and the web monitor.
public enum HubMonitorInfo {
    /// Path of the Prometheus exposition.
    public static let metricsPath = "/metrics"
}
