import Adapters
import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Logging
import SwiftProtobuf
import Testing

/// The bank's file adapter against a real hub, with files as banks send them: a CBPR+
/// camt.054 (head.001 header and document in an envelope) whose proceeds become a payment
/// while its returned transfer is only reported, and a message the adapter does not read
/// refused with its name.
@Suite("Bank file adapter", .serialized)
struct BankFileAdapterTests {
    /// A CBPR+ camt.054.001.08: a proceeds credit, and a credit returned with
    /// PMNT/ICDT/RRTN and return reason AC01.
    static let cbprNotification = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Envelope xmlns="urn:swift:xsd:envelope">
          <h:AppHdr xmlns:h="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">
            <h:Fr><h:FIId><h:FinInstnId><h:BICFI>BKCHCNBJXXX</h:BICFI></h:FinInstnId></h:FIId></h:Fr>
            <h:To><h:FIId><h:FinInstnId><h:BICFI>SWHBCNSHXXX</h:BICFI></h:FinInstnId></h:FIId></h:To>
            <h:BizMsgIdr>BOC-NTF-0001</h:BizMsgIdr>
            <h:MsgDefIdr>camt.054.001.08</h:MsgDefIdr>
            <h:BizSvc>swift.cbprplus.03</h:BizSvc>
            <h:CreDt>2026-11-21T18:31:00+08:00</h:CreDt>
          </h:AppHdr>
          <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
            <BkToCstmrDbtCdtNtfctn>
              <GrpHdr><MsgId>BOC-NTF-0001</MsgId><CreDtTm>2026-11-21T18:30:00+08:00</CreDtTm></GrpHdr>
              <Ntfctn>
                <Id>N-1</Id>
                <Acct><Id><Othr><Id>6216600000001105910159</Id></Othr></Id><Svcr><FinInstnId><BICFI>BKCHCNBJXXX</BICFI></FinInstnId></Svcr></Acct>
                <Ntry>
                  <Amt Ccy="CNY">200.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                  <BookgDt><Dt>2026-11-21</Dt></BookgDt>
                  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>XBCT</SubFmlyCd></Fmly></Domn></BkTxCd>
                  <NtryDtls><TxDtls>
                    <Refs><EndToEndId>P20261121001</EndToEndId><UETR>3d5c0a7e-51f2-4b0c-9d6e-2f1c8b7a6e01</UETR></Refs>
                    <Amt Ccy="CNY">200.50</Amt>
                    <RmtInf><Ustrd>orderNo=EO2026112100001</Ustrd></RmtInf>
                  </TxDtls></NtryDtls>
                </Ntry>
                <Ntry>
                  <Amt Ccy="CNY">88.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                  <BookgDt><Dt>2026-11-21</Dt></BookgDt>
                  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn></BkTxCd>
                  <NtryDtls><TxDtls>
                    <Refs><EndToEndId>P20261121002</EndToEndId></Refs>
                    <Amt Ccy="CNY">88.00</Amt>
                    <RmtInf><Ustrd>orderNo=EO2026112100002</Ustrd></RmtInf>
                    <RtrInf><Rsn><Cd>AC01</Cd></Rsn><AddtlInf>beneficiary account unknown</AddtlInf></RtrInf>
                  </TxDtls></NtryDtls>
                </Ntry>
              </Ntfctn>
            </BkToCstmrDbtCdtNtfctn>
          </Document>
        </Envelope>
        """

    static func names(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func cbprNotificationBooksTheProceedsAndReportsTheReturn() async throws {
        let hub = try TestHub(
            parties: [.init(id: "bank"), .init(id: "office", subscribes: ["ceb.Payment", "adapter.Event"])],
            types: ["ceb.Payment", "adapter.Event"])
        try await hub.start()
        let root = hub.directory.appendingPathComponent("bank")
        let folders = ExchangeFolders(root: root)
        var bank = AdapterSettings.Bank()
        bank.payCode = "3100000001"
        bank.ebcCode = "3101960002"
        bank.bic = "BKCHCNBJ"
        var logger = Logger(label: "test.bank")
        logger.logLevel = .critical
        let adapter = try FileAdapter(
            party: "bank", files: BankFiles(settings: bank), folders: folders,
            configuration: hub.clientConfiguration("bank", receive: true), logger: logger, pollInterval: .milliseconds(50))
        let office = try hub.client("office", receive: true)
        defer { office.close() }
        let inbox = DeliveryInbox(office)
        try await office.connect()
        try await adapter.connect()
        let running = Task { await adapter.run() }
        defer { running.cancel() }

        try ExchangeFolders.writeAtomically(Array(Self.cbprNotification.utf8), to: folders.inbox, name: "boc-cbpr.xml")
        try await waitUntil(
            .seconds(90), "not archived: \(Self.names(folders.archive)), errors \(Self.names(folders.errors)), \(adapter.summary)"
        ) {
            Self.names(folders.archive) == ["boc-cbpr.xml"]
        }
        #expect(Self.names(folders.errors) == ["boc-cbpr.xml.returned.txt"])
        let report = try String(contentsOf: folders.errors.appendingPathComponent("boc-cbpr.xml.returned.txt"), encoding: .utf8)
        #expect(report.contains("code: RETURNED") && report.contains("location: entry 2 tx 1"), "\(report)")
        #expect(report.contains("return: credit of 88.00 CNY") && report.contains("order EO2026112100002"), "\(report)")
        #expect(report.contains("PMNT/ICDT/RRTN") && report.contains("AC01 IncorrectAccountNumber"), "\(report)")

        // The office sees one payment (the proceeds) and the adapter's events: the return, the archived file.
        try await waitUntil(.seconds(30), "deliveries: \(inbox.all.map(\.header.type))") {
            inbox.all.filter { $0.header.type == "adapter.Event" }.count >= 2
        }
        let payments = try inbox.all.filter { $0.header.type == "ceb.Payment" }.map { try BizPayment(serializedBytes: $0.body) }
        #expect(payments.map(\.orderNo) == ["EO2026112100001"])
        #expect(payments.first?.note.contains("AppHdr=BKCHCNBJXXX>SWHBCNSHXXX BOC-NTF-0001") == true)
        let events = try inbox.all.filter { $0.header.type == "adapter.Event" }.map { try BizAdapterEvent(serializedBytes: $0.body) }
        let returned = events.filter { $0.kind == "returned" }
        #expect(returned.count == 1 && returned.first?.code == "RETURNED" && returned.first?.file == "boc-cbpr.xml")
        #expect(events.contains { $0.kind == "archived" && $0.documents == 1 })

        // A payment return message (pacs.004) the adapter does not read: refused, named.
        let pacs004 = Self.cbprNotification
            .replacingOccurrences(of: "camt.054.001.08", with: "pacs.004.001.09")
            .replacingOccurrences(of: "BOC-NTF-0001", with: "BOC-RTR-0001")
        try ExchangeFolders.writeAtomically(Array(pacs004.utf8), to: folders.inbox, name: "boc-pacs004.xml")
        try await waitUntil(.seconds(60), "not rejected: \(Self.names(folders.errors))") {
            Self.names(folders.errors).contains("boc-pacs004.xml.reason.txt")
        }
        let reason = try String(contentsOf: folders.errors.appendingPathComponent("boc-pacs004.xml.reason.txt"), encoding: .utf8)
        #expect(reason.contains("code: UNKNOWN_DOCUMENT") && reason.contains("location: /Envelope/Document"), "\(reason)")
        #expect(reason.contains("the message is pacs.004.001.09 (PaymentReturn)"), "\(reason)")
        #expect(try hub.openJournal().records(types: ["ceb.Payment"], after: 0, limit: 100).count == 1)
    }
}
