/// Writes a ``SettlementInstruction`` as an ISO 20022 credit transfer: pacs.008.001.08
/// (FIToFICstmrCdtTrf, bank to bank) or pain.001.001.09 (CstmrCdtTrfInitn, customer to
/// its bank). One transaction per message; the remittance information carries
/// `entryId=<entry_id>` in its first Ustrd line.
///
/// The values are checked against the schemas' simple types before anything is written
/// (Max35Text ids, Max140Text names and lines, BIC and IBAN patterns, ISODate /
/// ISODateTime, amounts of at most 18 digits and 5 decimals, code lists); the XSDs are not
/// shipped, so the output is well-formed and structured as the schemas require, but not
/// validated against them here.
public enum SettlementWriter {
    /// pacs.008.001.08: GrpHdr (MsgId, CreDtTm, NbOfTxs, SttlmInf), one CdtTrfTxInf
    /// (PmtId, IntrBkSttlmAmt, IntrBkSttlmDt, ChrgBr, Dbtr, DbtrAcct, DbtrAgt, CdtrAgt,
    /// Cdtr, CdtrAcct, RmtInf). Both agents' BICs are required.
    /// - Throws: `FormatError.missingField` / `.invalidValue` naming the element.
    public static func pacs008(_ instruction: SettlementInstruction) throws -> [UInt8] {
        try check(instruction, agentsRequired: true)
        guard ["INDA", "INGA", "COVE", "CLRG"].contains(instruction.settlementMethod) else {
            throw FormatError(
                .invalidValue, at: "GrpHdr/SttlmInf/SttlmMtd", "'\(instruction.settlementMethod)' is not INDA, INGA, COVE or CLRG")
        }
        let lines = try instruction.remittance.lines()
        var xml = XMLWriter()
        try pacs008Document(&xml, instruction, lines: lines, cbpr: nil)
        return xml.bytes
    }

    /// What a CBPR+ pacs.008 carries besides the plain one.
    struct CBPRTransaction {
        var instructionId: String
        var uetr: String
    }

    /// The pacs.008.001.08 Document element, plain or as CBPR+ restricts it (InstrId and UETR
    /// in PmtId, InstgAgt and InstdAgt).
    static func pacs008Document(
        _ xml: inout XMLWriter, _ instruction: SettlementInstruction, lines: [String], cbpr: CBPRTransaction?
    ) throws {
        try xml.open("Document", ["xmlns": "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"])
        try xml.element("FIToFICstmrCdtTrf") { xml in
            try xml.element("GrpHdr") { xml in
                try xml.leaf("MsgId", instruction.messageId)
                try xml.leaf("CreDtTm", instruction.creationTime)
                try xml.leaf("NbOfTxs", "1")
                try xml.element("SttlmInf") { try $0.leaf("SttlmMtd", instruction.settlementMethod) }
            }
            try xml.element("CdtTrfTxInf") { xml in
                if let cbpr {
                    try xml.element("PmtId") { xml in
                        try xml.leaf("InstrId", cbpr.instructionId)
                        try xml.leaf("EndToEndId", instruction.endToEndId)
                        try xml.leaf("UETR", cbpr.uetr)
                    }
                } else {
                    try paymentId(&xml, instruction)
                }
                try xml.leaf("IntrBkSttlmAmt", instruction.amount, ["Ccy": instruction.currency])
                try xml.leaf("IntrBkSttlmDt", instruction.executionDate)
                try xml.leaf("ChrgBr", instruction.chargeBearer)
                if cbpr != nil {
                    try agent(&xml, "InstgAgt", instruction.debtor.bic)
                    try agent(&xml, "InstdAgt", instruction.creditor.bic)
                }
                // CBPR+ wants a postal address with at least town and country; with the country
                // alone the party goes by name (and account) only.
                try party(&xml, "Dbtr", instruction.debtor, address: cbpr == nil)
                try account(&xml, "DbtrAcct", instruction.debtor.account)
                try agent(&xml, "DbtrAgt", instruction.debtor.bic)
                try agent(&xml, "CdtrAgt", instruction.creditor.bic)
                try party(&xml, "Cdtr", instruction.creditor, address: cbpr == nil)
                try account(&xml, "CdtrAcct", instruction.creditor.account)
                try remittance(&xml, lines)
            }
        }
        xml.close()
    }

