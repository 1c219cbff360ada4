public import Foundation
public import HubProtocol

/// A message the hub delivered to this party. Acknowledge it (or a later one: acks are
/// cumulative) with `HubClient.acknowledge(_:)` once it is processed durably.
public struct Delivery: Sendable {
    /// The routing header as the hub set it (sender, seq, journal time), in its wire form;
    /// the properties below give the same in Swift types.
    public let header: WireHeader
    /// The body, byte for byte as submitted.
    public let body: [UInt8]

    /// Creates a delivery from its wire header and body (for tests and stand-ins of the hub).
    /// - Parameters:
    ///   - header: the header as the hub sets it.
    ///   - body: the body.
    public init(header: WireHeader, body: [UInt8]) {
        self.header = header
        self.body = body
    }

    /// The journal sequence number: strictly increasing per recipient.
    public var seq: UInt64 { header.seq }
    /// The message id the sender chose.
    public var id: String { header.id }
    /// The message type, e.g. `ceb.Order`.
    public var type: String { header.type }
    /// The party that submitted it, as the hub authenticated it.
    public var sender: String { header.sender }
    /// The message this one relates to; empty if none.
    public var correlationId: String { header.correlationID }
    /// When the sender made the message (its own clock).
    public var createdAt: Date { Date(microsecondsSince1970: header.createdAtUs) }
    /// When the hub journaled it (the hub's clock).
    public var journaledAt: Date { Date(microsecondsSince1970: header.journaledAtUs) }
}

extension Date {
    /// The instant `microseconds` µs after the Unix epoch, as the wire's `*_us` fields count.
    init(microsecondsSince1970 microseconds: Int64) {
        self.init(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}
