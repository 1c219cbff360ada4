/// A booked entry (or one transaction of it) that returns or reverses a payment: it is
/// reported for a person and never becomes a hub payment, whichever way the money moved.
///
/// What makes it one (any of):
/// - `RvslInd` true on the entry (a reversal of an earlier booking);
/// - return information (`TxDtls/RtrInf`, with its reason such as AC01);
/// - a bank transaction code (`BkTxCd`, of the entry or the transaction) whose sub-family
///   is a return or reversal of ISO 20022's external code list (``returnSubFamilies``,
///   e.g. `PMNT/ICDT/RRTN`, `PMNT/RCDT/RPCR`), or a proprietary code naming one, e.g.
///   `PMNT/ESCT/RRTN` or SWIFT MT's returned item `NRTI`.
public struct CamtReturn: Sendable, Equatable {
    /// A reversal of an earlier booking, or a returned payment.
    public enum Kind: String, Sendable {
        /// The entry is a reversal (`RvslInd` true).
        case reversal
        /// A returned payment (return information or a return bank transaction code).
        case returned = "return"
    }

    public var kind: Kind
    /// "entry N" or "entry N tx M".
    public var position: String
    /// The XPath of the Ntry or TxDtls element.
    public var path: String
    /// True for a credit (CRDT), false for a debit.
    public var isCredit: Bool
    /// The amount as written (decimal string).
    public var amount: String
    /// The ISO 4217 code of the amount, as written.
    public var currency: String
    /// Booking (else value) date, YYYYMMDDhhmmss; "" when the bank gave none.
    public var bookingDate: String
    /// The references and remittance texts the bank gave.
    public var references: CamtReferences
    /// The order the entry names (the order pattern, else the EndToEndId); "" when none.
    public var orderNo: String
    /// The bank transaction code, `Domain/Family/SubFamily` or the proprietary code; "" when none.
    public var bankTransactionCode: String
    /// RtrInf/Rsn/Cd (or Prtry), e.g. "AC01"; "" when none.
    public var reasonCode: String
    /// RtrInf/AddtlInf lines, joined by " ".
    public var reasonText: String
    /// What made it a return or reversal, in words.
    public var evidence: [String]

    /// - Parameters: see the properties.
    public init(
        kind: Kind, position: String, path: String, isCredit: Bool, amount: String, currency: String, bookingDate: String,
        references: CamtReferences, orderNo: String = "", bankTransactionCode: String = "", reasonCode: String = "",
        reasonText: String = "", evidence: [String] = []
    ) {
        self.kind = kind
        self.position = position
        self.path = path
        self.isCredit = isCredit
        self.amount = amount
        self.currency = currency
        self.bookingDate = bookingDate
        self.references = references
        self.orderNo = orderNo
        self.bankTransactionCode = bankTransactionCode
        self.reasonCode = reasonCode
        self.reasonText = reasonText
        self.evidence = evidence
    }

    /// One line for a person: what, how much, which order, why it is one, and that it was
    /// not booked as a payment.
    public var summary: String {
        var text = "\(kind == .reversal ? "reversal" : "return"): \(isCredit ? "credit" : "debit") of \(amount) \(currency)"
        if !bookingDate.isEmpty { text += " booked \(bookingDate)" }
        if !orderNo.isEmpty { text += " for order \(orderNo)" }
        let ids = [("EndToEndId", references.endToEndId), ("TxId", references.transactionId)].filter { !$0.1.isEmpty }
        if !ids.isEmpty { text += " (" + ids.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")" }
        text += "; " + evidence.joined(separator: ", ")
        return text + ": not booked as a payment"
    }

    /// Sub-family codes of ISO 20022's external bank transaction code list that return or
    /// reverse a payment, with their names.
    public static let returnSubFamilies: [String: String] = [
        "RRTN": "reversal due to payment return",
        "RPCR": "reversal due to payment cancellation request",
        "ARET": "ACH return",
        "AREV": "ACH reversal",
        "UPDD": "reversal due to return/unpaid direct debit",
        "PRDD": "reversal due to payment reversal",
        "RCDD": "reversal due to payment cancellation request",
        "UPCQ": "unpaid cheque",
    ]

