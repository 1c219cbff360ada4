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

    /// Creates a pending submission.
    ///
    /// - Parameters:
    ///   - routingId: The submitter's connection.
    ///   - party: The authenticated sender.
    ///   - header: The header as submitted.
    ///   - recipients: The resolved recipients.
    ///   - body: The body frame.
    public init(routingId: [UInt8], party: String, header: WireHeader, recipients: [String], body: any RouterBody) {
        self.routingId = routingId
        self.party = party
        self.header = header
        self.recipients = recipients
        self.body = body
    }
}