    /// pain.001.001.09: GrpHdr (MsgId, CreDtTm, NbOfTxs, CtrlSum, InitgPty = the debtor),
    /// one PmtInf (PmtInfId = MsgId, PmtMtd TRF, ReqdExctnDt, Dbtr, DbtrAcct, DbtrAgt,
    /// ChrgBr) with one CdtTrfTxInf (PmtId, Amt/InstdAmt, CdtrAgt, Cdtr, CdtrAcct, RmtInf).
    /// Without a debtor BIC the debtor agent is `Othr/Id NOTPROVIDED`; without a creditor
    /// BIC CdtrAgt is left out (the debtor's bank routes by the account).
    /// - Throws: `FormatError.missingField` / `.invalidValue` naming the element.
    public static func pain001(_ instruction: SettlementInstruction) throws -> [UInt8] {
        try check(instruction, agentsRequired: false)
        let lines = try instruction.remittance.lines()
        var xml = XMLWriter()
        try xml.open("Document", ["xmlns": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"])
        try xml.element("CstmrCdtTrfInitn") { xml in
            try xml.element("GrpHdr") { xml in
                try xml.leaf("MsgId", instruction.messageId)
                try xml.leaf("CreDtTm", instruction.creationTime)
                try xml.leaf("NbOfTxs", "1")
                try xml.leaf("CtrlSum", instruction.amount)
                try xml.element("InitgPty") { try $0.leaf("Nm", instruction.debtor.name) }
            }
            try xml.element("PmtInf") { xml in
                try xml.leaf("PmtInfId", instruction.messageId)
                try xml.leaf("PmtMtd", "TRF")
                try xml.leaf("NbOfTxs", "1")
                try xml.leaf("CtrlSum", instruction.amount)
                try xml.element("ReqdExctnDt") { try $0.leaf("Dt", instruction.executionDate) }
                try party(&xml, "Dbtr", instruction.debtor)
                try account(&xml, "DbtrAcct", instruction.debtor.account)
                try agent(&xml, "DbtrAgt", instruction.debtor.bic)
                try xml.leaf("ChrgBr", instruction.chargeBearer)
                try xml.element("CdtTrfTxInf") { xml in
                    try paymentId(&xml, instruction)
                    try xml.element("Amt") { try $0.leaf("InstdAmt", instruction.amount, ["Ccy": instruction.currency]) }
                    if !instruction.creditor.bic.isEmpty { try agent(&xml, "CdtrAgt", instruction.creditor.bic) }
                    try party(&xml, "Cdtr", instruction.creditor)
                    try account(&xml, "CdtrAcct", instruction.creditor.account)
                    try remittance(&xml, lines)
                }
            }
        }
        xml.close()
        return xml.bytes
    }

    static func paymentId(_ xml: inout XMLWriter, _ instruction: SettlementInstruction) throws {
        try xml.element("PmtId") { xml in
            if !instruction.instructionId.isEmpty { try xml.leaf("InstrId", instruction.instructionId) }
            try xml.leaf("EndToEndId", instruction.endToEndId)
        }
    }

    static func party(_ xml: inout XMLWriter, _ name: String, _ party: SettlementInstruction.Party, address: Bool = true) throws {
        try xml.element(name) { xml in
            try xml.leaf("Nm", party.name)
            if address, !party.country.isEmpty { try xml.element("PstlAdr") { try $0.leaf("Ctry", party.country) } }
        }
    }

    static func account(_ xml: inout XMLWriter, _ name: String, _ account: SettlementInstruction.Account) throws {
        try xml.element(name) { xml in
            try xml.element("Id") { xml in
                switch account {
                case .iban(let iban): try xml.leaf("IBAN", iban)
                case .other(let id): try xml.element("Othr") { try $0.leaf("Id", id) }
                }
            }
        }
    }

    static func agent(_ xml: inout XMLWriter, _ name: String, _ bic: String) throws {
        try xml.element(name) { xml in
            try xml.element("FinInstnId") { xml in
                if bic.isEmpty {
                    try xml.element("Othr") { try $0.leaf("Id", "NOTPROVIDED") }
                } else {
                    try xml.leaf("BICFI", bic)
                }
            }
        }
    }

    static func remittance(_ xml: inout XMLWriter, _ lines: [String]) throws {
        try xml.element("RmtInf") { xml in
            for line in lines { try xml.leaf("Ustrd", line) }
        }
    }
}
