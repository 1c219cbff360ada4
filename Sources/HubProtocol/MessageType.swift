/// A hub message type, as carried in `WireHeader.type` (`"ceb.Order"`, `"reg.Result"`, ...):
/// the one place the hub's, the SDK's and the adapters' code names them. Any string is a
/// valid value (the hub's configuration declares which types it accepts); the constants
/// are the types the flows and the departments' formats know.
public struct MessageType: RawRepresentable, Hashable, Sendable, Codable, Comparable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The type as it travels on the wire.
    public let rawValue: String

    /// A type from its wire name.
    ///
    /// - Parameter rawValue: The wire name, e.g. `"ceb.Order"`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A type from its wire name.
    ///
    /// - Parameter rawValue: The wire name, e.g. `"ceb.Order"`.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: MessageType, rhs: MessageType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether `value` is this type's wire name, so that `switch header.type` can match
    /// `case MessageType.order:`.
    public static func ~= (pattern: MessageType, value: String) -> Bool { pattern.rawValue == value }

    // Registration (备案)
    /// An enterprise's registration (`swhub.v1.Registration`).
    public static let registration: MessageType = "reg.Registration"
    /// A department's answer to a registration (`swhub.v1.RegistrationResult`).
    public static let registrationResult: MessageType = "reg.Result"

    // Declarations (三单, 清单) and customs' answers
    /// An order (CEB311/303, `swhub.v1.Order`).
    public static let order: MessageType = "ceb.Order"
    /// A payment (CEB411/403, `swhub.v1.Payment`).
    public static let payment: MessageType = "ceb.Payment"
    /// A waybill (CEB511/505, `swhub.v1.Waybill`).
    public static let waybill: MessageType = "ceb.Waybill"
    /// An inventory (CEB621/603, `swhub.v1.Inventory`).
    public static let inventory: MessageType = "ceb.Inventory"
    /// A customs receipt (回执, `swhub.v1.Receipt`).
    public static let receipt: MessageType = "ceb.Receipt"
    /// A summary declaration (CEB701, `swhub.v1.SummaryDeclaration`).
    public static let summaryDeclaration: MessageType = "ceb.SummaryDeclaration"
    /// Customs' result of a summary declaration (CEB792, `swhub.v1.SummaryResult`).
    public static let summaryResult: MessageType = "ceb.SummaryResult"

    // The standard's other documents (customs answers each with a ceb.Receipt)
    /// A cancellation of a declared inventory (撤销申请单, CEB605/623, `swhub.v1.Cancellation`).
    public static let cancellation: MessageType = "ceb.Cancellation"
    /// A return of released goods (退货申请单, CEB213/625, `swhub.v1.ReturnRequest`).
    public static let returnRequest: MessageType = "ceb.ReturnRequest"
    /// The tally of a returned export parcel (退货理货明细单, CEB215, `swhub.v1.ReturnTally`).
    public static let returnTally: MessageType = "ceb.ReturnTally"
    /// Export parcels arrived at the supervised site (运抵单, CEB507, `swhub.v1.Arrival`).
    public static let arrival: MessageType = "ceb.Arrival"
    /// Export parcels left the country (离境单, CEB509, `swhub.v1.Departure`).
    public static let departure: MessageType = "ceb.Departure"
    /// An import parcel's logistics status (运单状态, CEB513, `swhub.v1.WaybillStatus`).
    public static let waybillStatus: MessageType = "ceb.WaybillStatus"
    /// The parcels under one master bill (清单总分单, CEB607, `swhub.v1.MasterWaybill`).
    public static let masterWaybill: MessageType = "ceb.MasterWaybill"
    /// Import parcels entered into the supervised warehouse (入库明细单, CEB711, `swhub.v1.WarehouseEntry`).
    public static let warehouseEntry: MessageType = "ceb.WarehouseEntry"

    /// Customs' tax bill for an import inventory (电子税单, CEB816, `swhub.v1.TaxBill`).
    public static let taxBill: MessageType = "ceb.TaxBill"
    /// A change of a tax bill's status (CEB818, `swhub.v1.TaxStatus`).
    public static let taxStatus: MessageType = "ceb.TaxStatus"

    /// The documents of the standard beyond the declaration's, which enterprises, logistics
    /// companies and supervised sites file with customs.
    public static let otherCustomsDocuments: [MessageType] = [
        .cancellation, .returnRequest, .returnTally, .arrival, .departure, .waybillStatus, .masterWaybill, .warehouseEntry,
    ]

    // Interchange and the flows' own messages
    /// A department's credit notice (blacklisting, `swhub.v1.CreditNotice`).
    public static let creditNotice: MessageType = "credit.Notice"
    /// The hub's unified feedback to a filer (`swhub.v1.Feedback`).
    public static let feedback: MessageType = "flow.Feedback"
    /// The hub's release notice after customs released an inventory (`swhub.v1.ReleaseNotice`).
    public static let releaseNotice: MessageType = "flow.ReleaseNotice"
    /// The hub's withdrawal notice after customs approved the cancellation of a released
    /// inventory (`swhub.v1.WithdrawalNotice`).
    public static let withdrawalNotice: MessageType = "flow.WithdrawalNotice"
    /// The hub's return notice after customs approved a return of released goods
    /// (`swhub.v1.ReturnNotice`).
    public static let returnNotice: MessageType = "flow.ReturnNotice"
    /// A request for a summary declaration (`swhub.v1.SummaryRequest`).
    public static let summaryRequest: MessageType = "flow.SummaryRequest"
    /// A department's query (`swhub.v1.Query`).
    public static let query: MessageType = "flow.Query"
    /// The answer to a query (`swhub.v1.Answer`).
    public static let answer: MessageType = "flow.Answer"

    // Departments' own results and reports
    /// Tax's refund decision (`swhub.v1.RefundResult`).
    public static let refundResult: MessageType = "tax.RefundResult"
    /// Forex's settlement verification (`swhub.v1.SettlementResult`).
    public static let settlementResult: MessageType = "forex.SettlementResult"
    /// A department adapter's file report (`swhub.v1.AdapterEvent`).
    public static let adapterEvent: MessageType = "adapter.Event"

    // Risk control (风险防控)
    /// A risk rule's hit on a declaration, from the hub (`swhub.v1.RiskNotice`).
    public static let riskNotice: MessageType = "risk.Notice"
    /// A reviewer department's decision on a held declaration (`swhub.v1.RiskDisposition`).
    public static let riskDisposition: MessageType = "risk.Disposition"

    /// The four documents of a declaration, in the order the flows forward them.
    public static let declarationDocuments: [MessageType] = [.order, .payment, .waybill, .inventory]

    /// Every type named here.
    public static let known: [MessageType] = [
        .registration, .registrationResult, .order, .payment, .waybill, .inventory, .receipt, .summaryDeclaration,
        .summaryResult, .creditNotice, .feedback, .releaseNotice, .summaryRequest, .query, .answer, .refundResult,
        .settlementResult, .adapterEvent, .cancellation, .returnRequest, .returnTally, .arrival, .departure, .waybillStatus,
        .masterWaybill, .warehouseEntry, .taxBill, .taxStatus,
        .riskNotice, .riskDisposition,
        .withdrawalNotice, .returnNotice,
    ]
}

extension WireHeader {
    /// `type` as a ``MessageType``.
    public var messageType: MessageType {
        get { MessageType(rawValue: type) }
        set { type = newValue.rawValue }
    }
}
