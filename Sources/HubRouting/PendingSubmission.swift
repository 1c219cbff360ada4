import HubProtocol

/// A submission accepted by the router and waiting for the journal.
public struct PendingSubmission: Sendable {
    /// The submitter's connection (empty for the flows' own messages: nobody waits).
    public let routingId: [UInt8]
    /// The authenticated sender.
    public let party: String
    /// The header as submitted.
    public let header: WireHeader
    /// The recipients the routing table resolved.
    public let recipients: [String]
    /// The body frame as received; never copied before the journal reads it.
    public let body: any RouterBody
    /// Where it sits in a SUBMIT_BATCH, when it came in one.
    public var batch: BatchSlot?

    /// Creates a pending submission.
    ///
    /// - Parameters:
    ///   - routingId: The submitter's connection.
    ///   - party: The authenticated sender.
    ///   - header: The header as submitted.
    ///   - recipients: The resolved recipients.
    ///   - body: The body frame.
    ///   - batch: Where it sits in a SUBMIT_BATCH, if it came in one.
    public init(
        routingId: [UInt8], party: String, header: WireHeader, recipients: [String], body: any RouterBody, batch: BatchSlot? = nil
    ) {
        self.routingId = routingId
        self.party = party
        self.header = header
        self.recipients = recipients
        self.body = body
        self.batch = batch
    }

    /// How many of the queued submissions the next group commit takes: up to `batchMax`, and
    /// on to the last entry of a SUBMIT_BATCH the limit would cut, so that a batch is always
    /// journaled in one transaction (PROTOCOL.md section 16).
    ///
    /// - Parameters:
    ///   - queue: The submissions waiting for the journal, in order.
    ///   - batchMax: The commit's usual limit.
    /// - Returns: How many to take from the front.
    public static func commitCount(_ queue: [PendingSubmission], batchMax: Int) -> Int {
        var take = min(queue.count, max(1, batchMax))
        while take < queue.count, let slot = queue[take - 1].batch, !slot.last { take += 1 }
        return take
    }
}
