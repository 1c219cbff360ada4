import DepartmentFormats
import HubProtocol
import SwiftProtobuf
import Testing

/// camt.054.001.08 as SWIFT CBPR+ sends it: AppHdr (head.001.001.02) and Document under an
/// envelope, the header checked against the document; unsupported messages named.
@Suite("CBPR+ business messages read")
struct CBPRPlusReadingTests {
    typealias Tx = CamtSamples.Tx
    typealias Entry = CamtSamples.Entry
    typealias Header = CBPRSamples.Header

    let options = CamtOptions(ieFlag: "E", payCode: "3100000001", ebpCode: "3101960001", ebcCode: "3101960002")

    /// A CBPR+ notification: one proceeds credit, one return; the account serviced by the sender.
    func notification(servicer: String = "BKCHCNBJ", recipient: String = "SWHBCNSH", copy: String = "") -> String {
        CamtSamples.document(
            version: 8, messageId: "NTF-20240315-7", servicerBIC: servicer, recipientBIC: recipient, copyDuplicate: copy,
            declaration: false,
            entries: [
                Entry(
                    amount: "1250.50",
                    txs: [Tx(endToEndId: "E2E-0001", ustrd: ["orderNo=EO2024031500001"], debtor: "ACME Inc.", bic: "BUKBGB22")]),
                Entry(
                    amount: "200.00", txs: [Tx(endToEndId: "E2E-0002", returnReason: "AC01")], domain: ["PMNT", "ICDT", "RRTN"]),
            ])
    }

    func read(_ xml: String) throws -> CamtResult {
        try CamtReader.read(CamtSamples.bytes(xml), fileName: "cbpr.xml", options: options)
    }

    @Test(arguments: CBPRSamples.Wrapping.allCases)
    func camt054UnderEachEnvelopeIsRead(wrapping: CBPRSamples.Wrapping) throws {
        let result = try read(CBPRSamples.message(Header(), document: notification(), wrapping: wrapping))
        #expect(result.messageType == "camt.054.001.08")
        #expect(result.messageId == "NTF-20240315-7")
        let header = try #require(result.header)
        #expect(header.version == "head.001.001.02")
        #expect(header.from == "BKCHCNBJXXX" && header.to == "SWHBCNSHXXX")
        #expect(header.businessMessageId == "CBPR-MSG-0001" && header.messageDefinitionId == "camt.054.001.08")
        #expect(header.businessService == "swift.cbprplus.03" && header.isCBPRPlus)
        #expect(header.creationDate == "2024-03-15T18:31:00+08:00")
        let payment = try BizPayment(serializedBytes: try #require(result.documents.first).body)
        #expect(result.documents.count == 1)
        #expect(payment.orderNo == "EO2024031500001" && payment.charge == "1250.50")
        #expect(payment.note.contains("AppHdr=BKCHCNBJXXX>SWHBCNSHXXX CBPR-MSG-0001"))
        #expect(result.returns.map(\.reasonCode) == ["AC01"])
    }

    @Test func prefixedHeaderAndDocumentAreRead() throws {
        var header = Header()
        header.prefix = "head"
        let document = notification()
            .replacingOccurrences(of: "<Document xmlns=", with: "<camt:Document xmlns:camt=")
            .replacingOccurrences(of: "</Document>", with: "</camt:Document>")
        let result = try read(CBPRSamples.message(header, document: document))
        #expect(result.header?.from == "BKCHCNBJXXX" && result.documents.count == 1)
    }

    @Test func theSameInstitutionUnderAnotherBranchIsTheSameSender() throws {
        var header = Header()
        header.from = "BKCHCNBJ300"
        #expect(try read(CBPRSamples.message(header, document: notification(servicer: "BKCHCNBJXXX"))).documents.count == 1)
    }

    @Test func aCopySentToAThirdPartyNeedNotComeFromTheAccountServicer() throws {
        var header = Header()
        header.from = "BOFAUS3N"
        header.to = "CITIUS33"
        header.copyDuplicate = "COPY"
        let result = try read(CBPRSamples.message(header, document: notification()))
        #expect(result.header?.copyDuplicate == "COPY" && result.documents.count == 1)
    }

    /// Each header field that contradicts the document, or breaks the header's own rules,
    /// is refused at the header's XPath with a reason naming both sides.
    @Test(arguments: [
        ("MsgDefIdr", "camt.053.001.08", "/Envelope/AppHdr/MsgDefIdr", "the header says the message is camt.053.001.08"),
        ("Fr", "BOFAUS3N", "/Envelope/AppHdr/Fr", "sender BOFAUS3N is another institution than the Document's BKCHCNBJ"),
        ("To", "CITIUS33", "/Envelope/AppHdr/To", "receiver CITIUS33 is another institution than the Document's SWHBCNSH"),
        ("CpyDplct", "DUPL", "/Envelope/AppHdr/CpyDplct", "the header says DUPL, the Document's copy/duplicate indicator"),
        ("CreDt", "2024-03-15T18:31:00", "/Envelope/AppHdr/CreDt", "has no UTC offset"),
        ("CreDt", "yesterday", "/Envelope/AppHdr/CreDt", "is not an ISO date-time"),
        ("BizMsgIdr", "", "/Envelope/AppHdr/BizMsgIdr", "the header has no BizMsgIdr"),
        ("BizMsgIdr", String(repeating: "X", count: 36), "/Envelope/AppHdr/BizMsgIdr", "longer than 35 characters"),
        ("Fr", "NOT-A-BIC", "/Envelope/AppHdr/Fr/FIId/FinInstnId/BICFI", "'NOT-A-BIC' is not a BIC"),
    ])
    func headerContradictionsAreRefused(field: String, value: String, location: String, reason: String) throws {
        var header = Header()
        switch field {
        case "MsgDefIdr": header.messageDefinition = value
        case "Fr": header.from = value
        case "To": header.to = value
        case "CpyDplct": header.copyDuplicate = value
        case "CreDt": header.creationDate = value
        default: header.businessMessageId = value
        }
        let xml = CBPRSamples.message(header, document: notification(copy: field == "CpyDplct" ? "CODU" : ""))
        let error = try #require(throws: FormatError.self) { try read(xml) }
        #expect(error.location == location, "\(error)")
        #expect(error.reason.contains(reason), "\(error)")
        #expect(error.code == (value.isEmpty ? .missingField : .invalidValue))
    }

    @Test func aHeaderOutsideCBPRPlusNeedNotNameBICsNorOffsets() throws {
        var header = Header()
        header.businessService = ""
        header.creationDate = "2024-03-15T18:31:00"
        let xml = CBPRSamples.message(header, document: notification())
            .replacingOccurrences(
                of: "<FIId><FinInstnId><BICFI>SWHBCNSHXXX</BICFI></FinInstnId></FIId>", with: "<OrgId><Nm>Hub</Nm></OrgId>")
        let result = try read(xml)
        #expect(result.header?.to == "" && result.header?.isCBPRPlus == false && result.documents.count == 1)
        // Under CBPR+ the same header is refused.
        let cbpr = xml.replacingOccurrences(of: "<CreDt>", with: "<BizSvc>swift.cbprplus.03</BizSvc><CreDt>")
            .replacingOccurrences(of: "T18:31:00<", with: "T18:31:00+08:00<")
        let error = try #require(throws: FormatError.self) { try read(cbpr) }
        #expect(error.location == "/Envelope/AppHdr/To/FIId/FinInstnId/BICFI" && error.code == .missingField, "\(error)")
    }

    @Test func anEnvelopeWithoutItsDocumentIsNamed() throws {
        let xml = "<Envelope xmlns=\"urn:swift:xsd:envelope\">\(CBPRSamples.header(Header()))</Envelope>"
        #expect(
            throws: FormatError(
                .unknownDocument, at: "/Envelope",
                "cbpr.xml: the root element is Envelope, not Document, and no ISO 20022 Document is under it (its header names camt.054.001.08 (BankToCustomerDebitCreditNotification))"
            )
        ) { try read(xml) }
        let two = CBPRSamples.message(Header(), document: notification() + notification())
        let error = try #require(throws: FormatError.self) { try read(two) }
        #expect(error.code == .unknownDocument && error.reason.contains("2 Documents under Envelope"))
    }

