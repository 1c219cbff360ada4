import HubProtocol

/// A settlement instruction for a released export order or a summary declaration, the
/// input of ``SettlementWriter``: one credit transfer from a debtor to a creditor whose
/// remittance information carries the customs declaration number (`entryId=...`).
public struct SettlementInstruction: Sendable, Equatable {
    /// An account: an IBAN, or another identifier (a Chinese account number) as Othr/Id.
    public enum Account: Sendable, Equatable {
        case iban(String)
        case other(String)
    }

    /// A debtor or creditor with its account and its bank.
    public struct Party: Sendable, Equatable {
        /// Nm, at most 140 characters.
        public var name: String
        /// The account (Acct/Id).
        public var account: Account
        /// The bank's BIC (BICFI), 8 or 11 characters.
        public var bic: String
        /// PstlAdr/Ctry, ISO 3166 alpha-2; "" leaves the address out.
        public var country: String

        /// - Parameters: see the properties.
        public init(name: String, account: Account, bic: String, country: String = "") {
            self.name = name
            self.account = account
            self.bic = bic
            self.country = country
        }
    }

    /// GrpHdr/MsgId (and PmtInfId in pain.001), at most 35 characters.
    public var messageId: String
    /// GrpHdr/CreDtTm, an ISODateTime such as `2024-03-16T09:00:00+08:00`.
    public var creationTime: String
    /// The ISODate the money should move: IntrBkSttlmDt (pacs.008), ReqdExctnDt/Dt (pain.001).
    public var executionDate: String
    /// The party paying (Dbtr, DbtrAcct, DbtrAgt).
    public var debtor: Party
    /// The party paid (Cdtr, CdtrAcct, CdtrAgt).
    public var creditor: Party
    /// Decimal string, more than zero, at most 18 digits and 5 decimals.
    public var amount: String
    /// ISO 4217 code (use ``CurrencyCode/iso(fromCustoms:)`` for a hub currency).
    public var currency: String
    /// PmtId/EndToEndId, at most 35 characters; it comes back in the creditor's camt.054.
    public var endToEndId: String
    /// PmtId/InstrId; "" leaves it out.
    public var instructionId: String
    /// RmtInf: the entryId and the numbers settled.
    public var remittance: SettlementRemittance
    /// ChrgBr: DEBT, CRED, SHAR or SLEV.
    public var chargeBearer: String
    /// SttlmInf/SttlmMtd of pacs.008: INDA, INGA, COVE or CLRG.
    public var settlementMethod: String
    /// PmtId/UETR of a CBPR+ pacs.008 (a lower-case UUID version 4); "" derives one from the
    /// message id and EndToEndId. Not written in the other forms.
    public var uetr: String

    /// - Parameters: see the properties.
    public init(
        messageId: String, creationTime: String, executionDate: String, debtor: Party, creditor: Party,
        amount: String, currency: String, endToEndId: String, instructionId: String = "",
        remittance: SettlementRemittance, chargeBearer: String = "SLEV", settlementMethod: String = "CLRG", uetr: String = ""
    ) {
        self.messageId = messageId
        self.creationTime = creationTime
        self.executionDate = executionDate
        self.debtor = debtor
        self.creditor = creditor
        self.amount = amount
        self.currency = currency
        self.endToEndId = endToEndId
        self.instructionId = instructionId
        self.remittance = remittance
        self.chargeBearer = chargeBearer
        self.settlementMethod = settlementMethod
        self.uetr = uetr
    }

