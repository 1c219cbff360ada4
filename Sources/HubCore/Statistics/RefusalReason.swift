import HubProtocol

/// Why a declaration was refused, as the trade statistics keep it: stable codes read from the
/// hub's refused unified feedback, never its free text (which can carry names, phones or
/// addresses of a consignee).
///
/// - a 三单对碰 rule that failed: its ``MatchRule`` name (`PAYMENT_AMOUNT`, `CONSIGNEE`, ...);
/// - a filing rule of the flows: its ``FlowEngine/FilingRule`` name (`DUPLICATE_DOCUMENT`, ...);
/// - customs' refusal: `CUSTOMS_` and the receipt's status (`CUSTOMS_100` 退单, `CUSTOMS_700` 退运);
/// - a credit notice that flagged the enterprise while the declaration was in progress:
///   `CREDIT_FLAG` (a blacklisted filer's inventory is refused before the journal, error
///   `BLACKLISTED`, and so is never declared);
/// - none of these: `UNSPECIFIED`.
///
/// A refusal with several reasons counts under each (once per code).
public enum RefusalReason {
    /// The codes of a refused feedback, in the order found, each once.
    public static func codes(of feedback: BizFeedback) -> [String] {
        var codes: [String] = []
        func add(_ code: String) {
            if !codes.contains(code) { codes.append(code) }
        }
        for reason in feedback.reasons {
            let word = String(reason.prefix { $0 != " " && $0 != ":" && $0 != "[" })
            if MatchRule(rawValue: word) != nil || FlowEngine.FilingRule(rawValue: word) != nil {
                add(word)
            } else if reason.hasPrefix("flagged:") {
                add(creditFlag)
            }
        }
        for department in feedback.departments where department.decision == .refused {
            if let status = Int32(department.status) { add("CUSTOMS_\(status)") }
        }
        return codes.isEmpty ? [unspecified] : codes
    }

    /// A credit notice flagged the enterprise while the declaration was in progress.
    public static let creditFlag = "CREDIT_FLAG"
    /// A refusal whose feedback names no known rule or status.
    public static let unspecified = "UNSPECIFIED"

    /// What a code means, in a few words, for a report's table (empty for an unknown code).
    public static func meaning(_ code: String) -> String {
        switch code {
        case MatchRule.decimalFormat.rawValue: "三单对碰: an amount or quantity is not a decimal"
        case MatchRule.orderTotal.rawValue: "三单对碰: order total ≠ goods + freight + tax − discount"
        case MatchRule.paymentLink.rawValue: "三单对碰: payment does not link to the order"
        case MatchRule.paymentAmount.rawValue: "三单对碰: amount paid ≠ order's actural paid"
        case MatchRule.waybillLink.rawValue: "三单对碰: waybill does not link to order and inventory"
        case MatchRule.consignee.rawValue: "三单对碰: consignee differs on order and waybill"
        case MatchRule.inventoryLink.rawValue: "三单对碰: inventory does not link to the order"
        case MatchRule.inventoryItems.rawValue: "三单对碰: inventory lines differ from the order's"
        case FlowEngine.FilingRule.duplicateDocument.rawValue: "a document with keys already held"
        case FlowEngine.FilingRule.noSuchDocument.rawValue: "a change or deletion of an unknown document"
        case FlowEngine.FilingRule.alreadyForwarded.rawValue: "a change of a document already sent to customs"
        case FlowEngine.FilingRule.alreadyReleased.rawValue: "a deletion after release"
        case creditFlag: "enterprise flagged by a credit notice (blacklist)"
        case unspecified: "no rule or status named"
        case "CUSTOMS_100": "customs: rejected (退单)"
        case "CUSTOMS_700": "customs: returned (退运)"
        case _ where code.hasPrefix("CUSTOMS_"): "customs: refused with this receipt status"
        default: ""
        }
    }
}