    /// Names of common return reason codes (ISO 20022 ExternalReturnReason1Code).
    public static let reasonNames: [String: String] = [
        "AC01": "IncorrectAccountNumber", "AC03": "InvalidCreditorAccountNumber", "AC04": "ClosedAccountNumber",
        "AC06": "BlockedAccount", "AC13": "InvalidDebtorAccountType", "AG01": "TransactionForbidden",
        "AG02": "InvalidBankOperationCode", "AM04": "InsufficientFunds", "AM05": "Duplication", "AM09": "WrongAmount",
        "BE04": "MissingCreditorAddress", "CURR": "IncorrectCurrency", "CUST": "RequestedByCustomer",
        "ED05": "SettlementFailed", "FOCR": "FollowingCancellationRequest", "FR01": "Fraud", "MD07": "EndCustomerDeceased",
        "MS02": "NotSpecifiedReasonCustomerGenerated", "MS03": "NotSpecifiedReasonAgentGenerated", "NARR": "Narrative",
        "NOAS": "NoAnswerFromCustomer", "RC01": "BankIdentifierIncorrect", "RR01": "MissingDebtorAccountOrIdentification",
        "RR02": "MissingDebtorNameOrAddress", "RR03": "MissingCreditorNameOrAddress", "RR04": "RegulatoryReason",
    ]
}

/// Why a transaction is a return or reversal, as the parser found it.
struct CamtReturnSigns {
    var reversal = false
    var bankTransactionCode = ""
    /// The return sub-family (or proprietary code) found in the bank transaction code.
    var returnCode = ""
    var hasReturnInformation = false
    var reasonCode = ""
    var reasonText = ""

    var isReturnOrReversal: Bool { reversal || !returnCode.isEmpty || hasReturnInformation }

    var evidence: [String] {
        var evidence: [String] = []
        if reversal { evidence.append("RvslInd true") }
        if !returnCode.isEmpty {
            let name = CamtReturn.returnSubFamilies[returnCode] ?? "returned item"
            evidence.append("bank transaction code \(bankTransactionCode) (\(name))")
        }
        if hasReturnInformation {
            var text = "return information"
            if !reasonCode.isEmpty {
                text += " \(reasonCode)" + (CamtReturn.reasonNames[reasonCode].map { " \($0)" } ?? "")
            }
            if !reasonText.isEmpty { text += " '\(reasonText)'" }
            evidence.append(text)
        }
        return evidence
    }

    /// The signs of an Ntry or TxDtls element of its own: its BkTxCd and (TxDtls) its RtrInf.
    static func of(_ node: XMLNode) -> CamtReturnSigns {
        var signs = CamtReturnSigns()
        if let code = node.child("BkTxCd") {
            if let domain = code.child("Domn") {
                let subFamily = domain.text("Fmly", "SubFmlyCd")
                signs.bankTransactionCode = [domain.text("Cd"), domain.text("Fmly", "Cd"), subFamily].joined(separator: "/")
                if CamtReturn.returnSubFamilies[subFamily] != nil { signs.returnCode = subFamily }
            }
            if signs.returnCode.isEmpty, let proprietary = code.child("Prtry", "Cd"), !proprietary.text.isEmpty {
                let tokens = proprietary.text.uppercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
                let found = tokens.first { CamtReturn.returnSubFamilies[$0] != nil || isReturnedItem($0) }
                if let found {
                    signs.bankTransactionCode = proprietary.text
                    signs.returnCode = found
                } else if signs.bankTransactionCode.isEmpty {
                    signs.bankTransactionCode = proprietary.text
                }
            }
        }
        if let information = node.child("RtrInf") {
            signs.hasReturnInformation = true
            signs.reasonCode = information.child("Rsn", "Cd")?.text ?? information.text("Rsn", "Prtry")
            signs.reasonText = information.children("AddtlInf").map(\.text).filter { !$0.isEmpty }.joined(separator: " ")
        }
        return signs
    }

    /// SWIFT MT transaction type RTI (returned item) with its N, S or F prefix, as banks
    /// carry it over into proprietary codes.
    private static func isReturnedItem(_ token: String) -> Bool {
        token.count == 4 && token.hasSuffix("RTI") && ["N", "S", "F"].contains(token.first)
    }

    /// The entry's signs with a transaction's own: a return or reversal found on either
    /// counts; the transaction's own bank transaction code is the one shown when neither
    /// names a return.
    func merged(with transaction: CamtReturnSigns) -> CamtReturnSigns {
        var signs = transaction
        signs.reversal = reversal || transaction.reversal
        if signs.returnCode.isEmpty, !returnCode.isEmpty {
            signs.returnCode = returnCode
            signs.bankTransactionCode = bankTransactionCode
        }
        if signs.bankTransactionCode.isEmpty { signs.bankTransactionCode = bankTransactionCode }
        return signs
    }
}
