import HubProtocol

/// What joins a customs receipt to the filing it answers, for the standard's documents
/// beyond the declaration's (cancellations, returns, arrivals, ...): customs' XML receipts
/// carry no hub ids, only the filing's business keys (`copNo`, `coElNo`, `invtNo`,
/// `billNo`, `logisticsNo`, ...). A filing's keys are kept when it is written; a receipt
/// answers it when the receipt's root is the even code after the filing's and every key
/// both carry agrees (at least one of them identifying: not only a company code).
public struct CEBFilingKeys: Sendable, Equatable, Codable {
    /// The filing's root element, e.g. "CEB605Message" (for a receipt: the root it answers).
    public var root: String
    /// The key elements' values by element name, the empty ones left out.
    public var values: [String: String]

    public init(root: String, values: [String: String]) {
        self.root = root
        self.values = values.filter { !$0.value.isEmpty }
    }

    /// The elements compared: the identifying ones, then those that only narrow a match down.
    static let identifying = ["copNo", "coElNo", "invtNo", "billNo", "logisticsNo"]
    static let narrowing = ["logisticsCode", "logisticsStatus", "agentCode", "operatorCode"]

    /// The keys of a filing the customs writer makes of a hub message of one of the
    /// standard's other documents (``MessageType/otherCustomsDocuments``); nil for any
    /// other message, or a body that is not one.
    /// - Parameters:
    ///   - type: the hub message type, e.g. "ceb.Cancellation".
    ///   - body: the serialized business.proto message.
    public static func filing(type: String, body: [UInt8]) -> CEBFilingKeys? {
        guard MessageType.otherCustomsDocuments.contains(MessageType(type)),
            let fields = try? CEBBinding.fields(ofBody: body, hubType: type).mapValues({ CEBBinding.text($0) }),
            let binding = try? CEBBinding.forWriting(type, fields: fields)
        else { return nil }
        return CEBFilingKeys(root: binding.root, values: fields.filter { (identifying + narrowing).contains($0.key) })
    }

    /// The keys of a customs receipt (a `ceb.Receipt` body) that answers one of the
    /// standard's other documents, with `root` the filing's root; nil for a receipt of the
    /// declaration's documents or a summary, or a body that is not a receipt.
    /// - Parameter body: the serialized `Receipt`.
    public static func receipt(body: [UInt8]) -> CEBFilingKeys? {
        guard let receipt = try? BizReceipt(serializedBytes: body), let filed = answered[receipt.messageType],
            let fields = try? CEBBinding.fields(ofBody: body, hubType: MessageType.receipt.rawValue).mapValues({ CEBBinding.text($0) })
        else { return nil }
        return CEBFilingKeys(root: filed, values: fields.filter { (identifying + narrowing).contains($0.key) })
    }

    /// Whether `receipt` (``receipt(body:)``) answers this filing.
    public func isAnswered(by receipt: CEBFilingKeys) -> Bool {
        guard receipt.root == root else { return false }
        var identified = false
        for (name, value) in receipt.values {
            guard let own = values[name] else { continue }
            guard own == value else { return false }
            if Self.identifying.contains(name) { identified = true }
        }
        return identified
    }

    /// The filing's root answered by each receipt root of the other documents.
    static let answered: [String: String] = [
        "CEB606Message": "CEB605Message", "CEB624Message": "CEB623Message", "CEB214Message": "CEB213Message",
        "CEB626Message": "CEB625Message", "CEB216Message": "CEB215Message", "CEB508Message": "CEB507Message",
        "CEB510Message": "CEB509Message", "CEB514Message": "CEB513Message", "CEB608Message": "CEB607Message",
        "CEB712Message": "CEB711Message",
    ]
}
