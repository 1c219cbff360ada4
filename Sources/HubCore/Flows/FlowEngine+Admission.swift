import HubProtocol

/// Whether a submission may enter the journal, decided before it is journaled from the
/// flows' state: registrations, blacklists and who may send what.
extension FlowEngine {
    /// Nil if `party` may submit this message; otherwise the refusal. `recipients` are the
    /// header's explicit recipients.
    public func admit(type: String, from party: String, recipients: [String], body: [UInt8]) -> HubFailure? {
        guard Self.reads(type: type) else { return nil }
        let roles = config.party(party)?.roles ?? []
        let isDepartment = roles.contains(where: \.isDepartment)
        let isCustoms = roles.contains(.customs)
        do {
            switch type {
            case MessageType.registration:
                let registration = try BizRegistration(serializedBytes: body)
                if let reason = credit.refusalReason(registration.socialCreditCode) {
                    return HubFailure(.blacklisted, "enterprise \(registration.socialCreditCode) is \(reason)")
                }
            case MessageType.order:
                return declarationRefusal(of: party, ebcCode: try BizOrder(serializedBytes: body).ebcCode)
            case MessageType.payment:
                return declarationRefusal(of: party, ebcCode: try BizPayment(serializedBytes: body).ebcCode)
            case MessageType.waybill:
                return declarationRefusal(of: party, ebcCode: try BizWaybill(serializedBytes: body).ebcCode)
            case MessageType.inventory:
                return declarationRefusal(of: party, ebcCode: try BizInventory(serializedBytes: body).ebcCode)
            case MessageType.cancellation, MessageType.returnRequest, MessageType.returnTally, MessageType.arrival,
                MessageType.departure, MessageType.waybillStatus, MessageType.masterWaybill, MessageType.warehouseEntry:
                return try customsDocumentRefusal(type: type, of: party, body: body)
            case MessageType.registrationResult, MessageType.creditNotice, MessageType.answer:
                if !isDepartment { return notEntitled(party, type, "only departments send it") }
            case MessageType.receipt, MessageType.summaryResult, MessageType.taxBill, MessageType.taxStatus:
                if !isCustoms { return notEntitled(party, type, "only customs sends it") }
            case MessageType.refundResult:
                if !roles.contains(.tax) { return notEntitled(party, type, "only the tax department sends it") }
            case MessageType.settlementResult:
                if !roles.contains(.forex) { return notEntitled(party, type, "only the forex department sends it") }
            case MessageType.adapterEvent:
                if !isDepartment { return notEntitled(party, type, "only departments' adapters send it") }
            case MessageType.query:
                let query = try BizQuery(serializedBytes: body)
                guard mayQuery(party, subject: query.subject) else {
                    return notEntitled(party, type, "the policy does not let '\(party)' ask about '\(query.subject)'")
                }
                let relayed = recipients.contains { $0 != party && $0 != HubConfig.hubParty }
                if !relayed && !Self.heldTypes.contains(MessageType(query.subject)) {
                    return HubFailure(
                        .unknownRecipient,
                        "the hub answers queries about \(Self.heldTypes.sorted().map(\.rawValue).joined(separator: ", ")) itself; for '\(query.subject)' name the owning department in header.recipients"
                    )
                }
            case MessageType.summaryRequest:
                let request = try BizSummaryRequest(serializedBytes: body)
                if isCustoms || roles.contains(.declarationAgent) { return nil }
                guard roles.contains(.ecommerceEnterprise), isOwnCustomsCode(request.ebcCode, of: party) else {
                    return notEntitled(
                        party, type,
                        "customs and declaration agents may request summaries; an e-commerce enterprise only with ebc_code set to its own registered customs code"
                    )
                }
            case MessageType.riskNotice, MessageType.riskDisposition:
                return try riskRefusal(type: type, of: party, body: body)
            case MessageType.feedback, MessageType.releaseNotice, MessageType.summaryDeclaration, MessageType.withdrawalNotice,
                MessageType.returnNotice:
                return notEntitled(party, type, "only the hub's flows emit it")
            default:
                return nil
            }
        } catch {
            return HubFailure(.malformedBody, "body of type '\(type)' is not a \(HubConfig.flowTypes[type] ?? "message"): \(error)")
        }
        return nil
    }

    private func notEntitled(_ party: String, _ type: String, _ why: String) -> HubFailure {
        HubFailure(.notEntitled, "'\(party)' may not send \(type): \(why)")
    }

    /// Whether `code` is a customs code of `party`'s registration, as filed or as customs
    /// assigned it (any of them: which one came first is not kept, and a dictionary's
    /// order differs between an engine and its restored snapshot).
    private func isOwnCustomsCode(_ code: String, of party: String) -> Bool {
        guard let creditCode = partyCreditCode[party] else { return false }
        return customsCodes[code] == creditCode
    }
}
