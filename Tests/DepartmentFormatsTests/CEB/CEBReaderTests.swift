import DepartmentFormats
import Foundation
import HubProtocol
import Testing

/// Namespaces, byte order marks, several nodes, the DXP envelope and every kind of error.
@Suite("CEB: reading")
struct CEBReaderTests {
    static let ceb = "http://www.chinaport.gov.cn/ceb"

    /// A CEB622 receipt with one InventoryReturn per status, elements prefixed with
    /// `prefix` ("" for none) and the namespace declared as `declaration`.
    static func receipts(_ statuses: [String], prefix: String = "ceb:", declaration: String = "xmlns:ceb=\"\(ceb)\"") -> String {
        let p = prefix
        let nodes = statuses.enumerated().map { index, status in
            """
              <\(p)InventoryReturn>
                <\(p)guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC9\(index)</\(p)guid>
                <\(p)customsCode>2991</\(p)customsCode>
                <\(p)copNo>cop0000000\(index)</\(p)copNo>
                <\(p)preNo>P20261121000000001</\(p)preNo>
                <\(p)invtNo>29912026I00000000\(index)</\(p)invtNo>
                <\(p)returnStatus>\(status)</\(p)returnStatus>
                <\(p)returnTime>20261121101501123</\(p)returnTime>
                <\(p)returnInfo>海关入库</\(p)returnInfo>
              </\(p)InventoryReturn>
            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <\(p)CEB622Message guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0" \(declaration)>
            \(nodes.joined(separator: "\n"))
            </\(p)CEB622Message>
            """
    }

    static func read(_ text: String) throws -> [InboundDocument] {
        try CEBReader.read(Array(text.utf8), fileName: "test.xml")
    }

    static func error(_ text: String) -> FormatError? {
        do {
            _ = try read(text)
            return nil
        } catch {
            return error as? FormatError
        }
    }

    @Test func prefixedDefaultAndNoNamespaceReadTheSame() throws {
        let prefixed = try Self.read(Self.receipts(["120", "800"]))
        let defaulted = try Self.read(Self.receipts(["120", "800"], prefix: "", declaration: "xmlns=\"\(Self.ceb)\""))
        let otherPrefix = try Self.read(Self.receipts(["120", "800"], prefix: "c:", declaration: "xmlns:c=\"\(Self.ceb)\""))
        let none = try Self.read(Self.receipts(["120", "800"], prefix: "", declaration: ""))
        #expect(prefixed.count == 2)
        #expect(defaulted == prefixed && otherPrefix == prefixed && none == prefixed)
        let receipt = try BizReceipt(serializedBytes: prefixed[1].body)
        #expect(receipt.messageType == "CEB622Message" && receipt.returnStatus == 800 && receipt.invtNo == "29912026I000000001")
        #expect(receipt.customsCode == "2991" && receipt.returnTime == "20261121101501123" && receipt.returnInfo == "海关入库")
    }

    @Test func severalNodesAreSeveralDocumentsWithPositions() throws {
        let documents = try Self.read(Self.receipts(["2", "120", "300", "-301010"]))
        #expect(documents.map(\.position) == ["node 1", "node 2", "node 3", "node 4"])
        #expect(documents.allSatisfy { $0.type == "ceb.Receipt" && $0.correlationId.isEmpty && $0.recipients.isEmpty })
        #expect(try documents.map { try BizReceipt(serializedBytes: $0.body).returnStatus } == [2, 120, 300, -301010])
        #expect(
            try documents.map { try BizReceipt(serializedBytes: $0.body).copNo } == [
                "cop00000000", "cop00000001", "cop00000002", "cop00000003",
            ])
    }

    @Test func aByteOrderMarkIsFine() throws {
        let text = Self.receipts(["120"])
        let withBOM = try CEBReader.read([0xEF, 0xBB, 0xBF] + Array(text.utf8), fileName: "bom.xml")
        #expect(withBOM == (try Self.read(text)))
    }