    /// The instruction for one released export order: amount = the notice's amount_paid
    /// (the proceeds), currency its customs code mapped to ISO 4217, EndToEndId = the
    /// order number, remittance `entryId=...; orderNo=...; invtNo=...`.
    /// - Throws: `FormatError.missingField` when the notice has no amount_paid,
    ///   `.invalidValue` when its currency has no ISO code in ``CurrencyCode``.
    public static func releasedOrder(
        _ notice: BizReleaseNotice, entryId: String, messageId: String, creationTime: String, executionDate: String,
        debtor: Party, creditor: Party
    ) throws -> SettlementInstruction {
        guard !notice.amountPaid.isEmpty else {
            throw FormatError(.missingField, at: "amount_paid", "the release notice of \(notice.invtNo) has no amount paid")
        }
        return SettlementInstruction(
            messageId: messageId, creationTime: creationTime, executionDate: executionDate, debtor: debtor,
            creditor: creditor, amount: notice.amountPaid,
            currency: try CurrencyCode.isoCode(forCustoms: notice.currency, at: "currency"), endToEndId: notice.orderNo,
            remittance: SettlementRemittance(notice: notice, entryId: entryId))
    }
}

/// The remittance information of a settlement: `entryId=<entry_id>` first, then the order
/// and inventory numbers it settles, then free text, as RmtInf/Ustrd lines of at most 140
/// characters each.
public struct SettlementRemittance: Sendable, Equatable {
    /// The customs declaration number (SummaryResult.entry_id); required.
    public var entryId: String
    /// The order numbers settled (`orderNo=...` items).
    public var orderNos: [String]
    /// The inventory numbers settled (`invtNo=...` items).
    public var invtNos: [String]
    /// Free text after the numbers; "" for none.
    public var text: String

    /// - Parameters: see the properties.
    public init(entryId: String, orderNos: [String] = [], invtNos: [String] = [], text: String = "") {
        self.entryId = entryId
        self.orderNos = orderNos
        self.invtNos = invtNos
        self.text = text
    }

    /// One released order: its order and inventory numbers.
    public init(notice: BizReleaseNotice, entryId: String) {
        self.init(
            entryId: entryId, orderNos: [notice.orderNo].filter { !$0.isEmpty },
            invtNos: [notice.invtNo].filter { !$0.isEmpty })
    }

    /// A whole summary declaration: its entry id and the inventories it lists (each once).
    public init(summary: BizSummaryResult, orderNos: [String] = [], text: String = "") {
        var seen = Set<String>()
        let invtNos = summary.summaryResultList.map(\.invtNo).filter { !$0.isEmpty && seen.insert($0).inserted }
        self.init(entryId: summary.entryID, orderNos: orderNos, invtNos: invtNos, text: text)
    }

    /// The Ustrd lines: `key=value` items joined by "; ", packed into lines of at most
    /// 140 characters (Unicode scalars, as XML Schema counts them), `entryId=` first;
    /// the free text follows, cut into 140-character lines.
    /// - Throws: `FormatError.missingField` without an entry id, `.invalidValue` for a
    ///   number that cannot fit a line.
    public func lines() throws -> [String] {
        guard !entryId.isEmpty else { throw FormatError(.missingField, at: "RmtInf/Ustrd", "the entryId is empty") }
        let items = ["entryId=\(entryId)"] + orderNos.map { "orderNo=\($0)" } + invtNos.map { "invtNo=\($0)" }
        var lines: [String] = []
        var current = ""
        for item in items {
            guard item.unicodeScalars.count <= Self.lineLength else {
                throw FormatError(.invalidValue, at: "RmtInf/Ustrd", "'\(item)' is longer than \(Self.lineLength) characters")
            }
            if current.isEmpty {
                current = item
            } else if current.unicodeScalars.count + 2 + item.unicodeScalars.count <= Self.lineLength {
                current += "; " + item
            } else {
                lines.append(current)
                current = item
            }
        }
        lines.append(current)
        let scalars = Array(text.unicodeScalars)
        for start in stride(from: 0, to: scalars.count, by: Self.lineLength) {
            var line = String.UnicodeScalarView()
            line.append(contentsOf: scalars[start..<min(start + Self.lineLength, scalars.count)])
            lines.append(String(line))
        }
        return lines
    }

    /// Max140Text.
    static let lineLength = 140
}
