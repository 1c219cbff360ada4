import HubProtocol

/// The reversals the hub tells tax and forex about after a release (撤销 and 退货): a
/// withdrawal (`flow.WithdrawalNotice`, customs approved the cancellation of a released
/// inventory) or a return (`flow.ReturnNotice`, customs approved the return of some of its
/// goods). One CSV per notice, written by the tax and the forex adapters beside their
/// export files, with the rules of ``TaxCSV`` (UTF-8, header row, RFC 4180, CRLF).
public enum ReversalCSV {
    /// The columns, in order.
    public static let columns = [
        "kind", "noticeId", "invtNo", "orderNo", "ebcCode", "ieFlag", "payTransactionId", "gnum", "gcode", "gname", "qty", "unit",
        "amount", "currency", "remainingQty", "refundBasisUndone", "refundPaid", "refundedAmount", "summaryId", "approvedDate",
        "reason",
    ]

    /// One row for a withdrawal: the whole release taken back (`gnum` and the quantities
    /// empty, `amount` what the release still covered).
    /// - Parameters:
    ///   - notice: the withdrawal notice.
    ///   - id: its hub message id (`wdn:…`).
    public static func lines(withdrawal notice: BizWithdrawalNotice, id: String) -> [[String]] {
        [
            [
                "withdrawal", id, notice.invtNo, notice.orderNo, notice.ebcCode, notice.ieFlag, notice.payTransactionID, "", "", "", "",
                "", notice.totalPrice, notice.currency, "0", flag(notice.refundBasisUndone), flag(notice.refundPaid),
                notice.refundedAmount, notice.summaryID, ReportCells.day(notice.approvedTime), notice.reason,
            ]
        ]
    }

    /// One row per returned line: quantity, the amount reversed and what remains released.
    /// - Parameters:
    ///   - notice: the return notice.
    ///   - id: its hub message id (`rtn:…`).
    public static func lines(return notice: BizReturnNotice, id: String) -> [[String]] {
        notice.items.map { item in
            [
                "return", id, notice.invtNo, notice.orderNo, notice.ebcCode, notice.ieFlag, notice.payTransactionID, String(item.gnum),
                item.gcode, item.gname, item.qty, item.unit, item.amount, notice.currency, item.remainingQty,
                flag(notice.refundBasisUndone), flag(notice.refundPaid), notice.refundedAmount, notice.summaryID,
                ReportCells.day(notice.approvedTime), notice.reason,
            ]
        }
    }

    /// The file: ``columns`` as header, then `lines`.
    /// - Parameter byteOrderMark: start with a UTF-8 byte order mark (for spreadsheets).
    public static func file(_ lines: [[String]], byteOrderMark: Bool = false) throws -> [UInt8] {
        try CSVTable.write(header: columns, rows: lines, byteOrderMark: byteOrderMark)
    }

    /// The rows of a delivered withdrawal or return notice, nil for any other message.
    /// - Parameters:
    ///   - type: the hub message type.
    ///   - id: the message id.
    ///   - body: the serialized notice.
    public static func lines(type: String, id: String, body: [UInt8]) -> [[String]]? {
        switch type {
        case MessageType.withdrawalNotice: (try? BizWithdrawalNotice(serializedBytes: body)).map { lines(withdrawal: $0, id: id) }
        case MessageType.returnNotice: (try? BizReturnNotice(serializedBytes: body)).map { lines(return: $0, id: id) }
        default: nil
        }
    }

    private static func flag(_ value: Bool) -> String { value ? "1" : "0" }
}
