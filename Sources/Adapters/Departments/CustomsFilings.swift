import DepartmentFormats
import HubProtocol

/// The filings of the standard's other documents (cancellations, returns, arrivals, ...)
/// the customs adapter wrote, by their business keys, so that customs' receipts for them —
/// XML that carries no hub ids — go back to their filer with `correlation_id` = the
/// filing's id. Saved with the adapter's state; bounded, the oldest go first.
struct CustomsFilings: Sendable, Equatable, Codable {
    struct Filing: Sendable, Equatable, Codable {
        var keys: CEBFilingKeys
        /// The party that submitted it and its message id.
        var sender: String
        var id: String
    }

    private(set) var filings: [Filing] = []
    /// How many are kept: receipts come within hours, and the state is saved whole with
    /// each filing written.
    static let limit = 5_000
    /// The sender of what the hub's flows emit (PROTOCOL.md section 13), no party to address.
    static let flowsSender = "hub"

    /// Keeps a filing written to customs (again: moves it to the newest).
    mutating func note(_ keys: CEBFilingKeys, sender: String, id: String) {
        filings.removeAll { $0.sender == sender && $0.id == id }
        filings.append(Filing(keys: keys, sender: sender, id: id))
        if filings.count > Self.limit { filings.removeFirst(filings.count - Self.limit) }
    }

    /// The newest filing `receipt` answers, if one is kept.
    func filing(answeredBy receipt: CEBFilingKeys) -> Filing? {
        filings.last { $0.keys.isAnswered(by: receipt) }
    }

    /// `document` addressed to the filer of the filing it answers, if it is a receipt of
    /// one kept: `correlation_id` the filing's id, recipient its sender (not when the hub's
    /// flows sent it: they read the receipt anyway).
    func addressed(_ document: InboundDocument) -> InboundDocument {
        guard document.type == MessageType.receipt.rawValue, document.correlationId.isEmpty,
            let keys = CEBFilingKeys.receipt(body: document.body), let filing = filing(answeredBy: keys)
        else { return document }
        var addressed = document
        addressed.correlationId = filing.id
        if filing.sender != Self.flowsSender, !addressed.recipients.contains(filing.sender) { addressed.recipients.append(filing.sender) }
        return addressed
    }
}
