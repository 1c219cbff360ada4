import HubProtocol

/// What goes out when customs releases an inventory: one `ReleaseNotice` built from the
/// linked declaration and the release receipt, for the tax and forex departments, the
/// party that filed the payment (the paying bank or payment company) and the party that
/// filed the waybill (logistics company or post). Each recipient sees only its fields: the
/// sharing policy's `hide` for `flow.ReleaseNotice` is applied on delivery.
public enum ReleaseNotices {
    /// The notice for `declaration`, released by `receipt`.
    public static func notice(for declaration: DeclarationLinker.Declaration, receipt: BizReceipt) -> BizReleaseNotice {
        let inventory = declaration.inventory.document
        var notice = BizReleaseNotice()
        notice.invtNo = receipt.invtNo.isEmpty ? inventory.invtNo : receipt.invtNo
        notice.copNo = inventory.copNo
        notice.preNo = receipt.preNo.isEmpty ? inventory.preNo : receipt.preNo
        notice.customsCode = inventory.customsCode
        notice.portCode = inventory.portCode
        notice.ieFlag = inventory.ieFlag
        notice.tradeMode = inventory.tradeMode
        notice.statisticsFlag = inventory.statisticsFlag
        notice.orderNo = inventory.orderNo
        notice.ebpCode = inventory.ebpCode
        notice.ebcCode = inventory.ebcCode
        notice.ebcName = inventory.ebcName
        notice.agentCode = inventory.agentCode
        notice.logisticsCode = inventory.logisticsCode
        notice.logisticsNo = inventory.logisticsNo
        notice.payCode = declaration.payment.document.payCode
        notice.payTransactionID = declaration.payment.document.payTransactionID
        notice.totalPrice = declaration.order.document.goodsValue
        // An export inventory has no currency of its own: the proceeds' or the order's.
        notice.currency =
            [inventory.currency, declaration.payment.document.currency, declaration.order.document.currency]
            .first { !$0.isEmpty } ?? ""
        notice.status = receipt.status
        notice.returnTime = receipt.returnTime
        notice.inventoryList = inventory.inventoryList
        let payment = declaration.payment.document
        notice.amountPaid = payment.amountPaid.isEmpty ? payment.charge : payment.amountPaid
        notice.country = inventory.country
        return notice
    }

    /// Who receives it: the tax and forex departments of the config, the payment's filer
    /// and the waybill's filer, each once, in that order.
    public static func recipients(for declaration: DeclarationLinker.Declaration, config: HubConfig) -> [String] {
        var recipients: [String] = []
        let candidates =
            config.parties(withRole: .tax).map(\.id) + config.parties(withRole: .forex).map(\.id)
            + [declaration.payment.sender, declaration.waybill.sender]
        for party in candidates where !recipients.contains(party) { recipients.append(party) }
        return recipients
    }
}