    @Test func aNodeWithoutGuidTakesTheRootsGuid() throws {
        let text = Self.receipts(["120"]).replacingOccurrences(of: "<ceb:guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC90</ceb:guid>", with: "")
        let receipt = try BizReceipt(serializedBytes: try #require(try Self.read(text).first).body)
        #expect(receipt.guid == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
    }

    @Test func unknownElementsAndForeignNamespacesAreIgnored() throws {
        let text = Self.receipts(["120"]).replacingOccurrences(
            of: "<ceb:customsCode>2991</ceb:customsCode>",
            with: "<ceb:customsCode>2991</ceb:customsCode><ceb:futureField>x</ceb:futureField><x:invtNo xmlns:x=\"urn:other\">no</x:invtNo>"
        )
        let receipt = try BizReceipt(serializedBytes: try #require(try Self.read(text).first).body)
        #expect(receipt.invtNo == "29912026I000000000" && receipt.customsCode == "2991")
    }

    @Test func malformedXMLIsASyntaxErrorWithItsLine() throws {
        let broken = Self.receipts(["120"]).replacingOccurrences(of: "</ceb:copNo>", with: "</ceb:copN>")
        let error = try #require(Self.error(broken))
        #expect(error.code == .syntax)
        #expect(error.location.hasPrefix("line 6, column "), "\(error)")
        #expect(error.reason == "test.xml: not well-formed XML (an end tag does not match its start tag)")
        #expect(Self.error("")?.code == .syntax)
        #expect(Self.error("not xml at all")?.code == .syntax)
    }

    @Test func anUnknownRootIsAnUnknownDocument() throws {
        #expect(Self.error("<ceb:CEB999Message xmlns:ceb=\"\(Self.ceb)\"/>")?.code == .unknownDocument)
        #expect(Self.error("<Invoice><orderNo>1</orderNo></Invoice>")?.code == .unknownDocument)
        let foreign = Self.receipts(["120"], prefix: "x:", declaration: "xmlns:x=\"urn:not-customs\"")
        #expect(Self.error(foreign)?.code == .unknownDocument)
    }

    @Test func aMissingOrderNoIsAMissingFieldAtItsXPath() throws {
        let order = try CEBFixtures.writer.write(
            type: "ceb.Order", body: try CEBFixtures.body(for: "CEB311Message"), guid: CEBFixtures.guid)
        var text = String(decoding: order, as: UTF8.self)
        let node = text.components(separatedBy: "<ceb:Order>")[1].components(separatedBy: "</ceb:Order>")[0]
        text = text.replacingOccurrences(of: "</ceb:Order>", with: "</ceb:Order><ceb:Order>\(node)</ceb:Order>")
        #expect(try CEBReader.read(Array(text.utf8), fileName: "two.xml").count == 2)

        let lastOrderNo = try #require(text.range(of: "<ceb:orderNo>order202611210000000001</ceb:orderNo>", options: .backwards))
        var missing = text
        missing.replaceSubrange(lastOrderNo, with: "<ceb:orderNo></ceb:orderNo>")
        let error = try #require(Self.error(missing))
        #expect(error.code == .missingField)
        #expect(error.location == "/CEB311Message/Order[2]/OrderHead/orderNo")
    }

    @Test func keyFieldsOfEveryKindAreRequired() throws {
        let noStatus = Self.receipts(["120"]).replacingOccurrences(of: "<ceb:returnStatus>120</ceb:returnStatus>", with: "")
        #expect(
            Self.error(noStatus)
                == FormatError(.missingField, at: "/CEB622Message/InventoryReturn[1]/returnStatus", "returnStatus is missing or empty"))
        let noHead = "<CEB311Message><Order><OrderList/></Order></CEB311Message>"
        #expect(Self.error(noHead)?.location == "/CEB311Message/Order[1]/OrderHead")
        let noNodes = "<CEB511Message guid=\"x\" version=\"1.0\"/>"
        #expect(Self.error(noNodes)?.location == "/CEB511Message/Logistics")
        let waybill =
            "<CEB511Message><Logistics><LogisticsHead><logisticsCode>3301980002</logisticsCode></LogisticsHead></Logistics></CEB511Message>"
        #expect(Self.error(waybill)?.location == "/CEB511Message/Logistics[1]/LogisticsHead/logisticsNo")
    }

    @Test func aNonNumericReturnStatusIsAnInvalidValue() throws {
        let error = try #require(Self.error(Self.receipts(["120", "OK"])))
        #expect(error.code == .invalidValue)
        #expect(error.location == "/CEB622Message/InventoryReturn[2]/returnStatus")
    }

    @Test func aBadDecimalOrNumberIsAnInvalidValue() throws {
        let order = String(
            decoding: try CEBFixtures.writer.write(
                type: "ceb.Order", body: try CEBFixtures.body(for: "CEB311Message"), guid: CEBFixtures.guid), as: UTF8.self)
        let badAmount = order.replacingOccurrences(
            of: "<ceb:acturalPaid>829.67</ceb:acturalPaid>", with: "<ceb:acturalPaid>829,67</ceb:acturalPaid>")
        #expect(
            Self.error(badAmount)
                == FormatError(.invalidValue, at: "/CEB311Message/Order[1]/OrderHead/acturalPaid", "'acturalPaid' is not a decimal number"))
        let badLine = order.replacingOccurrences(of: "<ceb:gnum>2</ceb:gnum>", with: "<ceb:gnum>two</ceb:gnum>")
        #expect(Self.error(badLine)?.location == "/CEB311Message/Order[1]/OrderList[2]/gnum")
        let badType = order.replacingOccurrences(of: "<ceb:appType>1</ceb:appType>", with: "<ceb:appType>N</ceb:appType>")
        #expect(Self.error(badType)?.location == "/CEB311Message/Order[1]/OrderHead/appType")
        let padded = order.replacingOccurrences(
            of: "<ceb:acturalPaid>829.67</ceb:acturalPaid>", with: "<ceb:acturalPaid>\n 829.67 </ceb:acturalPaid>")
        #expect(try BizOrder(serializedBytes: try #require(try Self.read(padded).first).body).acturalPaid == "829.67")
    }

