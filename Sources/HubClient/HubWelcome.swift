import HubProtocol

/// The hub's WELCOME, as `HubClient.connect(timeout:)` returns it: who the hub took this
/// client's key for, and the session's terms.
public struct HubWelcome: Sendable, Equatable {
    /// The party the hub authenticated this client's CURVE key as.
    public var party: String
    /// The last delivery this party acknowledged: a receiving session resumes after it.
    public var ackedSeq: UInt64
    /// Deliveries that may be unacknowledged at once, as the hub granted them.
    public var credit: UInt32
    /// The heartbeat interval the hub expects.
    public var heartbeat: Duration
    /// The largest body the hub accepts, in bytes.
    public var maxBodyBytes: UInt32
    /// The hub's version, for logs.
    public var hubVersion: String

    /// Creates a welcome from its values (for tests and stand-ins of the hub).
    /// - Parameters:
    ///   - party: the party the key was authenticated as.
    ///   - ackedSeq: the party's last acknowledged delivery.
    ///   - credit: deliveries that may be unacknowledged at once.
    ///   - heartbeat: the heartbeat interval the hub expects.
    ///   - maxBodyBytes: the largest body the hub accepts.
    ///   - hubVersion: the hub's version.
    public init(
        party: String, ackedSeq: UInt64 = 0, credit: UInt32 = 0, heartbeat: Duration = .seconds(1), maxBodyBytes: UInt32 = 0,
        hubVersion: String = ""
    ) {
        self.party = party
        self.ackedSeq = ackedSeq
        self.credit = credit
        self.heartbeat = heartbeat
        self.maxBodyBytes = maxBodyBytes
        self.hubVersion = hubVersion
    }

    /// The welcome a WELCOME reply carries.
    init(wire: WireWelcome) {
        self.init(
            party: wire.party, ackedSeq: wire.ackedSeq, credit: wire.credit, heartbeat: .milliseconds(wire.heartbeatMs),
            maxBodyBytes: wire.maxBodyBytes, hubVersion: wire.hubVersion)
    }
}
