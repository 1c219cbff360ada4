import HubProtocol
import SwiftProtobuf

/// The standard's `appType` on the four declaration documents (1 new, 2 change, 3 delete),
/// with their business keys (DeclarationLinker+Filings.swift): nothing filed is replaced
/// silently.
///
/// - **1 new** (or unset): a document whose keys the flows already hold — waiting to be
///   linked, or in a declaration forwarded to customs and not finished — is refused:
///   final feedback REFUSED about it, rule `DUPLICATE_DOCUMENT`; the held one stays. (The
///   documents of a refused declaration do not hold their keys: a new filing takes over.)
/// - **2 change**: replaces the held document not yet forwarded and runs the matching
///   again; the filers of a waiting declaration get its new feedback (a changed inventory
///   anchors the declaration from then on, and the one it replaced gets the final feedback
///   WITHDRAWN). A document of a forwarded declaration cannot be changed
///   (`ALREADY_FORWARDED`); a change of nothing held is refused (`NO_SUCH_DOCUMENT`).
/// - **3 delete**: withdraws the held document: one not yet forwarded links to nothing any
///   more (a waiting declaration it belonged to is told what is missing now, one whose
///   inventory it was ends WITHDRAWN); a forwarded declaration not yet released ends
///   WITHDRAWN and the deletion is forwarded to customs (`fwd:<filer>:<deletion id>:<document>`);
///   after the release it is refused (`ALREADY_RELEASED`: customs' cancellation is the way).
///
/// Refusals and confirmations are feedback about the document itself (`subject_type` its
/// type, `subject_id` its id), to its filer, final.
extension FlowEngine {
    /// The rules of a document's `appType` against what the flows hold, each with a stable
    /// name that feedback reasons start with.
    public enum FilingRule: String, CaseIterable, Sendable {
        /// A new document (`appType` 1) with the business keys of one the flows hold.
        case duplicateDocument = "DUPLICATE_DOCUMENT"
        /// A change or deletion (`appType` 2 or 3) of a document the flows do not hold.
        case noSuchDocument = "NO_SUCH_DOCUMENT"
        /// A change of a document already forwarded to customs.
        case alreadyForwarded = "ALREADY_FORWARDED"
        /// A deletion of a document whose declaration customs released.
        case alreadyReleased = "ALREADY_RELEASED"
    }

    /// A declaration document was journaled.
    mutating func filed(_ filed: FiledDocument, _ input: FlowInput) -> [FlowEmission] {
        let document = filed.kind
        let held = linker.held(document, key: filed.linkerKey)
        let live = liveDeclaration(filed)
        let names = Self.keyNames(document)
        switch filed.appType {
        case .change:
            if let held {
                return replace(filed, input, held: held)
            }
            if let live {
                return refuse(input, .alreadyForwarded, names, "the declaration \(live.id) holding it was forwarded to customs")
            }
            return refuse(input, .noSuchDocument, names, "no \(document.messageType.rawValue) with these keys waits to be linked")
        case .delete:
            if let held { return withdraw(filed, input, held: held) }
            if let live { return withdrawForwarded(document, input, declaration: live) }
            return refuse(input, .noSuchDocument, names, "no \(document.messageType.rawValue) with these keys is held")
        default:
            if let held, !held.kept {
                return refuse(input, .duplicateDocument, names, "\(held.id) of \(held.sender) has these keys; change it with app_type 2")
            }
            if let live {
                return refuse(
                    input, .duplicateDocument, names, "the declaration \(live.id) holding one with these keys is in progress")
            }
            return declarationActions(add(filed, input))
        }
    }

    /// The linker's actions for a document added (or replacing one with its keys).
    private mutating func add(_ filed: FiledDocument, _ input: FlowInput) -> [DeclarationLinker.Action] {
        switch filed {
        case .order(let order):
            trackUnlinked(.order, input, subjectKey: order.orderNo)
            return linker.add(order: .init(id: input.id, sender: input.sender, document: order))
        case .payment(let payment):
            trackUnlinked(.payment, input, subjectKey: payment.payTransactionID)
            return linker.add(payment: .init(id: input.id, sender: input.sender, document: payment))
        case .waybill(let waybill):
            trackUnlinked(.waybill, input, subjectKey: waybill.logisticsNo)
            return linker.add(waybill: .init(id: input.id, sender: input.sender, document: waybill))
        case .inventory(let inventory):
            return linker.add(inventory: .init(id: input.id, sender: input.sender, document: inventory))
        }
    }

    /// A change (`appType` 2) of a document the linker holds.
    private mutating func replace(_ filed: FiledDocument, _ input: FlowInput, held: DeclarationLinker.Held) -> [FlowEmission] {
        var out: [FlowEmission] = []
        if case .inventory(let inventory) = filed {
            // The new inventory anchors the declaration: the one it replaces ends.
            let old = FlowKey(sender: held.sender, id: held.id)
            if let found = linker.waiting(old, ebpCode: inventory.ebpCode, orderNo: inventory.orderNo) {
                out += endWaiting(old, found: found, reason: "WITHDRAWN: replaced by \(input.id) of \(input.sender) (app_type 2)")
            }
        }
        if filed.kind != .inventory {
            // (A changed inventory's confirmation is its declaration's own feedback.)
            out += documentFeedback(
                input, state: .accepted, reason: "CHANGED: replaces \(held.id) of \(held.sender); the matching runs again with it")
        }
        return out + declarationActions(add(filed, input))
    }

