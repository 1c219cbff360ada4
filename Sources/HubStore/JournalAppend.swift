/// One message to journal.
public struct JournalAppend: Sendable {
    /// The party that sent the message.
    public var sender: String
    /// The sender's message id; `(sender, id)` identifies a message for deduplication.
    public var id: String
    /// The message type.
    public var type: String
    /// The parties the message is addressed to. Party ids match `[A-Za-z0-9._-]+`.
    public var recipients: [String]
    /// The correlation id the sender gave (may be empty).
    public var correlationId: String
    /// When the sender created the message, in microseconds since the Unix epoch.
    public var createdAtUs: Int64
    /// The message body, read without copying when journaled.
    public var body: any JournalBody

    /// Creates a message to journal.
    ///
    /// - Parameters:
    ///   - sender: The party that sent the message.
    ///   - id: The sender's message id.
    ///   - type: The message type.
    ///   - recipients: The parties the message is addressed to.
    ///   - correlationId: The correlation id (may be empty).
    ///   - createdAtUs: When the sender created the message, in microseconds since the epoch.
    ///   - body: The message body.
    public init(
        sender: String,
        id: String,
        type: String,
        recipients: [String],
        correlationId: String,
        createdAtUs: Int64,
        body: any JournalBody
    ) {
        self.sender = sender
        self.id = id
        self.type = type
        self.recipients = recipients
        self.correlationId = correlationId
        self.createdAtUs = createdAtUs
        self.body = body
    }
}
