import HubProtocol

/// A journaled message as the flows read it: what the journal recorded, body included.
public struct FlowInput: Sendable, Equatable {
    public var seq: UInt64
    /// The authenticated sender.
    public var sender: String
    public var id: String
    public var type: String
    /// The recipients it was journaled with (explicit ones and subscribers).
    public var recipients: [String]
    public var correlationId: String
    /// When the hub journaled it, µs since the epoch: the flows' clock.
    public var journaledAtUs: Int64
    public var body: [UInt8]

    public init(
        seq: UInt64, sender: String, id: String, type: String, recipients: [String], correlationId: String,
        journaledAtUs: Int64, body: [UInt8]
    ) {
        self.seq = seq
        self.sender = sender
        self.id = id
        self.type = type
        self.recipients = recipients
        self.correlationId = correlationId
        self.journaledAtUs = journaledAtUs
        self.body = body
    }
}

/// A message the flows ask the hub to journal and deliver under the sender `hub`. Its id
/// is derived from what caused it (PROTOCOL.md section 13), so emitting it again after a
/// restart is deduplicated by the journal.
public struct FlowEmission: Sendable, Equatable {
    public var id: String
    public var type: String
    public var recipients: [String]
    public var correlationId: String
    public var body: [UInt8]

    public init(id: String, type: String, recipients: [String], correlationId: String, body: [UInt8]) {
        self.id = id
        self.type = type
        self.recipients = recipients
        self.correlationId = correlationId
        self.body = body
    }

    /// A message with one of the hub's own ids.
    public init(_ id: HubMessageId, type: MessageType, recipients: [String], correlationId: String, body: [UInt8]) {
        self.init(id: id.description, type: type.rawValue, recipients: recipients, correlationId: correlationId, body: body)
    }
}

/// A filing, identified as the journal does: its sender and the sender's message id.
public struct FlowKey: Hashable, Sendable, CustomStringConvertible {
    public var sender: String
    public var id: String

    public init(sender: String, id: String) {
        self.sender = sender
        self.id = id
    }

    public var description: String { "\(sender):\(id)" }
}

/// In a snapshot (``FlowSnapshot``), a filing is a string key of its own in the JSON
/// objects it keys: the sender and the id, each after its length in UTF-8 bytes.
extension FlowKey: Codable, CodingKeyRepresentable {
    public var codingKey: any CodingKey { SnapshotKey(parts: [sender, id]) }

    public init?<T: CodingKey>(codingKey: T) {
        guard let parts = SnapshotKey.parts(of: codingKey.stringValue, count: 2) else { return nil }
        self.init(sender: parts[0], id: parts[1])
    }
}
