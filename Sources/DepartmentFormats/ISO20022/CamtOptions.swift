/// How ``CamtReader`` turns a bank's credit entries into hub payments: the direction, the
/// payment enterprise and platform codes customs knows the bank and platform by, and how
/// an entry names its order.
public struct CamtOptions: Sendable, Equatable {
    /// The default ``orderPattern``: an order number after an explicit label, e.g.
    /// `orderNo=EO2024031500001`, `Order No. EO-2024-0001`, `ORDER NUMBER: X1234567`,
    /// `订单号：A123456`; the number is 6 or more letters, digits, `_` or `-`. A label is
    /// required so that ordinary words of a remittance text ("Payment", "invoice") are
    /// never taken for an order number; without one the entry links by its EndToEndId.
    public static let defaultOrderPattern =
        #"(?i)(?:order\s*(?:no|number|id)\.?|订单编?号)\s*[=:：#]?\s*([A-Za-z0-9_-]{6,})"#

    /// "E": export proceeds received by the seller (CEB403 Receipts: pay_no, charge,
    /// accounting_date, ebc_code). "I": an import payment (CEB411: amount_paid, pay_time,
    /// payer_name).
    public var ieFlag: String
    /// A regular expression (Swift `Regex` syntax) with one capture group, the order
    /// number, applied to each RmtInf/Ustrd line, then each RmtInf/Strd/CdtrRefInf/Ref,
    /// then AddtlTxInf and AddtlNtryInf; the first match wins. A pattern without a group
    /// takes the whole match.
    public var orderPattern: String
    /// The bank's customs code and name as payment enterprise (payCode/payName).
    public var payCode: String
    /// The bank's registered name as payment enterprise (payName).
    public var payName: String
    /// The e-commerce platform (ebpCode/ebpName).
    public var ebpCode: String
    /// The platform's registered name (ebpName).
    public var ebpName: String
    /// The seller receiving the proceeds (ebcCode/ebcName), export only.
    public var ebcCode: String
    /// The seller's registered name (ebcName), export only.
    public var ebcName: String
    /// The clock customs times are written in, minutes east of UTC: a bank date-time
    /// with a zone is moved to it; one without zone is taken as written. 480 = Beijing.
    public var utcOffsetMinutes: Int

    /// - Parameters:
    ///   - ieFlag: "E" (export proceeds, CEB403) or "I" (import payment, CEB411).
    ///   - orderPattern: see ``orderPattern``; ``defaultOrderPattern`` when omitted.
    ///   - payCode: the bank's customs code as payment enterprise.
    ///   - payName: the bank's registered name.
    ///   - ebpCode: the platform's customs code.
    ///   - ebpName: the platform's name.
    ///   - ebcCode: the seller's customs code (export).
    ///   - ebcName: the seller's name (export).
    ///   - utcOffsetMinutes: the customs clock, minutes east of UTC.
    public init(
        ieFlag: String = "E", orderPattern: String = CamtOptions.defaultOrderPattern,
        payCode: String = "", payName: String = "", ebpCode: String = "", ebpName: String = "",
        ebcCode: String = "", ebcName: String = "", utcOffsetMinutes: Int = 480
    ) {
        self.ieFlag = ieFlag
        self.orderPattern = orderPattern
        self.payCode = payCode
        self.payName = payName
        self.ebpCode = ebpCode
        self.ebpName = ebpName
        self.ebcCode = ebcCode
        self.ebcName = ebcName
        self.utcOffsetMinutes = utcOffsetMinutes
    }
}

/// What ``CamtReader`` read from one camt.053 or camt.054 file.
public struct CamtResult: Sendable, Equatable {
    /// The message read, e.g. "camt.054.001.08".
    public var messageType: String
    /// GrpHdr/MsgId.
    public var messageId: String
    /// The business application header the file came with (CBPR+), checked against the
    /// document; nil for a bare Document.
    public var header: BusinessAppHeader?
    /// One "ceb.Payment" (BizPayment) per linked credit, in file order.
    public var documents: [InboundDocument]
    /// Credits that name no order: reported for a person to link, never dropped silently.
    public var unlinked: [CamtUnlinkedCredit]
    /// Returns and reversals, credits and debits alike: reported, never payments.
    public var returns: [CamtReturn]
    /// Debits skipped (per transaction when the entry has transaction details).
    public var debitsSkipped: Int
    /// Entries skipped because their status is not BOOK (pending, information only).
    public var notBookedSkipped: Int

    /// - Parameters: see the properties.
    public init(
        messageType: String, messageId: String, header: BusinessAppHeader? = nil, documents: [InboundDocument] = [],
        unlinked: [CamtUnlinkedCredit] = [], returns: [CamtReturn] = [], debitsSkipped: Int = 0, notBookedSkipped: Int = 0
    ) {
        self.messageType = messageType
        self.messageId = messageId
        self.header = header
        self.documents = documents
        self.unlinked = unlinked
        self.returns = returns
        self.debitsSkipped = debitsSkipped
        self.notBookedSkipped = notBookedSkipped
    }
}

/// The references a bank gives a credit, as written.
public struct CamtReferences: Sendable, Equatable {
    /// Refs/EndToEndId ("" when absent; "NOTPROVIDED" kept as written).
    public var endToEndId: String
    /// Refs/TxId.
    public var transactionId: String
    /// Refs/AcctSvcrRef, else the entry's AcctSvcrRef.
    public var accountServicerReference: String
    /// RmtInf/Ustrd lines, RmtInf/Strd/CdtrRefInf/Ref values, AddtlTxInf, AddtlNtryInf.
    public var remittance: [String]

    /// - Parameters: see the properties; all default to empty.
    public init(endToEndId: String = "", transactionId: String = "", accountServicerReference: String = "", remittance: [String] = []) {
        self.endToEndId = endToEndId
        self.transactionId = transactionId
        self.accountServicerReference = accountServicerReference
        self.remittance = remittance
    }
}

/// A credit that could not be linked to an order or given a transaction id.
public struct CamtUnlinkedCredit: Sendable, Equatable {
    /// "entry N" or "entry N tx M", as an ``InboundDocument/position``.
    public var position: String
    /// The amount as written (decimal string).
    public var amount: String
    /// The ISO 4217 code of the amount, as written.
    public var currency: String
    /// Booking (else value) date, YYYYMMDDhhmmss; "" when the bank gave none.
    public var bookingDate: String
    /// The references and remittance texts the bank gave.
    public var references: CamtReferences
    /// Why it was not linked.
    public var reason: String

    /// - Parameters: see the properties.
    public init(position: String, amount: String, currency: String, bookingDate: String, references: CamtReferences, reason: String) {
        self.position = position
        self.amount = amount
        self.currency = currency
        self.bookingDate = bookingDate
        self.references = references
        self.reason = reason
    }
}
