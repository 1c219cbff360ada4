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
        // The released lines' sum (an inventory without lines, or with a line whose total
        // is not a decimal, falls back to the order's goods value).
        notice.totalPrice = sum(inventory.inventoryList.map(\.totalPrice)) ?? declaration.order.document.goodsValue
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

    /// The exact sum of decimal strings (the standard's form: digits, an optional point, an
    /// optional leading minus), written with the most decimals any of them has; nil when
    /// there are none or one is not such a number.
    ///
    /// - Parameter values: Decimal strings, e.g. the lines' `total_price`.
    public static func sum(_ values: [String]) -> String? {
        guard !values.isEmpty else { return nil }
        var parsed: [(units: Int128, scale: Int)] = []
        for text in values {
            let negative = text.hasPrefix("-")
            let parts = (negative ? text.dropFirst() : Substring(text)).split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count + (parts.count == 2 ? parts[1].count : 0) <= 30,
                parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), let units = Int128(parts.joined())
            else { return nil }
            parsed.append((negative ? -units : units, parts.count == 2 ? parts[1].count : 0))
        }
        let scale = parsed.map(\.scale).max() ?? 0
        var total: Int128 = 0
        for value in parsed {
            var units = value.units
            for _ in value.scale..<scale { units *= 10 }
            total += units
        }
        let digits = String(total.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let sign = total < 0 ? "-" : ""
        guard scale > 0 else { return sign + padded }
        return sign + padded.dropLast(scale) + "." + padded.suffix(scale)
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
