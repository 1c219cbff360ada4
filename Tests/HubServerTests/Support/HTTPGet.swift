import HubTestSupport

/// A plain HTTP GET over loopback (LocalServers' `LoopbackHTTP`): what the monitor tests use
/// to read `/metrics` and `/api/...` from a running `swhub`.
typealias HTTPGet = LoopbackHTTP
