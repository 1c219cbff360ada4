import HubThreads

/// How a client's connection to the hub is doing, from its socket monitor's events: how
/// long to wait before the next attempt (doubling while attempts keep failing), when a
/// line may be logged (at most one per `logInterval`, with a count of the ones held back),
/// and when handshakes that keep failing mean the client is talking to the wrong hub (a
/// wrong hub public key, or an endpoint that is not a swhub hub). Events in, decisions out:
/// the I/O thread carries them out.
struct ConnectionHealth: Sendable {
    /// Handshakes that failed in a row before the client gives up waiting on them.
    static let handshakeFailuresToReport = 2
    static let firstDelay = Duration.milliseconds(100)
    static let maxDelay = Duration.seconds(5)

    let logInterval: Duration
    /// Connections in a row that ended before their handshake completed.
    private(set) var failedHandshakes = 0
    private var tcpUp = false
    private var handshakeDone = false
    /// The hub refused this client's key (ZAP): the handshake did not fail for want of the
    /// right hub key, and is not counted as such.
    private var refused = false
    private var delay = Duration.zero
    private var pace: LogPace

    init(logInterval: Duration = .seconds(10)) {
        self.logInterval = logInterval
        pace = LogPace(interval: logInterval)
    }

    /// A new connection attempt begins.
    mutating func attempting() {
        tcpUp = false
        handshakeDone = false
        refused = false
    }

    /// The hub answered the handshake with an authentication refusal.
    mutating func refusedByHub() { refused = true }

    /// TCP is connected; the CURVE handshake follows.
    mutating func connected() { tcpUp = true }

    /// The handshake completed: the hub has this client's key and this client the hub's.
    mutating func handshakeSucceeded() {
        handshakeDone = true
        failedHandshakes = 0
        delay = .zero
    }

    /// What to do when the connection is lost.
    struct Lost: Equatable {
        /// Wait this long before connecting again.
        var delay: Duration
        /// The handshake failed this many times in a row (0 if it had succeeded); from
        /// ``handshakeFailuresToReport`` on, the client reports it.
        var failedHandshakes: Int
        /// The lost connection had completed its handshake: a working hub (node) went away.
        var wasUp = false
    }

    /// The connection was lost.
    /// - Parameter peerClosed: the other side closed it (a monitor's `disconnected`), as a
    ///   hub does when it cannot open this client's handshake. A connection this client cut
    ///   itself (the hub seemed silent, say on a loaded machine) says nothing about keys and
    ///   is not counted as a failed handshake.
    mutating func lost(peerClosed: Bool) -> Lost {
        if handshakeDone {
            // A hub that restarted: straight back.
            delay = .zero
        } else {
            if peerClosed && tcpUp && !refused { failedHandshakes += 1 }
            delay = min(max(delay * 2, Self.firstDelay), Self.maxDelay)
        }
        return Lost(delay: delay, failedHandshakes: handshakeDone ? 0 : failedHandshakes, wasUp: handshakeDone)
    }

    /// Whether a line about the connection may be logged now; if so, how many were held back
    /// since the last one.
    mutating func mayLog(at now: ContinuousClock.Instant) -> Int? {
        pace.allow(at: now)
    }
}