    @Test func anUnknownHeaderVersionIsRefused() throws {
        var header = Header()
        header.namespace = "urn:iso:std:iso:20022:tech:xsd:head.001.001.09"
        let error = try #require(throws: FormatError.self) { try read(CBPRSamples.message(header, document: notification())) }
        #expect(error.code == .unknownDocument && error.location == "/Envelope/AppHdr")
    }

    /// The reason of a file in a message the bank adapter does not read names the message.
    @Test func unsupportedMessagesAreNamed() throws {
        let pacs004 = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09\"><PmtRtr/></Document>"
        var header = Header()
        header.messageDefinition = "pacs.004.001.09"
        let enveloped = try #require(throws: FormatError.self) { try read(CBPRSamples.message(header, document: pacs004)) }
        #expect(enveloped.code == .unknownDocument)
        #expect(
            enveloped.reason
                == "cbpr.xml: the message is pacs.004.001.09 (PaymentReturn); the bank adapter reads camt.053 and camt.054, versions 001.02 to 001.08"
        )
        #expect(enveloped.location == "/Envelope/Document")

        let report = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.08\"><BkToCstmrAcctRpt/></Document>"
        let reportError = try #require(throws: FormatError.self) { try read(report) }
        #expect(reportError.reason.contains("camt.052.001.08 (BankToCustomerAccountReport)"))
        let newer = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.10\"><BkToCstmrDbtCdtNtfctn/></Document>"
        let newerError = try #require(throws: FormatError.self) { try read(newer) }
        #expect(newerError.reason.contains("camt.054.001.10 (BankToCustomerDebitCreditNotification)"))

        // A Document in a bank's own namespace: the header says what it is.
        header.messageDefinition = "pain.002.001.10"
        let own = CBPRSamples.message(header, document: "<Document xmlns=\"urn:bank:status\"><Sts/></Document>")
        let error = try #require(throws: FormatError.self) { try read(own) }
        #expect(
            error.reason
                == "cbpr.xml: namespace 'urn:bank:status' is not an ISO 20022 message's (its header names pain.002.001.10 (CustomerPaymentStatusReport)); the bank adapter reads camt.053 and camt.054, versions 001.02 to 001.08"
        )
    }
}
