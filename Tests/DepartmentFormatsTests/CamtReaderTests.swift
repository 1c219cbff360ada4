import DepartmentFormats
import HubProtocol
import SwiftProtobuf
import Testing

@Suite("camt.053/054 reader")
struct CamtReaderTests {
    typealias Tx = CamtSamples.Tx
    typealias Entry = CamtSamples.Entry

    let export = CamtSamples.exportOptions

    func read(_ xml: String, _ options: CamtOptions? = nil) throws -> CamtResult {
        try CamtReader.read(CamtSamples.bytes(xml), fileName: "camt.xml", options: options ?? export)
    }

    func payments(_ result: CamtResult) throws -> [BizPayment] {
        try result.documents.map { try BizPayment(serializedBytes: $0.body) }
    }

    /// A notification with a credit linked by remittance, a debit and one linked by EndToEndId.
    func mixed(version: Int, statement: Bool = false) -> String {
        CamtSamples.document(
            version: version, statement: statement,
            entries: [
                Entry(
                    amount: "1250.50", acctSvcrRef: "BANKREF-1",
                    txs: [
                        Tx(
                            endToEndId: "E2E-0001", ustrd: ["Proceeds orderNo=EO2024031500001 thanks"], debtor: "ACME Inc.",
                            iban: "GB33BUKB20201555555555", bic: "BUKBGB22", country: "GB")
                    ]),
                Entry(amount: "30.00", indicator: "DBIT", txs: [Tx(endToEndId: "FEE-1")]),
                Entry(amount: "99.99", txs: [Tx(endToEndId: "EO2024031500002", ustrd: ["invoice 778899 payment"])]),
            ])
    }

    @Test(arguments: [2, 4, 8])
    func notificationVersions(version: Int) throws {
        let result = try read(mixed(version: version))
        #expect(result.messageType == "camt.054.001.0\(version)")
        #expect(result.messageId == "MSG-1")
        #expect(result.debitsSkipped == 1)
        #expect(result.unlinked.isEmpty)
        #expect(result.documents.map(\.position) == ["entry 1 tx 1", "entry 3 tx 1"])
        #expect(result.documents.allSatisfy { $0.type == "ceb.Payment" })
        let all = try payments(result)
        try #require(all.count == 2)
        let (first, second) = (all[0], all[1])
        #expect(first.orderNo == "EO2024031500001")
        #expect(first.payTransactionID == "E2E-0001")
        #expect(first.payNo == "E2E-0001")
        #expect(first.charge == "1250.50")
        #expect(first.currency == "502")
        #expect(first.accountingDate == "20240315000000")
        #expect(first.ieFlag == "E")
        #expect(first.ebcCode == "3101960002")
        #expect(first.payCode == "3100000001")
        #expect(first.appTime == "20240315183000")
        #expect(first.guid.count == 36)
        #expect(first.note.contains("DbtrAgt=BUKBGB22"))
        #expect(first.note.contains("DbtrCtry=GB"))
        #expect(first.note.contains("Dbtr=ACME Inc."))
        #expect(first.note.contains("AcctSvcrRef=BANKREF-1"))
        // The remittance text has no labelled order number: the EndToEndId links it.
        #expect(second.orderNo == "EO2024031500002")
        #expect(second.charge == "99.99")
    }

    @Test(arguments: [2, 4, 8])
    func statementVersions(version: Int) throws {
        let result = try read(mixed(version: version, statement: true))
        #expect(result.messageType == "camt.053.001.0\(version)")
        #expect(try payments(result).map(\.orderNo) == ["EO2024031500001", "EO2024031500002"])
    }

    @Test func importPaymentFillsAmountPaidPayTimeAndPayer() throws {
        var options = export
        options.ieFlag = "I"
        let xml = CamtSamples.document(
            version: 8,
            entries: [
                Entry(
                    currency: "CNY", booking: "<DtTm>2024-03-15T02:10:00Z</DtTm>",
                    txs: [Tx(amount: "829.67", endToEndId: "PAY-778", ustrd: ["订单号：IO20240315009"], debtor: "张三")])
            ])
        let payment = try #require(try payments(read(xml, options)).first)
        #expect(payment.ieFlag == "I")
        #expect(payment.orderNo == "IO20240315009")
        #expect(payment.amountPaid == "829.67")
        #expect(payment.payerName == "张三")
        #expect(payment.currency == "142")
        // 02:10 UTC is 10:10 Beijing time.
        #expect(payment.payTime == "20240315101000")
        #expect(payment.charge.isEmpty && payment.payNo.isEmpty && payment.accountingDate.isEmpty)
    }

