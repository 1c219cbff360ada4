public import Foundation
public import HubProtocol

/// A message to submit, in Swift types: what it is, its body and where it goes besides the
/// type's subscribers. The client turns it into the wire header (PROTOCOL.md section 5).
public struct OutgoingMessage: Sendable, Equatable {
    /// A message type declared in the hub's config, e.g. `ceb.Order`.
    public var type: String
    /// The body, opaque to the client: the type's protobuf message, serialized.
    public var body: [UInt8]
    /// Explicit recipients, besides the type's subscribers.
    public var recipients: [String]
    /// The message id: submitting the same id again is journaled once and answered with the
    /// original seq, so choose it from the content when a resend must not duplicate.
    public var id: String
    /// The message this one relates to, if any (empty otherwise).
    public var correlationId: String
    /// When the message was made.
    public var createdAt: Date

    /// Creates a message to submit.
    /// - Parameters:
    ///   - type: a message type declared in the hub's config.
    ///   - body: the body.
    ///   - recipients: explicit recipients, besides the type's subscribers.
    ///   - id: the message id; by default a new one that sorts after the ones made before it
    ///     (``TimeOrderedId``).
    ///   - correlationId: the message this one relates to, if any.
    ///   - createdAt: when the message was made; now by default.
    public init(
        type: String, body: [UInt8], to recipients: [String] = [], id: String = TimeOrderedId.make(), correlationId: String = "",
        createdAt: Date = Date()
    ) {
        self.type = type
        self.body = body
        self.recipients = recipients
        self.id = id
        self.correlationId = correlationId
        self.createdAt = createdAt
    }

    /// The SUBMIT header of this message (sender, seq and journal time are the hub's to set).
    var header: WireHeader {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.recipients = recipients
        header.correlationID = correlationId
        header.createdAtUs = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
        return header
    }
}
