import Adapters
import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import Testing

/// The bank's formats as the file adapter uses them: returns reported aside, CBPR+ files
/// read, the settlement written as CBPR+ when the settings say so.
@Suite("Bank files")
struct BankFilesTests {
    static func settings(cbpr: Bool) -> AdapterSettings.Bank {
        var bank = AdapterSettings.Bank()
        bank.payCode = "3100000001"
        bank.payName = "中国银行上海分行"
        bank.ebcCode = "3101960002"
        bank.bic = "BKCHCNBJ"
        bank.name = "Bank of China Shanghai"
        bank.cbprPlus = cbpr
        return bank
    }

    /// A camt.054.001.08 with a proceeds credit and a returned one (PMNT/ICDT/RRTN, AC01).
    static let notification = """
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
          <BkToCstmrDbtCdtNtfctn>
            <GrpHdr><MsgId>NTF-1</MsgId><CreDtTm>2026-11-21T18:30:00+08:00</CreDtTm></GrpHdr>
            <Ntfctn>
              <Id>N-1</Id>
              <Acct><Id><Othr><Id>6216600000001105910159</Id></Othr></Id><Svcr><FinInstnId><BICFI>BKCHCNBJXXX</BICFI></FinInstnId></Svcr></Acct>
              <Ntry>
                <Amt Ccy="CNY">200.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                <BookgDt><Dt>2026-11-21</Dt></BookgDt>
                <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn></BkTxCd>
                <NtryDtls><TxDtls><Refs><EndToEndId>P-1</EndToEndId></Refs><RmtInf><Ustrd>orderNo=EO2026112100001</Ustrd></RmtInf></TxDtls></NtryDtls>
              </Ntry>
              <Ntry>
                <Amt Ccy="CNY">88.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                <BookgDt><Dt>2026-11-21</Dt></BookgDt>
                <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn></BkTxCd>
                <NtryDtls><TxDtls><Refs><EndToEndId>P-2</EndToEndId></Refs><RmtInf><Ustrd>orderNo=EO2026112100002</Ustrd></RmtInf>
                  <RtrInf><Rsn><Cd>AC01</Cd></Rsn></RtrInf></TxDtls></NtryDtls>
              </Ntry>
            </Ntfctn>
          </BkToCstmrDbtCdtNtfctn>
        </Document>
        """

    @Test func returnsAreReportedAsideNeverSubmitted() throws {
        let reading = try BankFiles(settings: Self.settings(cbpr: false)).read(name: "n.xml", data: Array(Self.notification.utf8))
        #expect(reading.documents.map(\.type) == ["ceb.Payment"])
        #expect(reading.documents.map(\.position) == ["entry 1 tx 1"])
        try #require(reading.returned.count == 1)
        let returned = reading.returned[0]
        #expect(returned.code == .returned && returned.code.name == "RETURNED")
        #expect(returned.location.hasPrefix("entry 2 tx 1 (/Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[2]"))
        #expect(returned.reason.contains("order EO2026112100002") && returned.reason.contains("AC01 IncorrectAccountNumber"))
        #expect(reading.unlinked.isEmpty)
    }

    static func delivery(_ type: MessageType, _ body: [UInt8], seq: UInt64) -> Delivery {
        var header = WireHeader()
        header.type = type.rawValue
        header.id = "hub:\(seq)"
        header.seq = seq
        header.journaledAtUs = 1_795_000_000_000_000
        return Delivery(header: header, body: body)
    }

    /// A release notice, then the summary result bringing its entryId: the settlement file.
    static func settlement(cbpr: Bool) throws -> OutboundFile {
        var files = BankFiles(settings: settings(cbpr: cbpr))
        var notice = BizReleaseNotice()
        notice.invtNo = "31012026E000000123"
        notice.orderNo = "EO2026112100001"
        notice.ieFlag = "E"
        notice.ebcCode = "3101960002"
        notice.ebcName = "上海出口电商有限公司"
        notice.amountPaid = "200.50"
        notice.currency = "142"
        let held = try files.write(delivery(.releaseNotice, try notice.serializedBytes(), seq: 1))
        #expect(held == nil, "the notice is kept until its entryId comes (and written as hub JSON by the adapter)")
        var summary = BizSummaryResult()
        summary.entryID = "310120261121000001"
        var item = BizSummaryResultItem()
        item.invtNo = notice.invtNo
        summary.summaryResultList = [item]
        let written = try #require(try files.write(delivery(.summaryResult, try summary.serializedBytes(), seq: 2)))
        return try #require(written.first { $0.name.hasSuffix(".xml") })
    }

    @Test func settlementIsACBPRPlusMessageWhenConfigured() throws {
        let file = try Self.settlement(cbpr: true)
        #expect(file.name.hasPrefix("pacs008_"))
        let message = try BusinessMessage.read(file.content, fileName: file.name)
        #expect(message.messageType == "pacs.008.001.08")
        let header = try #require(message.header)
        #expect(header.from == "BKCHCNBJ" && header.isCBPRPlus && header.creationDate.hasSuffix("+00:00"))
        let text = String(decoding: file.content, as: UTF8.self)
        #expect(text.contains("<SttlmMtd>INDA</SttlmMtd>") && text.contains("<ChrgBr>SHAR</ChrgBr>") && text.contains("<UETR>"))
        #expect(text.contains("<Ustrd>entryId=310120261121000001; orderNo=EO2026112100001; invtNo=31012026E000000123</Ustrd>"))
    }

    @Test func settlementStaysABarePacs008ByDefault() throws {
        let file = try Self.settlement(cbpr: false)
        let message = try BusinessMessage.read(file.content, fileName: file.name)
        #expect(message.messageType == "pacs.008.001.08" && message.header == nil)
        #expect(String(decoding: file.content, as: UTF8.self).contains("<SttlmMtd>CLRG</SttlmMtd>"))
    }

    @Test func aWithdrawnExportGetsNoSettlementInstruction() throws {
        var files = BankFiles(settings: Self.settings(cbpr: false))
        var notice = BizReleaseNotice()
        notice.invtNo = "31012026E000000124"
        notice.orderNo = "EO2026112100002"
        notice.ieFlag = "E"
        notice.amountPaid = "80.00"
        notice.currency = "142"
        _ = try files.write(Self.delivery(.releaseNotice, try notice.serializedBytes(), seq: 1))
        var withdrawal = BizWithdrawalNotice()
        withdrawal.invtNo = notice.invtNo
        withdrawal.summarized = true
        #expect(try files.write(Self.delivery(.withdrawalNotice, try withdrawal.serializedBytes(), seq: 2)) == nil, "hub JSON only")
        var summary = BizSummaryResult()
        summary.entryID = "310120261121000002"
        var item = BizSummaryResultItem()
        item.invtNo = notice.invtNo
        summary.summaryResultList = [item]
        let written = try #require(try files.write(Self.delivery(.summaryResult, try summary.serializedBytes(), seq: 3)))
        #expect(written.count == 1 && written.allSatisfy { !$0.name.hasSuffix(".xml") }, "the result as hub JSON, no pacs.008")
    }
}
