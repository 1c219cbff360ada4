import DepartmentFormats
import HubProtocol
import Testing

@Suite("pacs.008 / pain.001 settlement writer")
struct SettlementWriterTests {
    static let debtor = SettlementInstruction.Party(
        name: "Buyer & Sons <Ltd>", account: .iban("GB33BUKB20201555555555"), bic: "BUKBGB22", country: "GB")
    static let creditor = SettlementInstruction.Party(
        name: "上海出口电商有限公司 \"Shanghai Export\"", account: .other("6222020200112233445"), bic: "BKCHCNBJ300",
        country: "CN")

    static func notice() -> BizReleaseNotice {
        var notice = BizReleaseNotice()
        notice.invtNo = "31012024E000000123"
        notice.orderNo = "EO2024031500001"
        notice.amountPaid = "1250.50"
        notice.currency = "502"
        notice.ieFlag = "E"
        return notice
    }

    func instruction() throws -> SettlementInstruction {
        try .releasedOrder(
            Self.notice(), entryId: "310120240518000123", messageId: "SWHUB-SETTLE-0001",
            creationTime: "2024-03-16T09:00:00+08:00", executionDate: "2024-03-18", debtor: Self.debtor,
            creditor: Self.creditor)
    }

    @Test func pacs008IsWellFormedAndCarriesTheEntryId() throws {
        let xml = try SettlementWriter.pacs008(instruction())
        let (status, output) = try XMLCheck.xmllint(xml)
        #expect(status == 0, "xmllint: \(output)")
        #expect(try XMLCheck.rootNamespace(xml) == "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08")
        let root = "/Document/FIToFICstmrCdtTrf"
        #expect(try XMLCheck.values(xml, root + "/GrpHdr/MsgId") == ["SWHUB-SETTLE-0001"])
        #expect(try XMLCheck.values(xml, root + "/GrpHdr/CreDtTm") == ["2024-03-16T09:00:00+08:00"])
        #expect(try XMLCheck.values(xml, root + "/GrpHdr/NbOfTxs") == ["1"])
        #expect(try XMLCheck.values(xml, root + "/GrpHdr/SttlmInf/SttlmMtd") == ["CLRG"])
        let tx = root + "/CdtTrfTxInf"
        #expect(try XMLCheck.values(xml, tx + "/PmtId/EndToEndId") == ["EO2024031500001"])
        #expect(try XMLCheck.values(xml, tx + "/IntrBkSttlmAmt") == ["1250.50"])
        #expect(try XMLCheck.attribute(xml, tx + "/IntrBkSttlmAmt", "Ccy") == "USD")
        #expect(try XMLCheck.values(xml, tx + "/IntrBkSttlmDt") == ["2024-03-18"])
        #expect(try XMLCheck.values(xml, tx + "/Dbtr/Nm") == ["Buyer & Sons <Ltd>"])
        #expect(try XMLCheck.values(xml, tx + "/DbtrAcct/Id/IBAN") == ["GB33BUKB20201555555555"])
        #expect(try XMLCheck.values(xml, tx + "/DbtrAgt/FinInstnId/BICFI") == ["BUKBGB22"])
        #expect(try XMLCheck.values(xml, tx + "/CdtrAgt/FinInstnId/BICFI") == ["BKCHCNBJ300"])
        #expect(try XMLCheck.values(xml, tx + "/Cdtr/Nm") == ["上海出口电商有限公司 \"Shanghai Export\""])
        #expect(try XMLCheck.values(xml, tx + "/CdtrAcct/Id/Othr/Id") == ["6222020200112233445"])
        let ustrd = try XMLCheck.values(xml, tx + "/RmtInf/Ustrd")
        #expect(ustrd == ["entryId=310120240518000123; orderNo=EO2024031500001; invtNo=31012024E000000123"])
        #expect(ustrd.allSatisfy { $0.unicodeScalars.count <= 140 })
    }

