import HubProtocol
import SwiftProtobuf

/// Reads a bank's ISO 20022 account reports, camt.054 (BkToCstmrDbtCdtNtfctn, debit/credit
/// notification) and camt.053 (BkToCstmrStmt, statement), message versions 001.02 to
/// 001.08, into hub payments.
///
/// Every booked credit (CdtDbtInd CRDT; per TxDtls when the entry has transaction details,
/// else per Ntry) becomes a "ceb.Payment" linked to its order:
/// - order number: the first match of ``CamtOptions/orderPattern`` in the remittance
///   information (Ustrd lines, then Strd/CdtrRefInf/Ref, then AddtlTxInf, AddtlNtryInf),
///   else the EndToEndId;
/// - payment transaction id: the EndToEndId, else TxId, else AcctSvcrRef (an EndToEndId
///   "NOTPROVIDED" counts as absent for both);
/// - export ("E", CEB403): pay_no, charge, accounting_date (from the booking date), ebc
///   from the options; import ("I", CEB411): amount_paid, pay_time, payer_name (Dbtr);
/// - currency: the ISO code mapped to the customs code (``CurrencyCode``);
/// - note: the message id, the bank's reference and the debtor's account, agent BIC and
///   country, which BizPayment has no fields for.
///
/// A credit with no order number or no transaction id goes to ``CamtResult/unlinked``;
/// a return or reversal (``CamtReturn``: `RvslInd`, `RtrInf`, a return bank transaction
/// code), credit or debit, goes to ``CamtResult/returns`` and never becomes a payment;
/// other debits and pending entries are counted and skipped.
///
/// The file is a bare `Document`, or a business message as SWIFT CBPR+ sends it: a
/// Business Application Header (head.001 `AppHdr`) and the `Document` under an envelope
/// element. The header is checked against the document (``BusinessAppHeader``).
public enum CamtReader {
    /// The hub message type of the documents read.
    public static let documentType = MessageType.payment.rawValue

