import HubProtocol
import SwiftProtobuf

/// Declarations: 三单对碰, forwarding to customs, customs receipts, release notices.
extension FlowEngine {
    mutating func declarationActions(_ actions: [DeclarationLinker.Action]) -> [FlowEmission] {
        var out: [FlowEmission] = []
        for action in actions {
            let declaration: DeclarationLinker.Declaration
            let failures: [MatchFailure]
            switch action {
            case .matched(let linked):
                (declaration, failures) = (linked, [])
            case .mismatched(let linked, let failed):
                (declaration, failures) = (linked, failed)
            case .waiting(let found):
                out += waitingAction(found)
                continue
            }
            let key = FlowKey(sender: declaration.inventory.sender, id: declaration.inventory.id)
            waitingDeclarations[key] = nil
            forgetUnlinked(declaration)
            guard declarations[key] == nil, let customs = customsParties.first else { continue }
            let (flow, flowActions) = DeclarationFlow.start(
                key: key, declaration: declaration, failures: failures, customs: customs, atUs: nowUs)
            declarations[key] = flow
            receipts.register(key, declaration: declaration)
            let risk = assessRisk(key, matched: failures.isEmpty)  // FlowEngine+Risk.swift
            out += risk.notices
            if failures.isEmpty && !risk.held { out += forwardToCustoms(declaration, key: key, customs: customs) }
            out += declarationFlowActions(risk.held ? risk.flowActions : flowActions, key: key, receipt: nil)
        }
        return out
    }

    /// The four documents of the declaration under `key`, to `customs` (at once, or when a
    /// risk hold is released: the same ids either way), its receipts awaited by the forward's id.
    mutating func forwardToCustoms(_ declaration: DeclarationLinker.Declaration, key: FlowKey, customs: String) -> [FlowEmission] {
        receipts.register(key, forwardId: HubMessageId.forward(filer: key.sender, inventoryId: key.id, document: .inventory).description)
        func forward(_ kind: DeclarationDocument, _ document: some SwiftProtobuf.Message) -> FlowEmission {
            let id = HubMessageId.forward(filer: key.sender, inventoryId: key.id, document: kind)
            return FlowEmission(id, type: kind.messageType, recipients: [customs], correlationId: key.id, body: Self.bytes(document))
        }
        return [
            forward(.order, declaration.order.document), forward(.payment, declaration.payment.document),
            forward(.waybill, declaration.waybill.document), forward(.inventory, declaration.inventory.document),
        ]
    }

    mutating func receipt(_ receipt: BizReceipt, _ input: FlowInput) -> [FlowEmission] {
        guard customsParties.contains(input.sender) else { return [] }
        if let out = parcelReceipt(receipt, input) { return out }
        if ReceiptMatcher<FlowKey>.isSummaryReceipt(receipt) {
            if !receipt.sumNo.isEmpty {
                // A summary's receipt: remember customs' number for it, which its result carries.
                summaryBySumNo[receipt.sumNo] = receipt.copNo
                traces.append(.sumNo(receipt.sumNo), atUs: nowUs)
            }
            let status = receipt.status
            return summaryFeedback(
                receipt.copNo, ebcCode: receipt.ebcCode, status: status.description, code: receipt.sumNo, info: receipt.returnInfo,
                decision: status == .rejected || status == .returned ? .refused : .pending)
        }
        // A cancellation's or a return's receipt (CEB606/624, 214/626) answers that request.
        if let answered = requestReceipt(receipt, input) { return answered }
        // Each receipt moves only the document it answers (by its message type): an order's
        // 100 refuses the order, not the declaration.
        guard let (key, document) = receipts.matchDocument(receipt, correlationId: input.correlationId), var flow = declarations[key]
        else { return [] }
        let actions = flow.receipt(
            document: document, status: receipt.status, info: receipt.returnInfo, invtNo: receipt.invtNo, atUs: input.journaledAtUs)
        declarations[key] = flow
        return declarationFlowActions(actions, key: key, receipt: receipt)
    }

    mutating func declarationFlowActions(_ actions: [DeclarationFlow.Action], key: FlowKey, receipt: BizReceipt?) -> [FlowEmission] {
        guard let flow = declarations[key] else { return [] }
        var out: [FlowEmission] = []
        for action in actions {
            switch action {
            case .feedback(let feedback):
                out.append(self.feedback(feedback, subject: key, to: flow.filers))
            case .released:
                var releasing = receipt ?? BizReceipt()
                if releasing.invtNo.isEmpty { releasing.invtNo = flow.invtNo }
                let notice = ReleaseNotices.notice(for: flow.declaration, receipt: releasing)
                let recipients = sharedList(ReleaseNotices.recipients(for: flow.declaration, config: config))
                let body = Self.bytes(notice)
                let id = HubMessageId.releaseNotice(filer: key.sender, inventoryId: key.id)
                out.append(FlowEmission(id, type: .releaseNotice, recipients: recipients, correlationId: key.id, body: body))
                heldRecent.append(
                    HeldRecord(
                        type: .releaseNotice, body: body, recipients: recipients,
                        ref: HeldRef(sender: HubConfig.hubParty, id: id.description)),
                    atUs: nowUs)
                parcelReleased(flow, key: key, invtNo: notice.invtNo)
                out += noteRelease(flow, notice: notice, recipients: recipients, noticeId: id.description)
                // Only exports are summarized (SummaryAggregator): an import is no candidate,
                // and a candidate keeps only what a summary reads.
                let filed = flow.declaration.inventory.document
                guard filed.ieFlag == "E" else { continue }
                var inventory = BizInventory()
                inventory.invtNo = notice.invtNo
                inventory.ieFlag = filed.ieFlag
                inventory.ebcCode = filed.ebcCode
                inventory.ebcName = filed.ebcName
                inventory.customsCode = filed.customsCode
                inventory.agentCode = filed.agentCode
                inventory.agentName = filed.agentName
                inventory.loctNo = filed.loctNo
                addCandidate(
                    SummaryAggregator.Released(inventory: inventory, releaseDate: Self.day(nowUs)),
                    payer: flow.declaration.payment.sender, filer: key.sender, flow: flow)
            }
        }
        retireDeclaration(key)
        return out
    }

    /// Why a declaration document of `party` may not enter the journal, if it may not.
    func declarationRefusal(of party: String, ebcCode: String) -> HubFailure? {
        if let failure = registrationRefusal(of: party) { return failure }
        for code in [partyCreditCode[party], customsCodes[ebcCode]].compactMap({ $0 }) {
            if let reason = credit.refusalReason(code) {
                return HubFailure(.blacklisted, "enterprise \(code) is \(reason)")
            }
        }
        return nil
    }

    /// The declaration flow anchored by an inventory, for status displays.
    public func declaration(_ key: FlowKey) -> DeclarationFlow? { declarations[key] }

    /// Declarations by state, for statistics: linked ones only.
    public var declarationCount: Int { declarations.count }
}
