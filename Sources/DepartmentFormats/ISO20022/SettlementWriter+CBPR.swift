extension SettlementWriter {
    /// The business service CBPR+ messages are written with unless the caller names one.
    /// SWIFT changes it with its yearly standards release; a bank sets the one its SWIFT
    /// service expects (`adapter.bank.cbpr_business_service`).
    public static let defaultCBPRBusinessService = "swift.cbprplus.03"

    /// The envelope a CBPR+ business message is written in (SWIFT's translator envelope).
    public static let cbprEnvelopeNamespace = "urn:swift:xsd:envelope"

    /// pacs.008.001.08 as a SWIFT CBPR+ business message: an `Envelope`
    /// (`urn:swift:xsd:envelope`) holding the Business Application Header (`AppHdr`,
    /// head.001.001.02) and the `Document`.
    ///
    /// Header: Fr = the debtor's bank (the instructing agent), To = the creditor's bank (the
    /// instructed agent), both by BICFI; BizMsgIdr = MsgId; MsgDefIdr `pacs.008.001.08`;
    /// BizSvc `businessService`; CreDt = CreDtTm. Document: as ``pacs008(_:)`` with what
    /// CBPR+ requires besides: PmtId/InstrId (the instruction id, else the message id) and
    /// PmtId/UETR (the instruction's, else one derived from the message id and EndToEndId,
    /// so a settlement written again carries the same one), and InstgAgt / InstdAgt equal
    /// to the header's Fr / To.
    ///
    /// Dbtr and Cdtr go by name and account: CBPR+ wants a postal address with at least town
    /// and country, and the instruction has the country only.
    ///
    /// Checked besides the plain pacs.008's rules: CreDtTm with a UTC offset; SttlmMtd INDA,
    /// INGA or COVE (no clearing system under CBPR+); ChrgBr DEBT or SHAR (CRED would need
    /// charges information); a remittance
    /// that fits the one Ustrd line of 140 characters CBPR+ allows; an InstrId that neither
    /// starts nor ends with `/` nor holds `//`; a UETR that is a UUID version 4.
    /// - Parameters:
    ///   - instruction: the settlement.
    ///   - businessService: the header's BizSvc.
    /// - Throws: `FormatError.missingField` / `.invalidValue` naming the element.
    public static func cbprPacs008(
        _ instruction: SettlementInstruction, businessService: String = defaultCBPRBusinessService
    ) throws -> [UInt8] {
        try check(instruction, agentsRequired: true)
        let transaction = try checkCBPR(instruction, businessService: businessService)
        let lines = try instruction.remittance.lines()
        guard lines.count == 1 else {
            throw FormatError(
                .invalidValue, at: "CdtTrfTxInf/RmtInf/Ustrd",
                "CBPR+ allows one Ustrd line of 140 characters; this remittance needs \(lines.count)")
        }
        var xml = XMLWriter()
        try xml.open("Envelope", ["xmlns": cbprEnvelopeNamespace])
        try xml.open("AppHdr", ["xmlns": "urn:iso:std:iso:20022:tech:xsd:head.001.001.02"])
        for (name, bic) in [("Fr", instruction.debtor.bic), ("To", instruction.creditor.bic)] {
            try xml.element(name) { xml in
                try xml.element("FIId") { xml in
                    try xml.element("FinInstnId") { try $0.leaf("BICFI", bic) }
                }
            }
        }
        try xml.leaf("BizMsgIdr", instruction.messageId)
        try xml.leaf("MsgDefIdr", "pacs.008.001.08")
        try xml.leaf("BizSvc", businessService)
        try xml.leaf("CreDt", instruction.creationTime)
        xml.close()
        try pacs008Document(&xml, instruction, lines: lines, cbpr: transaction)
        xml.close()
        return xml.bytes
    }

    /// The CBPR+ rules beyond the plain pacs.008's; the InstrId and UETR to write.
    private static func checkCBPR(_ instruction: SettlementInstruction, businessService: String) throws -> CBPRTransaction {
        guard !businessService.isEmpty, businessService.unicodeScalars.count <= 35 else {
            throw FormatError(.invalidValue, at: "AppHdr/BizSvc", "'\(businessService)' is not a business service of 1 to 35 characters")
        }
        guard ISOPatterns.hasUTCOffset(instruction.creationTime) else {
            throw FormatError(
                .invalidValue, at: "GrpHdr/CreDtTm", "'\(instruction.creationTime)' has no UTC offset (+hh:mm), which CBPR+ requires")
        }
        guard ["INDA", "INGA", "COVE"].contains(instruction.settlementMethod) else {
            throw FormatError(
                .invalidValue, at: "GrpHdr/SttlmInf/SttlmMtd",
                "'\(instruction.settlementMethod)' is not INDA, INGA or COVE, the methods CBPR+ allows")
        }
        guard ["DEBT", "SHAR"].contains(instruction.chargeBearer) else {
            throw FormatError(
                .invalidValue, at: "CdtTrfTxInf/ChrgBr",
                "'\(instruction.chargeBearer)' is not DEBT or SHAR: CBPR+ allows DEBT, CRED and SHAR, and CRED needs charges information, which is not written"
            )
        }
        let instructionId = instruction.instructionId.isEmpty ? instruction.messageId : instruction.instructionId
        if instructionId.hasPrefix("/") || instructionId.hasSuffix("/") || instructionId.contains("//") {
            throw FormatError(
                .invalidValue, at: "CdtTrfTxInf/PmtId/InstrId", "'\(instructionId)' starts or ends with '/' or holds '//'")
        }
        let uetr = instruction.uetr.isEmpty ? ISOPatterns.uetr(instruction.messageId, instruction.endToEndId) : instruction.uetr
        guard ISOPatterns.isUETR(uetr) else {
            throw FormatError(.invalidValue, at: "CdtTrfTxInf/PmtId/UETR", "'\(uetr)' is not a lower-case UUID version 4")
        }
        return CBPRTransaction(instructionId: instructionId, uetr: uetr)
    }
}