    /// Reads one camt.053 or camt.054 file.
    /// - Parameters:
    ///   - data: the file's bytes (UTF-8, or the encoding its XML declaration names).
    ///   - fileName: the file's name, for messages only.
    ///   - options: direction, codes and the order pattern.
    /// - Throws: `FormatError`: `.syntax` with the line for XML that is not well-formed,
    ///   `.unknownDocument` for a file without Document or another message (the reason
    ///   names it, from the namespace or the header), `.missingField` / `.invalidValue` at
    ///   the header's XPath for a header that is incomplete or contradicts the document,
    ///   `.missingField` /
    ///   `.invalidValue` with the XPath for a missing amount, a bad date or an unknown
    ///   currency of a credit.
    public static func read(_ data: [UInt8], fileName: String, options: CamtOptions) throws -> CamtResult {
        guard options.ieFlag == "E" || options.ieFlag == "I" else {
            throw FormatError(.invalidValue, at: "options.ieFlag", "'\(options.ieFlag)' is neither E nor I")
        }
        let pattern: Regex<AnyRegexOutput>
        do {
            pattern = try Regex(options.orderPattern)
        } catch {
            throw FormatError(.invalidValue, at: "options.orderPattern", "not a regular expression: \(error)")
        }
        let file = try ISO20022File.open(try XMLDocumentParser.root(data), fileName: fileName)
        let (messageType, message, reportName) = try identify(file, fileName: fileName)
        let header = try file.header.map {
            try BusinessAppHeader.read($0, messageType: messageType, overlaps: BusinessMessage.overlaps(file.document, messageType))
        }
        let groupHeader = message.child("GrpHdr")
        let messageId = groupHeader?.text("MsgId") ?? ""
        guard !messageId.isEmpty else {
            throw FormatError(.missingField, at: message.path + "/GrpHdr/MsgId", "the message has no MsgId")
        }
        // GrpHdr/CreDtTm is mandatory: the payments' app_time.
        guard let createdNode = groupHeader?.child("CreDtTm") else {
            throw FormatError(.missingField, at: message.path + "/GrpHdr/CreDtTm", "the message has no creation time (CreDtTm)")
        }
        guard let created = ISODateTime.cebTime(createdNode.text, utcOffsetMinutes: options.utcOffsetMinutes) else {
            throw FormatError(.invalidValue, at: createdNode.path, "'\(createdNode.text)' is not an ISO date-time")
        }

        var result = CamtResult(messageType: messageType, messageId: messageId, header: header)
        var number = 0
        for report in message.children(reportName) {
            // A copy or duplicate of a report (CpyDplctInd COPY, CODU, DUPL) repeats credits
            // the bank reported before: they are listed for a person, never filed again.
            let copy = report.text("CpyDplctInd").trimmingCharacters(in: .whitespacesAndNewlines)
            if !copy.isEmpty, !["COPY", "CODU", "DUPL"].contains(copy) {
                throw FormatError(.invalidValue, at: report.path + "/CpyDplctInd", "'\(copy)' is not COPY, CODU or DUPL")
            }
            for entry in report.children("Ntry") {
                number += 1
                switch try CamtEntryParser.parse(entry, number: number, utcOffsetMinutes: options.utcOffsetMinutes) {
                case .notBooked: result.notBookedSkipped += 1
                case .booked(let transactions):
                    for transaction in transactions {
                        let link = Link(transaction.references, pattern: pattern)
                        if transaction.signs.isReturnOrReversal {
                            result.returns.append(returned(transaction, orderNo: link.orderNo))
                            continue
                        }
                        guard transaction.isCredit else {
                            result.debitsSkipped += 1
                            continue
                        }
                        if let reason = copy.isEmpty ? link.missing : Self.copyReason(copy) {
                            result.unlinked.append(
                                CamtUnlinkedCredit(
                                    position: transaction.position, amount: transaction.amount, currency: transaction.currency,
                                    bookingDate: transaction.bookingDate, references: transaction.references, reason: reason))
                            continue
                        }
                        let payment = try payment(
                            transaction, link: link, options: options, messageType: messageType, messageId: messageId,
                            appTime: created, header: header)
                        result.documents.append(
                            InboundDocument(type: documentType, body: try serialized(payment), position: transaction.position))
                    }
                }
            }
        }
        return result
    }

    /// Why a credit of a report marked `copy` is not filed.
    static func copyReason(_ copy: String) -> String {
        "the report is marked \(copy) (\(copy == "DUPL" ? "a duplicate of" : "a copy of") a report sent before): "
            + "its credits are not filed again; file this one by hand only if the original never arrived"
    }

    /// The versions read.
    static let versions = (2...8).map { "001.0\($0)" }

