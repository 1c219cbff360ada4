import HubProtocol

/// The hub's answer to a submission: durable in the journal under `seq`.
public struct SubmitReceipt: Sendable, Equatable {
    /// The message id, as submitted.
    public let id: String
    /// The journal sequence number the message was stored under.
    public let seq: UInt64
    /// True if this id had been journaled before; `seq` is then the original.
    public let duplicate: Bool
    /// How many parties it goes to.
    public let recipients: Int

    /// Creates a receipt (for tests and stand-ins of the hub).
    /// - Parameters:
    ///   - id: the message id.
    ///   - seq: the journal sequence number.
    ///   - duplicate: whether the id had been journaled before.
    ///   - recipients: how many parties it goes to.
    public init(id: String, seq: UInt64, duplicate: Bool, recipients: Int) {
        self.id = id
        self.seq = seq
        self.duplicate = duplicate
        self.recipients = recipients
    }

    /// The receipt an ACCEPTED (or an accepted entry of an ACCEPTED_BATCH) carries.
    init(_ accepted: WireAccepted) {
        self.init(id: accepted.id, seq: accepted.seq, duplicate: accepted.duplicate, recipients: Int(accepted.recipients))
    }
}
