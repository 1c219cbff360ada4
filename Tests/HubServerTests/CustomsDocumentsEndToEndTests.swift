import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import SwiftProtobuf
import Testing

/// A document of the standard beyond the declaration's through the real hub: the platform
/// files a cancellation (CEB605) with `swhub submit --ceb`; the hub journals it and
/// delivers it to customs, whose adapter writes it as CEB XML that validates; customs'
/// CEB606 receipt dropped in its inbox comes back to the platform, correlated.
@Suite("Customs documents end to end", .serialized)
struct CustomsDocumentsEndToEndTests {
    @Test func aCancellationReachesCustomsAndItsReceiptTheFiler() async throws {
        let world = try await DepartmentWorld()
        defer { world.stop() }
        let platform = try world.hub.client("platform", receive: true)
        defer { platform.close() }
        let inbox = DeliveryInbox(platform)
        try await platform.connect()

        // The platform registers; customs' acceptance lets it file.
        _ = try await platform.submit(
            type: "reg.Registration",
            body: try DepartmentAdaptersEndToEndTests.registration("91110000PLATFORM1A", customs: DepartmentWorld.sampleCode)
                .serializedBytes(), id: "reg-platform")
        var answered: [String: Set<String>] = [:]
        try await waitUntil(.seconds(30), "the platform's registration never became final: \(world.diagnosis())") {
            for department in DepartmentWorld.departments {
                var set = answered[department] ?? []
                try? world.answerRegistrations(department, answered: &set)
                answered[department] = set
            }
            return inbox.all.contains { $0.type == "flow.Feedback" && (try? BizFeedback(serializedBytes: $0.body))?.final == true }
        }

        // The cancellation, filed as CEB605 XML.
        var cancel = BizCancellation()
        cancel.appTime = "20261121093000"
        cancel.customsCode = "5141"
        cancel.copNo = "CANCEL-2026-0001"
        cancel.invtNo = "51412026E000000123"
        cancel.reason = "买家取消订单，申请撤销清单"
        cancel.agentCode = DepartmentWorld.sampleCode
        cancel.agentName = "测试报关行"
        cancel.ebcCode = DepartmentWorld.sampleCode
        cancel.ebcName = "测试电商企业"
        cancel.ieFlag = "E"
        let xml = try DepartmentWorld.ceb("ceb.Cancellation", cancel, guid: StableGUID.make("cancel"))
        let file = world.hub.directory.appendingPathComponent("CEB605-cancel.xml")
        try Data(xml).write(to: file)
        let submit = try world.hub.startSwhub(
            ["submit", "--config", try world.hub.writeClientConfig("platform"), "--ceb", file.path], logName: "submit-605.log")
        #expect(try await InteropTests.wait(for: submit, within: .seconds(20)))
        #expect(submit.terminationStatus == 0, "\(world.hub.log(named: "submit-605.log"))")
        let id = try #require(try CEBReader.read(xml, fileName: "CEB605-cancel.xml").first)
            .messageId(party: "platform", contentId: InboundDocument.contentId(of: xml))

        // Customs' adapter writes it as CEB605 that validates against the export XSD.
        let written = try await world.waitOutbox("customs", "the cancellation") { $0.hasPrefix("ceb.Cancellation_") }
        let (valid, output) = try DepartmentAdaptersEndToEndTests.xmllint(
            world.folders("customs").outbox.appendingPathComponent(written), xsd: "ceb-export-2022.xsd")
        #expect(valid, "\(written): \(output)")
        let delivered = try BizCancellation(
            serializedBytes: try #require(try CEBReader.read(world.read("customs", \.outbox, written), fileName: written).first).body)
        #expect(delivered.copNo == cancel.copNo && delivered.invtNo == cancel.invtNo && delivered.ieFlag == "E")

        // Customs' system answers with CEB606; the platform gets the receipt, correlated to its filing.
        var receipt = BizReceipt()
        receipt.messageType = "CEB606Message"
        receipt.guid = StableGUID.make("606")
        receipt.agentCode = cancel.agentCode
        receipt.copNo = cancel.copNo
        receipt.preNo = "B20261121000000031"
        receipt.invtNo = cancel.invtNo
        receipt.returnStatus = 399
        receipt.returnTime = "20261121100000123"
        receipt.returnInfo = "海关审结，同意撤销"
        try world.drop("customs", "CEB606.xml", try DepartmentWorld.ceb("ceb.Receipt", receipt, guid: receipt.guid))
        try await waitUntil(.seconds(20), "no CEB606 receipt reached the platform: \(world.diagnosis())") {
            inbox.all.contains { $0.type == "ceb.Receipt" }
        }
        let answer = try #require(inbox.all.first { $0.type == "ceb.Receipt" })
        #expect(answer.sender == "customs" && answer.correlationId == id)
        let got = try BizReceipt(serializedBytes: answer.body)
        #expect(got.messageType == "CEB606Message" && got.returnStatus == 399 && got.copNo == cancel.copNo)

        // A summary application is the flows' to make: filed by an enterprise, refused as README and --help say.
        var summary = BizSummaryDeclaration()
        summary.customsCode = "5141"
        summary.copNo = "SUM-BY-HAND-1"
        summary.agentCode = DepartmentWorld.sampleCode
        summary.agentName = "测试报关行"
        summary.ebcCode = DepartmentWorld.sampleCode
        summary.ebcName = "测试电商企业"
        summary.declAgentCode = DepartmentWorld.sampleCode
        summary.declAgentName = "测试报关行"
        summary.startTime = "20261101"
        summary.endTime = "20261121"
        summary.summaryFlag = "1"
        summary.itemNameFlag = "1"
        summary.invtNo = [cancel.invtNo]
        let summaryFile = world.hub.directory.appendingPathComponent("CEB701.xml")
        try Data(try DepartmentWorld.ceb("ceb.SummaryDeclaration", summary, guid: StableGUID.make("701"))).write(to: summaryFile)
        let refused = try world.hub.startSwhub(
            ["submit", "--config", try world.hub.writeClientConfig("platform"), "--ceb", summaryFile.path], logName: "submit-701.log")
        #expect(try await InteropTests.wait(for: refused, within: .seconds(20)))
        let said = world.hub.log(named: "submit-701.log")
        #expect(refused.terminationStatus == 2 && said.contains("415 NOT_ENTITLED"), "\(said)")

        // swhub stats counts the adapters' files in its text output too.
        try await waitUntil(.seconds(20), "customs' adapter reported no file") {
            let events = try world.hub.openJournal().records(types: ["adapter.Event"], after: 0, limit: 1000)
            return events.contains { $0.sender == "customs" }
        }
        let stats = try world.hub.startSwhub(["stats", "--config", world.hub.configPath], logName: "stats.log")
        #expect(try await InteropTests.wait(for: stats, within: .seconds(20)))
        let table = world.hub.log(named: "stats.log")
        let adapters = table.components(
            separatedBy: "department adapters: files archived / rejected, records unlinked / returned (bank returns and reversals)\n")
        let customsRow = adapters.last?.split(separator: "\n").first { $0.hasPrefix("  customs ") }.map(String.init) ?? ""
        let archived = customsRow.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(adapters.count == 2 && customsRow.hasSuffix(" / 0, 0 / 0") && archived > 0, "\(table)")
    }
}
