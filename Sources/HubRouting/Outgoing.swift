import HubProtocol
import HubStore

/// A journaled message on its way to one recipient.
public enum Outgoing: Sendable {
    /// Just committed: the body is the frame as received, shared by every recipient.
    case live(LiveMessage)
    /// Read back from the journal.
    case stored(JournalRecord)
}

extension Outgoing {
    /// The message's type.
    public var type: String {
        switch self {
        case .live(let message): message.header.type
        case .stored(let record): record.type
        }
    }
}

/// A committed message held for live delivery: its header completed by the hub (sender,
/// seq, journal time) and the body as received, shared by every recipient.
public final class LiveMessage: Sendable {
    /// The header as delivered, before the recipients are set per DELIVER.
    public let header: WireHeader
    /// The body frame as received.
    public let body: any RouterBody
    /// The header written once for the DELIVER_BATCH entries of its several recipients; nil
    /// for a message to one recipient, whose entry is written from `header`.
    public let sharedHeader: SharedDeliveryHeader?

    /// Creates a live message.
    ///
    /// - Parameters:
    ///   - header: The completed header.
    ///   - body: The body frame.
    ///   - recipients: How many recipients it goes to: with more than one, its header is
    ///     written once for all their batch entries (`sharedHeader`).
    public init(header: WireHeader, body: any RouterBody, recipients: Int = 1) {
        self.header = header
        self.body = body
        sharedHeader = recipients > 1 ? SharedDeliveryHeader(header) : nil
    }
}