    /// A deletion (`appType` 3) of a document the linker holds.
    private mutating func withdraw(_ filed: FiledDocument, _ input: FlowInput, held: DeclarationLinker.Held) -> [FlowEmission] {
        var out: [FlowEmission] = []
        let heldKey = FlowKey(sender: held.sender, id: held.id)
        if case .inventory(let inventory) = filed,
            let found = linker.waiting(heldKey, ebpCode: inventory.ebpCode, orderNo: inventory.orderNo)
        {
            out += endWaiting(heldKey, found: found, reason: "WITHDRAWN: by \(input.id) of \(input.sender) (app_type 3)")
        }
        let actions = linker.withdraw(filed.kind, key: filed.linkerKey, held: held)
        out += documentFeedback(input, state: .withdrawn, reason: "WITHDRAWN: \(held.id) of \(held.sender)")
        return out + declarationActions(actions)
    }

    /// A deletion (`appType` 3) of a document of a declaration forwarded to customs.
    private mutating func withdrawForwarded(_ document: DeclarationDocument, _ input: FlowInput, declaration key: FlowKey)
        -> [FlowEmission]
    {
        guard var flow = declarations[key] else { return [] }
        let status = flow.customsStatus.status
        if let rank = status.rank, let released = CustomsStatus.released.rank, rank >= released {
            return refuse(
                input, .alreadyReleased, Self.keyNames(document),
                "customs released the declaration \(key.id); ask customs for a cancellation")
        }
        let actions = flow.withdraw("WITHDRAWN: by \(input.id) of \(input.sender) (app_type 3)", atUs: nowUs)
        declarations[key] = flow
        let forward = FlowEmission(
            HubMessageId.forward(filer: input.sender, inventoryId: input.id, document: document), type: document.messageType,
            recipients: [flow.customs], correlationId: key.id, body: input.body)
        var out = documentFeedback(
            input, state: .withdrawn, reason: "WITHDRAWN: the declaration \(key.id), forwarded to customs as \(forward.id)")
        out.append(forward)
        return out + declarationFlowActions(actions, key: key, receipt: nil)
    }

    /// The declaration in progress (forwarded, not final) that holds a document with the
    /// keys of `filed`, if any.
    private func liveDeclaration(_ filed: FiledDocument) -> FlowKey? {
        guard let subject = receipts.subject(for: filed.receiptKey), declarations[subject] != nil else { return nil }
        return subject
    }

    /// The business key fields of a document, as `document.field`.
    static func keyNames(_ document: DeclarationDocument) -> [String] {
        switch document {
        case .order: ["order.ebp_code", "order.order_no"]
        case .payment: ["payment.pay_code", "payment.pay_transaction_id"]
        case .waybill: ["waybill.logistics_code", "waybill.logistics_no"]
        case .inventory: ["inventory.ebp_code", "inventory.order_no"]
        }
    }

    /// Final feedback REFUSED about the document of `input`, to its filer.
    private mutating func refuse(_ input: FlowInput, _ rule: FilingRule, _ fields: [String], _ why: String) -> [FlowEmission] {
        documentFeedback(input, state: .refused, reason: "\(rule.rawValue) [\(fields.joined(separator: ", "))]: \(why)")
    }

    /// Final feedback about the document of `input` (a refusal, a change or deletion
    /// done), to its filer.
    private mutating func documentFeedback(_ input: FlowInput, state: BizFeedbackState, reason: String) -> [FlowEmission] {
        var feedback = BizFeedback()
        feedback.subjectType = input.type
        feedback.subjectID = input.id
        feedback.subjectKey = Self.subjectKey(input)
        feedback.state = state
        feedback.reasons = [reason]
        feedback.updatedAtUs = nowUs
        feedback.final = true
        let subject = FlowKey(sender: input.sender, id: input.id)
        let emission = self.feedback(feedback, subject: subject, to: [input.sender])
        if let kind = FlowTally.kind(of: input.type) {
            forgetTally(kind, subject, feedback: feedback)
        } else {
            tally.forget(subject)
        }
        return [emission]
    }

    /// The business key a document's feedback names: the order number (the payment's
    /// transaction, the waybill's number).
    private static func subjectKey(_ input: FlowInput) -> String {
        switch MessageType(input.type) {
        case .order: (try? BizOrder(serializedBytes: input.body))?.orderNo ?? ""
        case .payment: (try? BizPayment(serializedBytes: input.body))?.payTransactionID ?? ""
        case .waybill: (try? BizWaybill(serializedBytes: input.body))?.logisticsNo ?? ""
        default: (try? BizInventory(serializedBytes: input.body))?.orderNo ?? ""
        }
    }
}
