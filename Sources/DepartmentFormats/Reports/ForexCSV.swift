import HubProtocol

/// The foreign-exchange administration's files (收汇核验, settlement verification): the hub
/// sends one row per released order's payment, and reads back the verification results.
///
/// CSV with CSV.swift, as ``TaxCSV``: UTF-8, header row, RFC 4180 quoting, CRLF, byte
/// order mark accepted; currencies as customs codes on export, customs or ISO codes on
/// import (stored as customs codes).
public enum ForexCSV {
    /// The columns of the export file, in order.
    public static let exportColumns = ["orderNo", "payTransactionId", "amount", "currency", "payerCountry", "date"]
    /// The columns the settlement result file's header must have (any order, more allowed).
    public static let resultColumns = [
        "orderNo", "payTransactionId", "decision", "amount", "currency", "reason", "verifiedDate",
    ]
    /// The hub message type of a verification result.
    public static let settlementResultType = MessageType.settlementResult.rawValue

    /// The row of a released order's payment: order number, payment transaction id,
    /// amount (the notice's amount_paid: the import payment or the export proceeds),
    /// currency, payer country (the notice's country: on export the country of arrival,
    /// the foreign buyer's side), and the release date (YYYYMMDD of return_time).
    /// No row when the notice has no order number.
    public static func exportLines(notice: BizReleaseNotice) -> [[String]] {
        guard !notice.orderNo.isEmpty else { return [] }
        return [
            [
                notice.orderNo, notice.payTransactionID, notice.amountPaid, notice.currency, notice.country,
                ReportCells.day(notice.returnTime),
            ]
        ]
    }

    /// The export file: ``exportColumns`` as header, then `lines`.
    /// - Parameter byteOrderMark: start with a UTF-8 byte order mark (for spreadsheets).
    public static func exportFile(_ lines: [[String]], byteOrderMark: Bool = false) throws -> [UInt8] {
        try CSVTable.write(header: exportColumns, rows: lines, byteOrderMark: byteOrderMark)
    }

    /// Reads forex's verification results, one "forex.SettlementResult" per row at
    /// position "line N".
    ///
    /// Required in every row: orderNo, decision (`accepted`/`1`, `refused`/`0`,
    /// `pending`), verifiedDate (YYYYMMDD or YYYY-MM-DD); amount when accepted. An amount
    /// given must be a decimal; a currency a customs or known ISO code.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - fileName: the file's name (unused in the messages).
    /// - Throws: `FormatError` at "line N, column X" (`.missingField`, `.invalidValue`),
    ///   at "line 1, column X" for a column missing from the header, `.syntax` for CSV
    ///   that does not parse.
    public static func readSettlementResults(_ data: [UInt8], fileName: String) throws -> [InboundDocument] {
        try CSVTable.read(data, requiredColumns: resultColumns).map { record in
            var result = BizSettlementResult()
            result.orderNo = try record.required("orderNo")
            result.payTransactionID = record.optional("payTransactionId")
            result.decision = try ReportCells.decision(record, "decision")
            result.amount = try ReportCells.amount(record, "amount", required: result.decision == .accepted)
            result.currency = try ReportCells.currency(record, "currency")
            result.reason = record.optional("reason")
            result.verifiedDate = try ReportCells.date(record, "verifiedDate", required: true)
            return try ReportCells.document(result, type: settlementResultType, line: record.line)
        }
    }
}
