import HubProtocol

/// Customs' tax bills (电子税单, `ceb.TaxBill`, CEB816) and their status changes
/// (`ceb.TaxStatus`, CEB818) name a released import inventory by `invt_no`. Customs sends
/// them to the hub, which delivers them to their subscribers as routed; the flows pass each
/// on, as filed, to the declaration's filers who answer for its taxes — the inventory's
/// filer and the order's (the platform or the e-commerce enterprise; not the payment's or
/// the waybill's filer unless it filed the inventory) — so that the enterprise that filed
/// once gets its tax bill through the single window too. Id `taxbill:<customs>:<id>`,
/// `correlation_id` the inventory's id (so `swhub trace` shows it with the declaration).
/// A filer the tax bill reached already (a subscriber, an explicit recipient) does not get
/// it twice; a bill naming no inventory the flows hold (released longer than
/// `flows.declaration.after_release_days` ago, withdrawn before its release, or never
/// declared through the hub) goes to its subscribers only.
extension FlowEngine {
    /// A tax bill or tax status from customs about `invtNo`: the copy for the declaration's filers.
    mutating func taxBill(invtNo: String, _ input: FlowInput) -> [FlowEmission] {
        guard customsParties.contains(input.sender), !invtNo.isEmpty, let record = afterRelease.records[invtNo], record.wasReleased
        else { return [] }
        var recipients: [String] = []
        for filer in record.filers
        where filer == record.declaration.sender || (filer != record.paymentFiler && filer != record.waybillFiler) {
            guard filer != input.sender, !input.recipients.contains(filer), !recipients.contains(filer) else { continue }
            recipients.append(filer)
        }
        guard !recipients.isEmpty else { return [] }
        return [
            FlowEmission(
                .taxBillShare(customs: input.sender, billId: input.id), type: MessageType(input.type), recipients: recipients,
                correlationId: record.declaration.id, body: input.body)
        ]
    }
}
