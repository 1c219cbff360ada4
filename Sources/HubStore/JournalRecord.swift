import HubCore

/// A journaled message.
public struct JournalRecord: Sendable, Equatable {
    /// The message's sequence number in the journal.
    public var seq: UInt64
    /// The party that sent the message.
    public var sender: String
    /// The sender's message id.
    public var id: String
    /// The message type.
    public var type: String
    /// The parties the message is addressed to.
    public var recipients: [String]
    /// The correlation id (may be empty).
    public var correlationId: String
    /// When the sender created the message, in microseconds since the Unix epoch.
    public var createdAtUs: Int64
    /// When the hub journaled the message, in microseconds since the Unix epoch.
    public var journaledAtUs: Int64
    /// The message body.
    public var body: [UInt8]

    /// Creates a record.
    ///
    /// - Parameters:
    ///   - seq: The message's sequence number.
    ///   - sender: The party that sent the message.
    ///   - id: The sender's message id.
    ///   - type: The message type.
    ///   - recipients: The parties the message is addressed to.
    ///   - correlationId: The correlation id.
    ///   - createdAtUs: When the sender created the message.
    ///   - journaledAtUs: When the hub journaled the message.
    ///   - body: The message body.
    public init(
        seq: UInt64,
        sender: String,
        id: String,
        type: String,
        recipients: [String],
        correlationId: String,
        createdAtUs: Int64,
        journaledAtUs: Int64,
        body: [UInt8]
    ) {
        self.seq = seq
        self.sender = sender
        self.id = id
        self.type = type
        self.recipients = recipients
        self.correlationId = correlationId
        self.createdAtUs = createdAtUs
        self.journaledAtUs = journaledAtUs
        self.body = body
    }
}

extension FlowInput {
    /// The journaled `record` as the flows read it.
    public init(_ record: JournalRecord) {
        self.init(
            seq: record.seq, sender: record.sender, id: record.id, type: record.type, recipients: record.recipients,
            correlationId: record.correlationId, journaledAtUs: record.journaledAtUs, body: record.body)
    }
}
