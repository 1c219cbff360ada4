import DepartmentFormats
import Foundation
import HubProtocol
import Testing

/// The settlement instruction as a SWIFT CBPR+ pacs.008.001.08 with its head.001.001.02
/// header, written and read back.
@Suite("CBPR+ pacs.008 writer")
struct CBPRSettlementWriterTests {
    func instruction() throws -> SettlementInstruction {
        var instruction = try SettlementInstruction.releasedOrder(
            SettlementWriterTests.notice(), entryId: "310120240518000123", messageId: "SWHUB-SETTLE-0001",
            creationTime: "2024-03-16T09:00:00+08:00", executionDate: "2024-03-18", debtor: SettlementWriterTests.debtor,
            creditor: SettlementWriterTests.creditor)
        instruction.settlementMethod = "INDA"
        instruction.chargeBearer = "SHAR"
        return instruction
    }

    @Test func writtenWithItsHeaderAndReadBack() throws {
        let xml = try SettlementWriter.cbprPacs008(instruction())
        let (status, output) = try XMLCheck.xmllint(xml)
        #expect(status == 0, "xmllint: \(output)")
        #expect(try XMLCheck.rootNamespace(xml) == "urn:swift:xsd:envelope")
        let header = "/Envelope/AppHdr"
        #expect(try XMLCheck.values(xml, header + "/Fr/FIId/FinInstnId/BICFI") == ["BUKBGB22"])
        #expect(try XMLCheck.values(xml, header + "/To/FIId/FinInstnId/BICFI") == ["BKCHCNBJ300"])
        #expect(try XMLCheck.values(xml, header + "/BizMsgIdr") == ["SWHUB-SETTLE-0001"])
        #expect(try XMLCheck.values(xml, header + "/MsgDefIdr") == ["pacs.008.001.08"])
        #expect(try XMLCheck.values(xml, header + "/BizSvc") == ["swift.cbprplus.03"])
        #expect(try XMLCheck.values(xml, header + "/CreDt") == ["2024-03-16T09:00:00+08:00"])
        let tx = "/Envelope/Document/FIToFICstmrCdtTrf/CdtTrfTxInf"
        #expect(try XMLCheck.values(xml, "/Envelope/Document/FIToFICstmrCdtTrf/GrpHdr/SttlmInf/SttlmMtd") == ["INDA"])
        #expect(try XMLCheck.values(xml, tx + "/PmtId/InstrId") == ["SWHUB-SETTLE-0001"])
        #expect(try XMLCheck.values(xml, tx + "/PmtId/EndToEndId") == ["EO2024031500001"])
        let uetr = try #require(try XMLCheck.values(xml, tx + "/PmtId/UETR").first)
        #expect(
            uetr.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#, options: .regularExpression) != nil)
        #expect(try XMLCheck.values(xml, tx + "/ChrgBr") == ["SHAR"])
        #expect(try XMLCheck.values(xml, tx + "/InstgAgt/FinInstnId/BICFI") == ["BUKBGB22"])
        #expect(try XMLCheck.values(xml, tx + "/InstdAgt/FinInstnId/BICFI") == ["BKCHCNBJ300"])
        #expect(try XMLCheck.values(xml, tx + "/RmtInf/Ustrd").count == 1)
        // Name and account only: CBPR+ wants town and country in a postal address, and only the country is known.
        #expect(try XMLCheck.values(xml, tx + "/Dbtr/PstlAdr").isEmpty && XMLCheck.values(xml, tx + "/Cdtr/Nm").count == 1)

        // Read back: the header matches its document.
        let message = try BusinessMessage.read(xml, fileName: "pacs008.xml")
        #expect(message.messageType == "pacs.008.001.08")
        #expect(
            message.header
                == BusinessAppHeader(
                    from: "BUKBGB22", to: "BKCHCNBJ300", businessMessageId: "SWHUB-SETTLE-0001",
                    messageDefinitionId: "pacs.008.001.08", businessService: "swift.cbprplus.03",
                    creationDate: "2024-03-16T09:00:00+08:00"))
        // Written again, the same bytes (the same UETR).
        #expect(try SettlementWriter.cbprPacs008(instruction()) == xml)
        // The plain form is unchanged: a bare Document.
        #expect(try XMLCheck.rootNamespace(SettlementWriter.pacs008(instruction())) == "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08")
    }

    @Test func aDocumentWhoseAgentsAreNotTheHeadersPartiesIsRefusedOnReading() throws {
        let text = String(decoding: try SettlementWriter.cbprPacs008(instruction()), as: UTF8.self)
        let tampered = text.replacingOccurrences(
            of: "<InstdAgt>\n          <FinInstnId>\n            <BICFI>BKCHCNBJ300</BICFI>",
            with: "<InstdAgt>\n          <FinInstnId>\n            <BICFI>ICBKCNBJ</BICFI>")
        #expect(tampered != text)
        let error = try #require(throws: FormatError.self) { try BusinessMessage.read(Array(tampered.utf8), fileName: "p.xml") }
        #expect(error.location == "/Envelope/AppHdr/To" && error.reason.contains("ICBKCNBJ"), "\(error)")
    }

    @Test func aHeaderWhoseIdentifierLeavesOutTheMessageIdIsRefusedOnReading() throws {
        let text = String(decoding: try SettlementWriter.cbprPacs008(instruction()), as: UTF8.self)
        let renamed = text.replacingOccurrences(of: "<BizMsgIdr>SWHUB-SETTLE-0001</BizMsgIdr>", with: "<BizMsgIdr>OTHER-1</BizMsgIdr>")
        let error = try #require(throws: FormatError.self) { try BusinessMessage.read(Array(renamed.utf8), fileName: "p.xml") }
        #expect(error.location == "/Envelope/AppHdr/BizMsgIdr" && error.reason.contains("SWHUB-SETTLE-0001"), "\(error)")
        // Containing it is enough.
        let prefixed = text.replacingOccurrences(
            of: "<BizMsgIdr>SWHUB-SETTLE-0001</BizMsgIdr>", with: "<BizMsgIdr>BUKB/SWHUB-SETTLE-0001</BizMsgIdr>")
        #expect(try BusinessMessage.read(Array(prefixed.utf8), fileName: "p.xml").header?.businessMessageId == "BUKB/SWHUB-SETTLE-0001")
    }

    @Test func aGivenBusinessServiceAndUETRAreWritten() throws {
        var instruction = try instruction()
        instruction.uetr = "8a562c67-ca16-48ba-b074-65581be6f011"
        let xml = try SettlementWriter.cbprPacs008(instruction, businessService: "swift.cbprplus.04")
        #expect(try XMLCheck.values(xml, "/Envelope/AppHdr/BizSvc") == ["swift.cbprplus.04"])
        #expect(
            try XMLCheck.values(xml, "/Envelope/Document/FIToFICstmrCdtTrf/CdtTrfTxInf/PmtId/UETR")
                == ["8a562c67-ca16-48ba-b074-65581be6f011"])
    }

    @Test func whatCBPRPlusDoesNotAllowIsRefused() throws {
        func refusal(_ change: (inout SettlementInstruction) -> Void) throws -> FormatError {
            var bad = try instruction()
            change(&bad)
            return try #require(throws: FormatError.self) { try SettlementWriter.cbprPacs008(bad) }
        }
        #expect(try refusal { $0.settlementMethod = "CLRG" }.location == "GrpHdr/SttlmInf/SttlmMtd")
        #expect(try refusal { $0.chargeBearer = "SLEV" }.location == "CdtTrfTxInf/ChrgBr")
        #expect(try refusal { $0.chargeBearer = "CRED" }.reason.contains("CRED needs charges information"))
        #expect(try refusal { $0.creationTime = "2024-03-16T09:00:00" }.reason.contains("no UTC offset"))
        #expect(try refusal { $0.creationTime = "2024-03-16T09:00:00Z" }.location == "GrpHdr/CreDtTm")
        #expect(try refusal { $0.instructionId = "SETTLE//1" }.location == "CdtTrfTxInf/PmtId/InstrId")
        #expect(try refusal { $0.uetr = "8A562C67-CA16-48BA-B074-65581BE6F011" }.location == "CdtTrfTxInf/PmtId/UETR")
        let long = try refusal { $0.remittance.invtNos = (1...6).map { "31012024E0000001\($0)0" } }
        #expect(long.location == "CdtTrfTxInf/RmtInf/Ustrd" && long.reason.contains("one Ustrd line"), "\(long)")
        // The plain pacs.008 rules still hold.
        #expect(try refusal { $0.creditor.bic = "" }.code == .missingField)
    }
}
