import HubProtocol

/// The tax office's files (export tax refund, 出口退税): the hub sends the lines of released
/// export inventories with the customs declaration number (entryId) they were summarized
/// under, and reads back the refund decisions.
///
/// CSV with CSV.swift: UTF-8, a header row, RFC 4180 quoting, CRLF; a byte order mark is
/// accepted on reading and optional on writing. Currencies are the hub's customs codes
/// ("142", "502") on export; on import a customs code or an ISO code ("CNY") is accepted
/// and stored as the customs code.
public enum TaxCSV {
    /// The columns of the export file, in order.
    public static let exportColumns = [
        "entryId", "sumNo", "invtNo", "orderNo", "ebcCode", "gcode", "gname", "qty", "unit", "totalPrice", "currency",
        "exportDate",
    ]
    /// The columns the refund result file's header must have (any order, more allowed).
    public static let refundColumns = [
        "entryId", "invtNo", "ebcCode", "decision", "refundAmount", "currency", "reason", "decidedDate",
    ]
    /// The hub message type of a refund decision.
    public static let refundResultType = MessageType.refundResult.rawValue

    /// One row per inventory line of `notice`, when `summary` lists the notice's
    /// inventory; no rows otherwise. The row's currency is the line's, else the notice's.
    /// - Parameters:
    ///   - notice: the release notice of an export inventory.
    ///   - summary: the summary result (CEB792) carrying the entryId.
    ///   - exportDate: YYYYMMDD, as the tax office wants it (e.g. the notice's ie date).
    public static func exportLines(notice: BizReleaseNotice, summary: BizSummaryResult, exportDate: String) -> [[String]] {
        guard !notice.invtNo.isEmpty, summary.summaryResultList.contains(where: { $0.invtNo == notice.invtNo }) else {
            return []
        }
        return notice.inventoryList.map { line in
            [
                summary.entryID, summary.sumNo, notice.invtNo, notice.orderNo, notice.ebcCode, line.gcode, line.gname,
                line.qty, line.unit, line.totalPrice, line.currency.isEmpty ? notice.currency : line.currency, exportDate,
            ]
        }
    }

    /// The export file: ``exportColumns`` as header, then `lines`.
    /// - Parameter byteOrderMark: start with a UTF-8 byte order mark (for spreadsheets).
    public static func exportFile(_ lines: [[String]], byteOrderMark: Bool = false) throws -> [UInt8] {
        try CSVTable.write(header: exportColumns, rows: lines, byteOrderMark: byteOrderMark)
    }

    /// Reads the tax office's refund decisions, one "tax.RefundResult" per row at
    /// position "line N".
    ///
    /// Required in every row: entryId, invtNo, decision (`accepted`/`1`, `refused`/`0`,
    /// `pending`), decidedDate (YYYYMMDD or YYYY-MM-DD); refundAmount when accepted. A
    /// refundAmount given must be a decimal; a currency a customs or known ISO code.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - fileName: the file's name (unused in the messages; kept for symmetry with the
    ///     other readers and future use in errors).
    /// - Throws: `FormatError` at "line N, column X" (`.missingField`, `.invalidValue`),
    ///   at "line 1, column X" for a column missing from the header, `.syntax` for CSV
    ///   that does not parse.
    public static func readRefundResults(_ data: [UInt8], fileName: String) throws -> [InboundDocument] {
        try CSVTable.read(data, requiredColumns: refundColumns).map { record in
            var result = BizRefundResult()
            result.entryID = try record.required("entryId")
            result.invtNo = try record.required("invtNo")
            result.ebcCode = record.optional("ebcCode")
            result.decision = try ReportCells.decision(record, "decision")
            result.refundAmount = try ReportCells.amount(record, "refundAmount", required: result.decision == .accepted)
            result.currency = try ReportCells.currency(record, "currency")
            result.reason = record.optional("reason")
            result.decidedDate = try ReportCells.date(record, "decidedDate", required: true)
            return try ReportCells.document(result, type: refundResultType, line: record.line)
        }
    }
}