    @Test func pain001IsWellFormedWithPaymentInformation() throws {
        let xml = try SettlementWriter.pain001(instruction())
        let (status, output) = try XMLCheck.xmllint(xml)
        #expect(status == 0, "xmllint: \(output)")
        #expect(try XMLCheck.rootNamespace(xml) == "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09")
        let root = "/Document/CstmrCdtTrfInitn"
        #expect(try XMLCheck.values(xml, root + "/GrpHdr/MsgId") == ["SWHUB-SETTLE-0001"])
        #expect(try XMLCheck.values(xml, root + "/GrpHdr/NbOfTxs") == ["1"])
        #expect(try XMLCheck.values(xml, root + "/GrpHdr/CtrlSum") == ["1250.50"])
        #expect(try XMLCheck.values(xml, root + "/GrpHdr/InitgPty/Nm") == ["Buyer & Sons <Ltd>"])
        let info = root + "/PmtInf"
        #expect(try XMLCheck.values(xml, info + "/PmtInfId") == ["SWHUB-SETTLE-0001"])
        #expect(try XMLCheck.values(xml, info + "/PmtMtd") == ["TRF"])
        #expect(try XMLCheck.values(xml, info + "/ReqdExctnDt/Dt") == ["2024-03-18"])
        #expect(try XMLCheck.values(xml, info + "/DbtrAgt/FinInstnId/BICFI") == ["BUKBGB22"])
        let tx = info + "/CdtTrfTxInf"
        #expect(try XMLCheck.values(xml, tx + "/PmtId/EndToEndId") == ["EO2024031500001"])
        #expect(try XMLCheck.values(xml, tx + "/Amt/InstdAmt") == ["1250.50"])
        #expect(try XMLCheck.attribute(xml, tx + "/Amt/InstdAmt", "Ccy") == "USD")
        #expect(try XMLCheck.values(xml, tx + "/RmtInf/Ustrd").first?.hasPrefix("entryId=310120240518000123") == true)
    }

    @Test func summaryRemittanceIsSplitInto140CharacterLines() throws {
        var summary = BizSummaryResult()
        summary.entryID = "310120240518000999"
        for n in 1...12 {
            var item = BizSummaryResultItem()
            item.invtNo = "31012024E0000001\(n < 10 ? "0" : "")\(n)"
            summary.summaryResultList.append(item)
            summary.summaryResultList.append(item)  // a second line of the same inventory
        }
        let remittance = SettlementRemittance(summary: summary, text: "settlement of summary declaration 汇总申报")
        var instruction = try instruction()
        instruction.remittance = remittance
        instruction.endToEndId = summary.entryID
        let xml = try SettlementWriter.pain001(instruction)
        #expect(try XMLCheck.xmllint(xml).0 == 0)
        let lines = try XMLCheck.values(xml, "/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Ustrd")
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.unicodeScalars.count <= 140 })
        #expect(lines[0].hasPrefix("entryId=310120240518000999; invtNo=31012024E000000101"))
        #expect(lines.joined().components(separatedBy: "invtNo=").count == 13)
        #expect(lines.last == "settlement of summary declaration 汇总申报")
    }

    @Test func invalidValuesAreRefusedWithTheirElement() throws {
        var bad = try instruction()
        bad.endToEndId = String(repeating: "X", count: 36)
        #expect(throws: FormatError(.invalidValue, at: "CdtTrfTxInf/PmtId/EndToEndId", "longer than 35 characters")) {
            try SettlementWriter.pacs008(bad)
        }
        bad = try instruction()
        bad.amount = "12.345678"
        #expect((try? SettlementWriter.pain001(bad)) == nil)
        bad = try instruction()
        bad.creditor.bic = ""
        let error = try #require(throws: FormatError.self) { try SettlementWriter.pacs008(bad) }
        #expect(error.code == .missingField && error.location == "CdtrAgt/FinInstnId/BICFI")
        // pain.001 leaves CdtrAgt out instead.
        #expect(try XMLCheck.values(SettlementWriter.pain001(bad), "/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAgt").isEmpty)
        bad = try instruction()
        bad.debtor.account = .iban("not an iban")
        #expect((try? SettlementWriter.pacs008(bad)) == nil)
        bad = try instruction()
        bad.remittance.entryId = ""
        #expect((try? SettlementWriter.pacs008(bad)) == nil)
        bad = try instruction()
        bad.debtor.name = "bell \u{07}"
        let control = try #require(throws: FormatError.self) { try SettlementWriter.pacs008(bad) }
        #expect(control.location == "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf/Dbtr/Nm")
    }

    @Test func unknownHubCurrencyIsRefused() throws {
        var notice = Self.notice()
        notice.currency = "999"
        let error = try #require(throws: FormatError.self) {
            try SettlementInstruction.releasedOrder(
                notice, entryId: "1", messageId: "M", creationTime: "2024-03-16T09:00:00", executionDate: "2024-03-18",
                debtor: Self.debtor, creditor: Self.creditor)
        }
        #expect(error.code == .invalidValue)
    }
}
