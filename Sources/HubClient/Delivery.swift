import HubProtocol

/// A message the hub delivered to this party. Acknowledge it (or a later one: acks are
/// cumulative) with `HubClient.acknowledge(_:)` once it is processed durably.
public struct Delivery: Sendable {
    /// Routing header as the hub set it: sender, seq, journal time.
    public let header: WireHeader
    /// The body, byte for byte as submitted.
    public let body: [UInt8]

    /// The journal sequence number: strictly increasing per recipient.
    public var seq: UInt64 { header.seq }
}

/// The hub's answer to a submission: durable in the journal under `seq`.
public struct SubmitReceipt: Sendable, Equatable {
    public let id: String
    public let seq: UInt64
    /// True if this id had been journaled before; `seq` is then the original.
    public let duplicate: Bool
    /// How many parties it goes to.
    public let recipients: Int
}
