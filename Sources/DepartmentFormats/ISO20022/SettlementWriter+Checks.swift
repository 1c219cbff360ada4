extension SettlementWriter {
    /// Checks an instruction against the simple types of pacs.008.001.08 / pain.001.001.09.
    static func check(_ instruction: SettlementInstruction, agentsRequired: Bool) throws {
        try text(instruction.messageId, max: 35, at: "GrpHdr/MsgId")
        try text(instruction.endToEndId, max: 35, at: "CdtTrfTxInf/PmtId/EndToEndId")
        if !instruction.instructionId.isEmpty {
            try text(instruction.instructionId, max: 35, at: "CdtTrfTxInf/PmtId/InstrId")
        }
        guard instruction.creationTime.contains("T"),
            ISODateTime.cebTime(instruction.creationTime, utcOffsetMinutes: 0) != nil
        else {
            throw FormatError(.invalidValue, at: "GrpHdr/CreDtTm", "'\(instruction.creationTime)' is not an ISODateTime")
        }
        guard instruction.executionDate.count == 10, ISODateTime.cebTime(instruction.executionDate, utcOffsetMinutes: 0) != nil
        else {
            throw FormatError(.invalidValue, at: "CdtTrfTxInf/IntrBkSttlmDt", "'\(instruction.executionDate)' is not an ISODate")
        }
        guard DecimalText.isValid(instruction.amount, maxDigits: 18), !DecimalText.isZero(instruction.amount) else {
            throw FormatError(
                .invalidValue, at: "CdtTrfTxInf/Amt",
                "'\(instruction.amount)' is not an amount above zero (at most 18 digits, 5 decimals)")
        }
        guard isMatch(instruction.currency, [(3, 3, upper)]) else {
            throw FormatError(.invalidValue, at: "CdtTrfTxInf/Amt/@Ccy", "'\(instruction.currency)' is not an ISO 4217 code")
        }
        guard ["DEBT", "CRED", "SHAR", "SLEV"].contains(instruction.chargeBearer) else {
            throw FormatError(.invalidValue, at: "ChrgBr", "'\(instruction.chargeBearer)' is not DEBT, CRED, SHAR or SLEV")
        }
        for (name, party) in [("Dbtr", instruction.debtor), ("Cdtr", instruction.creditor)] {
            try text(party.name, max: 140, at: "\(name)/Nm")
            if !party.country.isEmpty, !isMatch(party.country, [(2, 2, upper)]) {
                throw FormatError(.invalidValue, at: "\(name)/PstlAdr/Ctry", "'\(party.country)' is not an ISO 3166 country code")
            }
            switch party.account {
            case .iban(let iban):
                guard isMatch(iban, [(2, 2, upper), (2, 2, digit), (1, 30, alphanumeric)]) else {
                    throw FormatError(.invalidValue, at: "\(name)Acct/Id/IBAN", "'\(iban)' is not an IBAN")
                }
            case .other(let id):
                try text(id, max: 34, at: "\(name)Acct/Id/Othr/Id")
            }
            if party.bic.isEmpty {
                if agentsRequired { throw FormatError(.missingField, at: "\(name)Agt/FinInstnId/BICFI", "the BIC is empty") }
            } else if !ISOPatterns.isBIC(party.bic) {
                throw FormatError(.invalidValue, at: "\(name)Agt/FinInstnId/BICFI", "'\(party.bic)' is not a BIC")
            }
        }
    }

    private static func text(_ value: String, max: Int, at location: String) throws {
        guard !value.isEmpty else { throw FormatError(.missingField, at: location, "empty") }
        guard value.unicodeScalars.count <= max else {
            throw FormatError(.invalidValue, at: location, "longer than \(max) characters")
        }
    }

    private static let upper: @Sendable (Unicode.Scalar) -> Bool = { ("A"..."Z").contains($0) }
    private static let digit: @Sendable (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
    private static let upperOrDigit: @Sendable (Unicode.Scalar) -> Bool = { upper($0) || digit($0) }
    private static let alphanumeric: @Sendable (Unicode.Scalar) -> Bool = { upperOrDigit($0) || ("a"..."z").contains($0) }

    /// True when `value` is a run of `min...max` scalars of each class in turn, nothing else.
    private static func isMatch(_ value: String, _ runs: [(Int, Int, (Unicode.Scalar) -> Bool)]) -> Bool {
        var scalars = Substring(value).unicodeScalars[...]
        for (min, max, isMember) in runs {
            let run = scalars.prefix(max).prefix { isMember($0) }
            guard run.count >= min else { return false }
            scalars = scalars.dropFirst(run.count)
        }
        return scalars.isEmpty
    }
}