    /// The message type, the message element and the name of its report elements.
    private static func identify(_ file: ISO20022File, fileName: String) throws -> (String, XMLNode, String) {
        let type = file.messageType
        let read = "the bank adapter reads camt.053 and camt.054, versions 001.02 to 001.08"
        guard !type.isEmpty else {
            let named = file.header.map { " (its header names \(ISO20022File.describe($0.text("MsgDefIdr"))))" } ?? ""
            throw FormatError(
                .unknownDocument, at: file.document.path,
                "\(fileName): namespace '\(file.namespace)' is not an ISO 20022 message's\(named); \(read)")
        }
        let kinds = ["camt.053": ("BkToCstmrStmt", "Stmt"), "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")]
        guard let kind = kinds[String(type.prefix(8))], versions.contains(String(type.dropFirst(9))), type.count == 15 else {
            throw FormatError(
                .unknownDocument, at: file.document.path, "\(fileName): the message is \(ISO20022File.describe(type)); \(read)")
        }
        guard let message = file.document.childElements.first, message.localName == kind.0 else {
            throw FormatError(.unknownDocument, at: file.document.path + "/" + kind.0, "a \(type) document must hold \(kind.0)")
        }
        return (type, message, kind.1)
    }

    /// A return or reversal, as reported.
    private static func returned(_ transaction: CamtTransaction, orderNo: String) -> CamtReturn {
        let signs = transaction.signs
        return CamtReturn(
            kind: signs.reversal ? .reversal : .returned, position: transaction.position, path: transaction.path,
            isCredit: transaction.isCredit, amount: transaction.amount, currency: transaction.currency,
            bookingDate: transaction.bookingDate, references: transaction.references, orderNo: orderNo,
            bankTransactionCode: signs.bankTransactionCode, reasonCode: signs.reasonCode, reasonText: signs.reasonText,
            evidence: signs.evidence)
    }

    /// The order number and the payment transaction id of a credit, or why they are missing.
    struct Link {
        var orderNo = ""
        var transactionId = ""

        init(_ references: CamtReferences, pattern: Regex<AnyRegexOutput>) {
            let endToEnd = references.endToEndId.uppercased() == "NOTPROVIDED" ? "" : references.endToEndId
            for text in references.remittance {
                guard let match = try? pattern.firstMatch(in: text) else { continue }
                let captured = match.output.count > 1 ? match.output[1].substring : match.output[0].substring
                if let captured, !captured.isEmpty, captured.uppercased() != "NOTPROVIDED" {
                    orderNo = String(captured)
                    break
                }
            }
            if orderNo.isEmpty { orderNo = endToEnd }
            transactionId =
                [endToEnd, references.transactionId, references.accountServicerReference]
                .first { !$0.isEmpty } ?? ""
        }

        /// Why the credit cannot become a payment, nil when it can.
        var missing: String? {
            if orderNo.isEmpty {
                return "no order number: the remittance information does not match the order pattern and there is no EndToEndId"
            }
            if transactionId.isEmpty { return "no EndToEndId, TxId or AcctSvcrRef to use as the payment transaction id" }
            return nil
        }
    }

    private static func payment(
        _ transaction: CamtTransaction, link: Link, options: CamtOptions, messageType: String, messageId: String,
        appTime: String, header: BusinessAppHeader?
    ) throws -> BizPayment {
        var payment = BizPayment()
        payment.guid = StableGUID.make("camt", messageId, transaction.position)
        payment.appType = .new
        payment.appTime = appTime.isEmpty ? transaction.bookingDate : appTime
        payment.appStatus = .declared
        payment.ieFlag = options.ieFlag
        payment.payCode = options.payCode
        payment.payName = options.payName
        payment.payTransactionID = link.transactionId
        payment.orderNo = link.orderNo
        payment.ebpCode = options.ebpCode
        payment.ebpName = options.ebpName
        payment.currency = try CurrencyCode.customsCode(forISO: transaction.currency, at: transaction.currencyPath)
        if options.ieFlag == "E" {
            guard !transaction.bookingDate.isEmpty else {
                throw FormatError(.missingField, at: transaction.path + "/BookgDt", "an export proceeds entry needs a booking date")
            }
            payment.ebcCode = options.ebcCode
            payment.ebcName = options.ebcName
            payment.payNo = link.transactionId
            payment.charge = transaction.amount
            payment.accountingDate = transaction.bookingDate
        } else {
            payment.amountPaid = transaction.amount
            payment.payTime = transaction.bookingDate
            payment.payerName = transaction.debtorName
        }
        let references = transaction.references
        payment.note = [
            (messageType, messageId), ("AcctSvcrRef", references.accountServicerReference),
            ("DbtrAcct", transaction.debtorAccount), ("DbtrAgt", transaction.debtorAgentBIC),
            ("DbtrCtry", transaction.debtorCountry), ("Dbtr", options.ieFlag == "E" ? transaction.debtorName : ""),
            ("AppHdr", header.map { "\($0.from)>\($0.to) \($0.businessMessageId)" } ?? ""),
        ].filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }.joined(separator: "; ")
        return payment
    }

    private static func serialized(_ payment: BizPayment) throws -> [UInt8] {
        do {
            return try payment.serializedBytes()
        } catch {
            throw FormatError(.unsupported, "the payment cannot be serialized: \(error)")
        }
    }
}
