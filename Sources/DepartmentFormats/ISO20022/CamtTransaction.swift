/// One booked movement of a camt entry: the entry itself when it has no transaction
/// details, else one of its TxDtls, with what the hub needs of it.
struct CamtTransaction {
    /// "entry N" or "entry N tx M".
    var position: String
    /// The XPath of the Ntry or TxDtls element.
    var path: String
    var isCredit: Bool
    var amount: String
    /// ISO 4217 code, as written.
    var currency: String
    /// The XPath of the amount's Ccy attribute (for currency errors).
    var currencyPath: String
    /// Booking date, else value date, as YYYYMMDDhhmmss; "" when neither is given.
    var bookingDate: String
    var references: CamtReferences
    var debtorName = ""
    var debtorAccount = ""
    var debtorAgentBIC = ""
    var debtorCountry = ""
    /// What makes it a return or reversal, if anything.
    var signs = CamtReturnSigns()
}

/// What an entry is, before its transactions are looked at.
enum CamtEntryKind {
    case booked([CamtTransaction])
    case notBooked
}

/// Reading Ntry elements: the structure shared by camt.053 and camt.054, versions 02 to 08.
enum CamtEntryParser {
    /// The transactions of the `number`th entry of the file.
    static func parse(_ entry: XMLNode, number: Int, utcOffsetMinutes: Int) throws -> CamtEntryKind {
        guard let amountNode = entry.child("Amt") else {
            throw FormatError(.missingField, at: entry.path + "/Amt", "the entry has no amount")
        }
        let (amount, currency) = try money(amountNode)
        let indicator = try creditDebit(entry.text("CdtDbtInd"), at: entry.path + "/CdtDbtInd", required: true)
        // Sts (mandatory) is a code in 02–07 (<Sts>BOOK</Sts>), a choice in 08: a code
        // (<Sts><Cd>BOOK</Cd></Sts>) or the bank's own (<Sts><Prtry>…</Prtry></Sts>). Only
        // BOOK is booked: a proprietary status says nothing the reader can rely on.
        guard let statusNode = entry.child("Sts") else {
            throw FormatError(.missingField, at: entry.path + "/Sts", "the entry has no status (Sts)")
        }
        if statusNode.child("Prtry") != nil { return .notBooked }
        let status = (statusNode.child("Cd")?.text ?? statusNode.text).trimmingCharacters(in: .whitespacesAndNewlines)
        if status != "BOOK" { return .notBooked }
        var entrySigns = CamtReturnSigns.of(entry)
        entrySigns.reversal = ["true", "1"].contains(entry.text("RvslInd").lowercased())
        let booking = try date(entry, "BookgDt", utcOffsetMinutes: utcOffsetMinutes)
        let bookedAt = try booking.isEmpty ? date(entry, "ValDt", utcOffsetMinutes: utcOffsetMinutes) : booking
        let entryReference = entry.text("AcctSvcrRef")
        let entryInfo = entry.text("AddtlNtryInf")

        let details = entry.children("NtryDtls").flatMap { $0.children("TxDtls") }
        guard !details.isEmpty else {
            let references = CamtReferences(
                accountServicerReference: entryReference, remittance: entryInfo.isEmpty ? [] : [entryInfo])
            return .booked([
                CamtTransaction(
                    position: "entry \(number)", path: entry.path, isCredit: indicator ?? false, amount: amount,
                    currency: currency, currencyPath: amountNode.path + "/@Ccy", bookingDate: bookedAt, references: references,
                    signs: entrySigns)
            ])
        }
        return .booked(
            try details.enumerated().map { index, tx in
                var transaction = try parseDetails(tx, entryAmount: details.count == 1 ? amountNode : nil)
                transaction.position = "entry \(number) tx \(index + 1)"
                transaction.isCredit =
                    try creditDebit(tx.text("CdtDbtInd"), at: tx.path + "/CdtDbtInd", required: false)
                    ?? indicator ?? false
                transaction.bookingDate = bookedAt
                transaction.signs = entrySigns.merged(with: CamtReturnSigns.of(tx))
                if transaction.references.accountServicerReference.isEmpty {
                    transaction.references.accountServicerReference = entryReference
                }
                if !entryInfo.isEmpty { transaction.references.remittance.append(entryInfo) }
                return transaction
            })
    }