    @Test func linksByStructuredCreditorReferenceAndCustomPattern() throws {
        let xml = CamtSamples.document(
            version: 4, entries: [Entry(txs: [Tx(endToEndId: "NOTPROVIDED", txId: "TX-9", creditorRef: "SO-123456")])])
        let options = CamtOptions(ieFlag: "E", orderPattern: #"^(SO-\d+)$"#)
        let payment = try #require(try payments(read(xml, options)).first)
        #expect(payment.orderNo == "SO-123456")
        // NOTPROVIDED is not an id: TxId is used.
        #expect(payment.payTransactionID == "TX-9")
    }

    @Test func unlinkedCreditsAreReportedNotDropped() throws {
        let xml = CamtSamples.document(
            version: 2,
            entries: [
                Entry(amount: "10.00", acctSvcrRef: "ACC-77", info: "cash deposit"),
                Entry(amount: "20.00", txs: [Tx(endToEndId: "NOTPROVIDED", ustrd: ["payment for goods"])]),
                Entry(amount: "5.00", indicator: "DBIT"),
            ])
        let result = try read(xml)
        #expect(result.documents.isEmpty)
        #expect(result.debitsSkipped == 1)
        #expect(result.unlinked.map(\.position) == ["entry 1", "entry 2 tx 1"])
        #expect(result.unlinked.map(\.amount) == ["10.00", "20.00"])
        #expect(result.unlinked[0].references.accountServicerReference == "ACC-77")
        #expect(result.unlinked[0].references.remittance == ["cash deposit"])
        #expect(result.unlinked[1].references.endToEndId == "NOTPROVIDED")
        #expect(result.unlinked[1].reason.contains("no order number"))
        #expect(result.unlinked[1].bookingDate == "20240315000000")
    }

    @Test func entryWithoutDetailsLinksByAdditionalInfo() throws {
        let xml = CamtSamples.document(
            version: 8, entries: [Entry(amount: "42.00", acctSvcrRef: "ACC-1", info: "ORDER NO. EO-2024-77")])
        let payment = try #require(try payments(read(xml)).first)
        #expect(payment.orderNo == "EO-2024-77")
        #expect(payment.payTransactionID == "ACC-1")
    }

    @Test func pendingReversedAndPerTransactionDebitsAreSkipped() throws {
        let xml = CamtSamples.document(
            version: 8,
            entries: [
                Entry(status: "PDNG", txs: [Tx(endToEndId: "EO2024031500001")]),
                Entry(reversal: true, txs: [Tx(endToEndId: "EO2024031500002")]),
                Entry(
                    amount: "30.00",
                    txs: [
                        Tx(amount: "20.00", endToEndId: "EO2024031500003"),
                        Tx(amount: "10.00", indicator: "DBIT", endToEndId: "EO2024031500004"),
                    ]),
            ])
        let result = try read(xml)
        #expect(result.notBookedSkipped == 1)
        #expect(result.returns.map(\.kind) == [.reversal])
        #expect(result.debitsSkipped == 1)
        #expect(try payments(result).map(\.charge) == ["20.00"])
        #expect(result.documents.map(\.position) == ["entry 3 tx 1"])
    }

    @Test func currenciesMapToCustomsCodes() throws {
        for (iso, customs) in [("CNY", "142"), ("USD", "502"), ("EUR", "300"), ("HKD", "110"), ("JPY", "116")] {
            let xml = CamtSamples.document(version: 4, entries: [Entry(currency: iso, txs: [Tx(endToEndId: "EO20240001")])])
            #expect(try payments(read(xml)).first?.currency == customs)
        }
        let unknown = CamtSamples.document(version: 4, entries: [Entry(currency: "XAU", txs: [Tx(endToEndId: "EO20240001")])])
        let error = try #require(throws: FormatError.self) { try read(unknown) }
        #expect(error.code == .invalidValue)
        // The only transaction has no amount of its own: the entry's is used.
        #expect(error.location == "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/Amt/@Ccy")
    }

    @Test func malformedXMLIsASyntaxErrorWithItsLine() throws {
        let xml =
            "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\n<BkToCstmrDbtCdtNtfctn>\n<GrpHdr><MsgId>1</MsgId></GrpHd>\n</BkToCstmrDbtCdtNtfctn></Document>"
        let error = try #require(throws: FormatError.self) { try read(xml) }
        #expect(error.code == .syntax)
        #expect(error.location.hasPrefix("line 4"))
        let empty = try #require(throws: FormatError.self) { try read("") }
        #expect(empty.code == .syntax)
    }

    @Test func otherDocumentsAreUnknown() throws {
        let pain = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn/></Document>"
        #expect(
            throws: FormatError(
                .unknownDocument, at: "/Document",
                "camt.xml: the message is pain.001.001.09 (CustomerCreditTransferInitiation); the bank adapter reads camt.053 and camt.054, versions 001.02 to 001.08"
            )
        ) {
            try read(pain)
        }
        let old = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.01\"><BkToCstmrDbtCdtNtfctn/></Document>"
        #expect((try? read(old)) == nil)
        let mismatch = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrDbtCdtNtfctn/></Document>"
        let error = try #require(throws: FormatError.self) { try read(mismatch) }
        #expect(error.code == .unknownDocument)
        let other = try #require(throws: FormatError.self) { try read("<Invoice/>") }
        #expect(other.code == .unknownDocument)
    }

    @Test func prefixedNamespaceIsAccepted() throws {
        let xml = mixed(version: 4)
            .replacingOccurrences(of: "<Document xmlns=", with: "<c:Document xmlns:c=")
            .replacingOccurrences(of: "</Document>", with: "</c:Document>")
        #expect(try read(xml).documents.count == 2)
    }

    @Test func missingAmountNamesItsXPath() throws {
        let xml = CamtSamples.document(version: 8, entries: [Entry(), Entry(amount: nil)])
        let error = try #require(throws: FormatError.self) { try read(xml) }
        #expect(error.code == .missingField)
        #expect(error.location == "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[2]/Amt")
        let split = CamtSamples.document(
            version: 4, entries: [Entry(txs: [Tx(endToEndId: "EO20240001"), Tx(endToEndId: "EO20240002")])])
        let txError = try #require(throws: FormatError.self) { try read(split) }
        #expect(txError.location == "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/NtryDtls[1]/TxDtls[1]/Amt")
    }

    @Test func readingTwiceGivesTheSameDocuments() throws {
        #expect(try read(mixed(version: 8)) == read(mixed(version: 8)))
    }

    @Test func badOptionsAreRefused() throws {
        #expect((try? read(mixed(version: 8), CamtOptions(ieFlag: "X"))) == nil)
        #expect((try? read(mixed(version: 8), CamtOptions(orderPattern: "(["))) == nil)
    }
}
