import DepartmentFormats
import Foundation
import HubProtocol
import SwiftProtobuf
import Testing

/// Every outgoing type, import and export, customs' side too: written, validated with
/// xmllint against the 2022 XSD of its direction, read back unchanged; and the same inside
/// a DXP envelope.
@Suite("CEB: write, validate, read back")
struct CEBRoundTripTests {
    @Test(arguments: CEBFixtures.outgoingRoots)
    func writesValidXMLThatReadsBackTheSame(root: String) throws {
        let message = try CEBFixtures.message(for: root)
        let type = CEBFixtures.hubType(of: root)
        let xml = try CEBFixtures.writer.write(type: type, body: try message.serializedBytes(), guid: CEBFixtures.guid)
        let text = String(decoding: xml, as: UTF8.self)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:\(root) guid=\"\(CEBFixtures.guid)\" version=\"1.0\""))
        try CEBSpecs.expectValid(xml, root: root)

        let documents = try CEBReader.read(xml, fileName: "\(root).xml")
        #expect(documents.count == 1)
        let document = try #require(documents.first)
        #expect(document.type == type && document.position == "node 1")
        let read = try CEBFixtures.decode(document.body, like: message)
        #expect(read.isEqualTo(message: message), "\(root): wrote\n\(message)\nread\n\(read)")
    }

    @Test(arguments: CEBFixtures.outgoingRoots)
    func dxpEnvelopeValidatesAndUnwraps(root: String) throws {
        let body = try CEBFixtures.body(for: root)
        let xml = try CEBFixtures.writer.write(type: CEBFixtures.hubType(of: root), body: body, guid: CEBFixtures.guid)
        let info = DXPEnvelope.TransInfo(
            copMsgId: CEBFixtures.guid, senderId: "DXPENT0000000001", receiverIds: ["DXPEDCCEB0000002"],
            createdAt: CEBFixtures.now, msgType: root)
        #expect(info.creatTime == "2026-11-21T10:15:00")
        let wrapped = try DXPEnvelope.wrap(xml, transInfo: info, fileName: "\(root)_1.xml")
        try CEBSpecs.expectValid(wrapped, root: "DxpMsg")

        let contents = try DXPEnvelope.unwrap(wrapped)
        #expect(contents.data == xml && contents.transInfo == info && contents.fileName == "\(root)_1.xml")
        let direct = try CEBReader.read(xml, fileName: "direct.xml")
        let throughEnvelope = try CEBReader.read(wrapped, fileName: "wrapped.xml")
        #expect(throughEnvelope == direct)
    }

    /// The hub's own summary declaration (SummaryAggregator): no guid, no appTime, a period
    /// of dates; the writer fills them and the file validates.
    @Test func summaryDeclarationAsTheHubMakesIt() throws {
        var summary = BizSummaryDeclaration()
        summary.appType = .new
        summary.appStatus = .declared
        summary.customsCode = "2991"
        summary.copNo = "sum-20261121-1"
        summary.agentCode = "3301960001"
        summary.agentName = "杭州跨境电商平台有限公司"
        summary.ebcCode = "3301960001"
        summary.ebcName = "杭州跨境电商平台有限公司"
        summary.declAgentCode = "3301960001"
        summary.declAgentName = "杭州跨境电商平台有限公司"
        summary.startTime = "20261101"
        summary.endTime = "20261121"
        summary.summaryFlag = "1"
        summary.itemNameFlag = "1"
        summary.msgCount = 1
        summary.msgSeqNo = 1
        summary.invtNo = ["29912026E000000001", "29912026E000000002"]
        let xml = try CEBFixtures.writer.write(type: "ceb.SummaryDeclaration", body: try summary.serializedBytes(), guid: "flow:summary:1")
        try CEBSpecs.expectValid(xml, root: "CEB701Message")

        let read = try BizSummaryDeclaration(serializedBytes: try #require(try CEBReader.read(xml, fileName: "701.xml").first).body)
        let guid = try CEBWriter.messageGuid("flow:summary:1")
        #expect(read.guid == guid && guid.count == 36)
        #expect(read.appTime == "20261121101500")
        #expect(read.startTime == "20261101000000" && read.endTime == "20261121235959")
        #expect(read.invtNo == summary.invtNo)
    }

    /// What the writer writes, the reader reads: with any one text field of the document
    /// emptied, the writer either refuses (a required element, or a business key the reader
    /// insists on) or writes XML the reader takes back.
    @Test(arguments: CEBFixtures.outgoingRoots)
    func whatTheWriterWritesTheReaderReads(root: String) throws {
        let message = try CEBFixtures.message(for: root)
        let hubType = CEBFixtures.hubType(of: root)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(message.jsonString().utf8)) as? [String: Any])
        var written = 0
        for (field, value) in json where value is String {
            var emptied = json
            emptied[field] = ""
            let text = String(decoding: try JSONSerialization.data(withJSONObject: emptied), as: UTF8.self)
            // (An enum field has no empty value: such fields are skipped.)
            guard let emptiedMessage = try? type(of: message).init(jsonString: text) else { continue }
            let body: [UInt8] = try emptiedMessage.serializedBytes()
            guard let xml = try? CEBFixtures.writer.write(type: hubType, body: body, guid: CEBFixtures.guid) else { continue }
            written += 1
            var readBack = true
            do { _ = try CEBReader.read(xml, fileName: "\(root).xml") } catch { readBack = false }
            #expect(readBack, "\(root) written without \(field) does not read back")
        }
        #expect(written > 0, "\(root): every emptied field was refused")
    }
}
