import HubProtocol

/// The standard's documents beyond the declaration's (``MessageType/otherCustomsDocuments``:
/// cancellations, returns, return tallies, arrivals, departures, waybill statuses, master
/// waybills, warehouse entries): who may file them. The router delivers them to customs
/// (``RoutingTable``); customs answers each with a `ceb.Receipt`.
extension FlowEngine {
    /// Why a document of `type` from `party` may not enter the journal, if it may not: like
    /// the declaration's documents, its filer needs a registration customs accepted and must
    /// not be blacklisted; so must the e-commerce enterprise (`ebc_code`) a cancellation or a
    /// return names.
    /// - Throws: when `body` is not the type's message.
    func customsDocumentRefusal(type: String, of party: String, body: [UInt8]) throws -> HubFailure? {
        let ebcCode: String
        switch type {
        case MessageType.cancellation: ebcCode = try BizCancellation(serializedBytes: body).ebcCode
        case MessageType.returnRequest: ebcCode = try BizReturnRequest(serializedBytes: body).ebcCode
        default: ebcCode = ""
        }
        if let failure = registrationRefusal(of: party) { return failure }
        for code in [partyCreditCode[party], ebcCode.isEmpty ? nil : customsCodes[ebcCode]].compactMap({ $0 }) {
            if let reason = credit.refusalReason(code) {
                return HubFailure(.blacklisted, "enterprise \(code) is \(reason)")
            }
        }
        return nil
    }
}