    /// xs:int allows leading zeros and a plus sign ("01", "+2", "0003"): read as the number,
    /// as the XSD means them (customs' own tax bills write gnum "01").
    @Test func wholeNumbersInEveryLexicalFormTheXSDAllows() throws {
        let order = String(
            decoding: try CEBFixtures.writer.write(
                type: "ceb.Order", body: try CEBFixtures.body(for: "CEB311Message"), guid: CEBFixtures.guid), as: UTF8.self)
        let padded = order.replacingOccurrences(of: "<ceb:gnum>1</ceb:gnum>", with: "<ceb:gnum>01</ceb:gnum>")
            .replacingOccurrences(of: "<ceb:gnum>2</ceb:gnum>", with: "<ceb:gnum> +0002 </ceb:gnum>")
        #expect(padded != order)
        let read = try BizOrder(serializedBytes: try #require(try Self.read(padded).first).body)
        #expect(read.orderList.map(\.gnum) == [1, 2])
        let tooLarge = order.replacingOccurrences(of: "<ceb:gnum>2</ceb:gnum>", with: "<ceb:gnum>2147483648</ceb:gnum>")
        #expect(Self.error(tooLarge)?.location == "/CEB311Message/Order[1]/OrderList[2]/gnum")
    }

    /// A document with a DTD is refused, naming its line: libxml2 would drop a reference to
    /// an entity it declares from the value without a word ("&co;科技" read as "科技").
    @Test func aDocumentWithADTDIsRefused() throws {
        let order = String(
            decoding: try CEBFixtures.writer.write(
                type: "ceb.Order", body: try CEBFixtures.body(for: "CEB311Message"), guid: CEBFixtures.guid), as: UTF8.self)
        let root = try #require(order.range(of: "<ceb:CEB311Message"))
        var declared = order
        declared.insert(contentsOf: "<!DOCTYPE ceb:CEB311Message [<!ENTITY co \"东方\">]>\n", at: root.lowerBound)
        let refusal = Self.error(declared)
        #expect(refusal?.code == .syntax)
        #expect(refusal?.reason.contains("DTD") == true, "\(String(describing: refusal))")
        let laughs = order.replacingOccurrences(
            of: "<ceb:CEB311Message",
            with: "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<ceb:CEB311Message")
        #expect(Self.error(laughs)?.reason.contains("DTD") == true)
    }

    /// The root says the direction, whatever the flag reads; an export order keeps its own
    /// type (E B2C, B B2B, W overseas warehouse), and is written back as a CEB303.
    @Test(arguments: ["E", "B", "W"])
    func anExportOrderKeepsItsOrderType(orderType: String) throws {
        var order = try CEBFixtures.firstOfSample("CEB303Message", as: BizOrder.self)
        order.orderType = orderType
        let xml = try CEBFixtures.writer.write(type: "ceb.Order", body: try order.serializedBytes(), guid: CEBFixtures.guid)
        #expect(String(decoding: xml, as: UTF8.self).contains("CEB303Message"))
        let read = try BizOrder(serializedBytes: try #require(try CEBReader.read(xml, fileName: "303.xml").first).body)
        #expect(read.orderType == orderType && read.isExport)
    }

    @Test func aFlagThatContradictsTheRootIsTheRoots() throws {
        let order = String(
            decoding: try CEBFixtures.writer.write(
                type: "ceb.Order", body: try CEBFixtures.body(for: "CEB311Message"), guid: CEBFixtures.guid), as: UTF8.self)
        let contradicting = order.replacingOccurrences(of: "<ceb:orderType>I</ceb:orderType>", with: "<ceb:orderType>E</ceb:orderType>")
        #expect(contradicting != order)
        #expect(try BizOrder(serializedBytes: try #require(try Self.read(contradicting).first).body).orderType == "I")
    }

    /// A value the XSD's facets do not allow is refused at its element, as a writer would
    /// refuse to write it: a 61-character orderNo (at most 60), 6 decimals (at most 5).
    @Test func valuesBeyondTheXSDFacetsAreInvalid() throws {
        let order = String(
            decoding: try CEBFixtures.writer.write(
                type: "ceb.Order", body: try CEBFixtures.body(for: "CEB311Message"), guid: CEBFixtures.guid), as: UTF8.self)
        let orderNo = try #require(order.firstMatch(of: /<ceb:orderNo>([^<]*)<\/ceb:orderNo>/)).output.1
        let long = order.replacingOccurrences(
            of: "<ceb:orderNo>\(orderNo)</ceb:orderNo>", with: "<ceb:orderNo>\(String(repeating: "A", count: 61))</ceb:orderNo>")
        let error = try #require(Self.error(long))
        #expect(error.code == .invalidValue && error.location == "/CEB311Message/Order[1]/OrderHead/orderNo", "\(error)")
        #expect(error.reason.contains("61"))
        let precise = order.replacingOccurrences(
            of: "<ceb:acturalPaid>829.67</ceb:acturalPaid>", with: "<ceb:acturalPaid>829.670001</ceb:acturalPaid>")
        #expect(Self.error(precise)?.location == "/CEB311Message/Order[1]/OrderHead/acturalPaid")
        let trailingZeros = order.replacingOccurrences(
            of: "<ceb:acturalPaid>829.67</ceb:acturalPaid>", with: "<ceb:acturalPaid>829.6700000</ceb:acturalPaid>")
        #expect(Self.error(trailingZeros) == nil, "trailing zeros are not digits the XSD counts")
    }

    /// An element there but empty takes the XSD's default: a CEB303's appStatus 1 (暂存), its
    /// freight 0.
    @Test func anEmptyElementTakesTheXSDsDefault() throws {
        let order = try CEBFixtures.firstOfSample("CEB303Message", as: BizOrder.self)
        let xml = String(
            decoding: try CEBFixtures.writer.write(type: "ceb.Order", body: try order.serializedBytes(), guid: CEBFixtures.guid),
            as: UTF8.self)
        let emptied = xml.replacing(/<ceb:appStatus>[^<]*<\/ceb:appStatus>/, with: "<ceb:appStatus/>")
            .replacing(/<ceb:freight>[^<]*<\/ceb:freight>/, with: "<ceb:freight></ceb:freight>")
        #expect(emptied.contains("<ceb:appStatus/>") && emptied.contains("<ceb:freight></ceb:freight>"))
        let read = try BizOrder(serializedBytes: try #require(try Self.read(emptied).first).body)
        #expect(read.appStatus.rawValue == 1)
        #expect(read.freight == "0")
    }

    @Test func aDxpEnvelopeIsUnwrapped() throws {
        let inner = Array(Self.receipts(["120", "800"]).utf8)
        let envelope = """
            <DxpMsg ver="1.0" xmlns="http://www.chinaport.gov.cn/dxp">
              <TransInfo><CopMsgId>1</CopMsgId><SenderId>DXPEDCCEB0000002</SenderId>
                <ReceiverIds><ReceiverId>DXPENT0000000001</ReceiverId></ReceiverIds>
                <CreatTime>2026-11-21T10:15:01</CreatTime><MsgType>CEB622Message</MsgType></TransInfo>
              <Data>
            \(Data(inner).base64EncodedString(options: .lineLength76Characters))
              </Data>
            </DxpMsg>
            """
        #expect(try Self.read(envelope) == (try CEBReader.read(inner, fileName: "inner.xml")))
        // A transfer node's DxpMsgSv (spec section 5) around the same DxpMsg.
        let transfer = """
            <DxpMsgSv ver="1.0" xmlns="http://www.chinaport.gov.cn/dxp">
              <SvNo><MsgId>DXPEDCCEB000000220261121101501000000001</MsgId><SendTime>2026-11-21T10:15:02</SendTime>
                <EndNode>00000001</EndNode><StaNode>00000002</StaNode></SvNo>
            \(envelope.replacingOccurrences(of: " xmlns=\"http://www.chinaport.gov.cn/dxp\"", with: ""))
            </DxpMsgSv>
            """
        #expect(try Self.read(transfer) == (try CEBReader.read(inner, fileName: "inner.xml")))
        #expect(Self.error("<DxpMsgSv xmlns=\"http://www.chinaport.gov.cn/dxp\"><SvNo/></DxpMsgSv>")?.code == .missingField)
        let contents = try DXPEnvelope.unwrap(Array(envelope.utf8))
        #expect(contents.transInfo.receiverIds == ["DXPENT0000000001"] && contents.transInfo.msgType == "CEB622Message")

        let notBase64 = envelope.replacingOccurrences(of: "<Data>", with: "<Data>!!!")
        #expect(Self.error(notBase64)?.location == "/DxpMsg/Data")
        let brokenInside = envelope.replacingOccurrences(
            of: Data(inner).base64EncodedString(options: .lineLength76Characters), with: Data("<a>".utf8).base64EncodedString())
        let error = try #require(Self.error(brokenInside))
        #expect(error.code == .syntax && error.reason.contains("in the DxpMsg Data"))
    }
}