    /// One TxDtls: amount (TxDtls/Amt from version 03 on, AmtDtls in 02, else the entry's
    /// when it is the only transaction), references, remittance and debtor.
    private static func parseDetails(_ tx: XMLNode, entryAmount: XMLNode?) throws -> CamtTransaction {
        let amountNode =
            tx.child("Amt") ?? tx.child("AmtDtls", "TxAmt", "Amt") ?? tx.child("AmtDtls", "InstdAmt", "Amt")
            ?? entryAmount
        guard let amountNode else {
            throw FormatError(.missingField, at: tx.path + "/Amt", "the transaction has no amount")
        }
        let (amount, currency) = try money(amountNode)
        var remittance: [String] = []
        for info in tx.children("RmtInf") {
            remittance += info.children("Ustrd").map(\.text)
            remittance += info.children("Strd").compactMap { $0.child("CdtrRefInf", "Ref")?.text }
        }
        let additional = tx.text("AddtlTxInf")
        if !additional.isEmpty { remittance.append(additional) }
        var transaction = CamtTransaction(
            position: "", path: tx.path, isCredit: false, amount: amount, currency: currency,
            currencyPath: amountNode.path + "/@Ccy", bookingDate: "",
            references: CamtReferences(
                endToEndId: tx.text("Refs", "EndToEndId"), transactionId: tx.text("Refs", "TxId"),
                accountServicerReference: tx.text("Refs", "AcctSvcrRef"), remittance: remittance.filter { !$0.isEmpty }))
        // Dbtr/Nm up to version 07, Dbtr/Pty/Nm in 08.
        if let debtor = tx.child("RltdPties", "Dbtr") {
            let party = debtor.child("Pty") ?? debtor
            transaction.debtorName = party.text("Nm")
            transaction.debtorCountry = party.text("PstlAdr", "Ctry")
        }
        if let account = tx.child("RltdPties", "DbtrAcct", "Id") {
            transaction.debtorAccount = account.child("IBAN")?.text ?? account.text("Othr", "Id")
        }
        if let agent = tx.child("RltdAgts", "DbtrAgt", "FinInstnId") {
            // BIC up to version 04, BICFI from 05.
            transaction.debtorAgentBIC = agent.child("BICFI")?.text ?? agent.text("BIC")
        }
        return transaction
    }

    /// The amount and its Ccy attribute, checked.
    private static func money(_ node: XMLNode) throws -> (String, String) {
        let written = node.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !written.isEmpty else { throw FormatError(.missingField, at: node.path, "the amount is empty") }
        guard let amount = isoAmount(written) else {
            throw FormatError(.invalidValue, at: node.path, "'\(written)' is not an ISO 20022 amount")
        }
        guard let currency = node.attribute("Ccy"), !currency.isEmpty else {
            throw FormatError(.missingField, at: node.path + "/@Ccy", "the amount has no currency")
        }
        // ActiveOrHistoricCurrencyCode: [A-Z]{3}.
        guard currency.utf8.count == 3, currency.utf8.allSatisfy({ (65...90).contains($0) }) else {
            throw FormatError(.invalidValue, at: node.path + "/@Ccy", "'\(currency)' is not an ISO 4217 code (three capital letters)")
        }
        return (amount, currency)
    }

    /// An amount as the hub carries it: as written when it is plain digits with at most 5
    /// decimals, else the value of any other lexical form the ISO 20022 amount type
    /// (xs:decimal, at most 18 digits and 5 decimals, not negative) allows: "+100.00" →
    /// "100", ".5" → "0.5", "100." → "100", "100.000000" → "100". Nil when it is none.
    static func isoAmount(_ text: String) -> String? {
        if DecimalText.isValid(text, maxDigits: 18) { return text }
        guard !text.hasPrefix("-"), let parts = CEBElement.decimalParts(text), parts.fraction.count <= 5,
            parts.integer.count + parts.fraction.count <= 18
        else { return nil }
        let whole = parts.integer.isEmpty ? "0" : String(parts.integer)
        return parts.fraction.isEmpty ? whole : whole + "." + parts.fraction
    }

    /// CRDT → true, DBIT → false, absent → nil (or an error when required).
    private static func creditDebit(_ text: String, at path: String, required: Bool) throws -> Bool? {
        switch text {
        case "CRDT": return true
        case "DBIT": return false
        case "" where !required: return nil
        case "": throw FormatError(.missingField, at: path, "the credit/debit indicator is missing")
        default: throw FormatError(.invalidValue, at: path, "'\(text)' is neither CRDT nor DBIT")
        }
    }

    /// BookgDt or ValDt (Dt or DtTm) as YYYYMMDDhhmmss, "" when absent.
    private static func date(_ entry: XMLNode, _ name: String, utcOffsetMinutes: Int) throws -> String {
        guard let node = entry.child(name) else { return "" }
        let value = node.child("DtTm") ?? node.child("Dt") ?? node
        guard let time = ISODateTime.cebTime(value.text, utcOffsetMinutes: utcOffsetMinutes) else {
            throw FormatError(.invalidValue, at: value.path, "'\(value.text)' is not an ISO date or date-time")
        }
        return time
    }
}
