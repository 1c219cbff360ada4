import HubProtocol

/// A client connection's heartbeat (PROTOCOL.md section 7) as a value: when to PING, and
/// when the hub has been silent for three intervals and the connection counts as dead.
/// Owned by the connection's I/O thread.
struct Heartbeat {
    /// The interval the hub expects.
    let interval: Duration
    private var lastReceived: ContinuousClock.Instant
    private var lastPing: ContinuousClock.Instant
    private var nonce: UInt64 = 0

    init(interval: Duration, now: ContinuousClock.Instant) {
        self.interval = interval
        lastReceived = now
        lastPing = now
    }

    /// Something arrived from the hub (or the connection was just opened).
    mutating func heard(at now: ContinuousClock.Instant) { lastReceived = now }

    /// The PING to send now, if an interval has passed since the last one.
    mutating func pingDue(at now: ContinuousClock.Instant) -> WirePing? {
        guard now - lastPing >= interval else { return nil }
        nonce += 1
        lastPing = now
        var ping = WirePing()
        ping.nonce = nonce
        return ping
    }

    /// True when the hub has been silent for three intervals.
    func isSilent(at now: ContinuousClock.Instant) -> Bool { now - lastReceived > interval * 3 }
}
