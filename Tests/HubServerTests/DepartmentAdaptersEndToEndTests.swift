import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import HubThreads
import SwiftProtobuf
import Testing

/// The five department adapters against a live hub, from department files through the
/// flows to department files: the official customs samples filed by an enterprise in CEB
/// XML, the proceeds from the bank's camt.054, the waybill from the post's CN23 CSV,
/// customs' receipts and summary result in CEB XML, and at the end the tax CSV and the
/// bank's pacs.008 with the entryId, the forex CSV, and refund and settlement results back
/// from tax and forex; bad files in the error folders with their reasons.
@Suite("Department adapters end to end", .serialized)
struct DepartmentAdaptersEndToEndTests {
    static let orderNo = "order2018050711340001"

    static func specs() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Specs/customs-ceb")
    }

    static func sample(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: specs().appendingPathComponent("samples-2018-export/\(name)")))
    }

    static func xmllint(_ file: URL, xsd: String) throws -> (Bool, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        process.arguments = ["--noout", "--schema", specs().appendingPathComponent("xsd/\(xsd)").path, file.path]
        let pipe = ProcessLaunch.pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try ProcessLaunch.run(process)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus == 0, output)
    }

    static func camt054(amount: String, endToEnd: String, remittance: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
          <BkToCstmrDbtCdtNtfctn>
            <GrpHdr><MsgId>NTF-20261121-1</MsgId><CreDtTm>2026-11-21T18:30:00+08:00</CreDtTm></GrpHdr>
            <Ntfctn>
              <Id>N-1</Id><CreDtTm>2026-11-21T18:30:00+08:00</CreDtTm>
              <Acct><Id><Othr><Id>6216600000001105910159</Id></Othr></Id></Acct>
              <Ntry>
                <Amt Ccy="CNY">\(amount)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                <BookgDt><Dt>2026-11-21</Dt></BookgDt><ValDt><Dt>2026-11-21</Dt></ValDt>
                <NtryDtls><TxDtls>
                  <Refs><EndToEndId>\(endToEnd)</EndToEndId></Refs>
                  <Amt Ccy="CNY">\(amount)</Amt>
                  <RltdPties><Dbtr><Pty><Nm>ACME Ltd</Nm></Pty></Dbtr></RltdPties>
                  <RmtInf><Ustrd>\(remittance)</Ustrd></RmtInf>
                </TxDtls></NtryDtls>
              </Ntry>
            </Ntfctn>
          </BkToCstmrDbtCdtNtfctn>
        </Document>
        """
    }

    @Test func fromDepartmentFilesThroughTheFlowsToDepartmentFiles() async throws {
        let world = try await DepartmentWorld()
        defer { world.stop() }
        let platform = try world.hub.client("platform", receive: true)
        defer { platform.close() }
        let feedback = DeliveryInbox(platform)
        try await platform.connect()

        // Registrations: the platform files its own; the bank and the post drop theirs as hub JSON.
        _ = try await platform.submit(
            type: "reg.Registration",
            body: try Self.registration("91110000PLATFORM1A", customs: DepartmentWorld.sampleCode).serializedBytes(), id: "reg-platform")
        for (department, code) in [("bank", "91110000BANK00002B"), ("post", "91110000POST00003C")] {
            let json = try Self.registration(code, customs: "").jsonString(
                options: {
                    var o = JSONEncodingOptions()
                    o.preserveProtoFieldNames = true
                    return o
                }())
            try world.drop(department, "registration.json", "{\"type\": \"reg.Registration\", \"body\": \(json)}")
        }
        // Each department's system answers what its outbox shows, until every filer is registered.
        var answered: [String: Set<String>] = [:]
        try await waitUntil(.seconds(30), "registrations not all answered") {
            for department in DepartmentWorld.departments {
                var set = answered[department] ?? []
                try? world.answerRegistrations(department, answered: &set)
                answered[department] = set
            }
            return DepartmentWorld.departments.allSatisfy { answered[$0]?.count ?? 0 >= ($0 == "bank" || $0 == "post" ? 2 : 3) }
        }
        try await waitUntil(.seconds(20), "the platform's registration never became final") {
            feedback.all.contains { (try? BizFeedback(serializedBytes: $0.body))?.final == true }
        }

        // The enterprise files the official samples' order and inventory in CEB XML (one node each).
        let orders = try CEBReader.read(try Self.sample("CEB303Message.xml"), fileName: "CEB303Message.xml")
        let inventories = try CEBReader.read(try Self.sample("CEB603Message.xml"), fileName: "CEB603Message.xml")
        let order = try BizOrder(serializedBytes: try #require(orders.first).body)
        let inventory = try BizInventory(serializedBytes: try #require(inventories.first).body)
        #expect(order.orderNo == Self.orderNo && inventory.ieFlag == "E", "the root makes a CEB603 an export, whatever its ieFlag says")
        let platformConfig = try world.hub.writeClientConfig("platform")
        for (name, type, message) in [
            ("order.xml", "ceb.Order", order as any SwiftProtobuf.Message), ("inventory.xml", "ceb.Inventory", inventory),
        ] {
            let file = world.hub.directory.appendingPathComponent(name)
            try Data(try DepartmentWorld.ceb(type, message, guid: StableGUID.make(name))).write(to: file)
            let submit = try world.hub.startSwhub(
                ["submit", "--config", platformConfig, "--ceb", file.path], logName: "submit-\(name).log")
            #expect(try await InteropTests.wait(for: submit, within: .seconds(20)))
            #expect(submit.terminationStatus == 0, "\(world.hub.log(named: "submit-\(name).log"))")
        }
        // The proceeds come from the bank's camt.054, with an entry that links to nothing; the waybill from the post's CN23.
        try world.drop(
            "bank", "camt054-1.xml", Self.camt054(amount: "200.50", endToEnd: "P20180507001", remittance: "orderNo=\(Self.orderNo)"))
        try world.drop("bank", "camt054-2.xml", Self.camt054(amount: "9.99", endToEnd: "NOTPROVIDED", remittance: "thank you"))
        try world.drop(
            "post", "cn23-1.csv",
            "consignmentId,orderNo,category,senderName,addresseeName,addresseeAddress,addresseeTelephone,addresseeCountry,totalGrossWeight,postage,currency,parcels,itemDescription,itemQuantity,itemNetWeight,itemValue,itemCurrency,itemHsTariffNumber,itemOriginCountry\n"
                + "L2018050700001,\(Self.orderNo),sale_of_goods,\"杭州卖家, 有限公司\",\"John \"\"JJ\"\" Smith\",\"1 Main St, Springfield\",+1-555-0100,US,1.5,20.50,CNY,1,Tea set,1,1.2,200,CNY,6911101100,CN\n"
        )

        // Matched: customs' outbox gets the four documents as CEB XML that validates.
        let inventoryFile = try await world.waitOutbox("customs", "the forwarded inventory") { $0.hasPrefix("ceb.Inventory_fwd_") }
        for prefix in ["ceb.Order_fwd_", "ceb.Payment_fwd_", "ceb.Waybill_fwd_"] {
            let name = try await world.waitOutbox("customs", prefix) { $0.hasPrefix(prefix) }
            let (valid, output) = try Self.xmllint(world.folders("customs").outbox.appendingPathComponent(name), xsd: "ceb-export-2022.xsd")
            #expect(valid, "\(name): \(output)")
        }
        #expect(world.names("bank", \.errors).contains("camt054-2.xml.unlinked.txt"), "\(world.names("bank", \.errors))")
        #expect(world.names("bank", \.archive).contains("camt054-2.xml"), "the file itself is archived")

        // Customs' system answers with CEB604 receipts: 120, then 800.
        let forwarded = try BizInventory(
            serializedBytes: try #require(CEBReader.read(world.read("customs", \.outbox, inventoryFile), fileName: inventoryFile).first)
                .body)
        for status: Int32 in [120, 800] {
            var receipt = BizReceipt()
            receipt.messageType = "CEB604Message"
            receipt.guid = StableGUID.make("receipt", "\(status)")
            receipt.customsCode = forwarded.customsCode
            receipt.ebpCode = forwarded.ebpCode
            receipt.ebcCode = forwarded.ebcCode
            receipt.agentCode = forwarded.agentCode
            receipt.copNo = forwarded.copNo
            receipt.preNo = "B20261121000000001"
            receipt.statisticsFlag = "A"
            receipt.invtNo = "29912026E000000001"
            receipt.returnStatus = status
            receipt.returnTime = "20261121120000000"
            receipt.returnInfo = status == 800 ? "放行" : "入库"
            try world.drop("customs", "CEB604-\(status).xml", try DepartmentWorld.ceb("ceb.Receipt", receipt, guid: receipt.guid))
        }
        // Release: forex's CSV per order payment; the post and the bank get the notice.
        let forexFile = try await world.waitOutbox("forex", "the payment CSV") { $0.hasPrefix("forex-payment_") }
        let forexCSV = String(decoding: world.read("forex", \.outbox, forexFile), as: UTF8.self)
        #expect(forexCSV.contains(Self.orderNo) && forexCSV.contains("200.50"), "\(forexCSV)")
        try await world.waitOutbox("post", "the release notice") { $0.hasPrefix("flow.ReleaseNotice_") }

        // A summary on request (customs' system drops it as hub JSON); customs answers in CEB XML.
        try world.drop(
            "customs", "summary-request.json",
            "{\"type\": \"flow.SummaryRequest\", \"body\": {\"ebc_code\": \"\(DepartmentWorld.sampleCode)\"}}")
        let summaryFile = try await world.waitOutbox("customs", "the summary application") { $0.hasPrefix("ceb.SummaryDeclaration_") }
        #expect(summaryFile.hasSuffix(".xml"), "\(world.hub.log(named: "adapter-customs.log").suffix(2000))")
        let (valid701, output701) = try Self.xmllint(
            world.folders("customs").outbox.appendingPathComponent(summaryFile), xsd: "ceb-export-2022.xsd")
        #expect(valid701, "\(output701)")
        let summary = try BizSummaryDeclaration(
            serializedBytes: try #require(CEBReader.read(world.read("customs", \.outbox, summaryFile), fileName: summaryFile).first).body)
        #expect(summary.invtNo == ["29912026E000000001"])
        var summaryReceipt = BizReceipt()
        summaryReceipt.messageType = "CEB702Message"
        summaryReceipt.guid = StableGUID.make("702")
        summaryReceipt.customsCode = summary.customsCode
        summaryReceipt.agentCode = summary.agentCode
        summaryReceipt.ebcCode = summary.ebcCode
        summaryReceipt.copNo = summary.copNo
        summaryReceipt.sumNo = "S20261121000000001"
        summaryReceipt.preNo = "B20261121000000002"
        summaryReceipt.msgSeqNo = 1
        summaryReceipt.returnStatus = 2
        summaryReceipt.returnTime = "20261121130000000"
        summaryReceipt.returnInfo = "申报成功"
        try world.drop("customs", "CEB702.xml", try DepartmentWorld.ceb("ceb.Receipt", summaryReceipt, guid: summaryReceipt.guid))
        // The 702 receipt is journaled (its file archived) before the 792 result follows it.
        try await waitUntil(.seconds(20), "CEB702.xml not archived: \(world.diagnosis())") {
            world.names("customs", \.archive).contains("CEB702.xml")
        }
        var result = BizSummaryResult()
        result.guid = StableGUID.make("792")
        result.customsCode = summary.customsCode
        result.sumNo = "S20261121000000001"
        result.opDate = "20261121140000000"
        result.entryID = "292920261000000001"
        result.decState = "1"
        result.agentCode = summary.agentCode
        result.ebcCode = summary.ebcCode
        result.msgCount = 1
        result.msgSeqNo = 1
        result.declSeqNo = "292920261000000001"
        result.grossWeight = "1.5"
        result.netWeight = "1.2"
        var line = BizSummaryResultItem()
        line.invtNo = "29912026E000000001"
        line.gseqno = 1
        line.gcode = "6911101100"
        line.logisticsNo = "L2018050700001"
        line.gnum = 1
        result.summaryResultList = [line]
        try world.drop("customs", "CEB792.xml", try DepartmentWorld.ceb("ceb.SummaryResult", result, guid: result.guid))

        // The entryId reaches tax (CSV per declared line) and the bank (pacs.008).
        let taxFile = try await world.waitOutbox("tax", "the tax CSV") { $0.hasPrefix("tax-export_") }
        let taxCSV = String(decoding: world.read("tax", \.outbox, taxFile), as: UTF8.self)
        #expect(
            taxCSV.contains("292920261000000001") && taxCSV.contains("29912026E000000001") && taxCSV.contains(Self.orderNo), "\(taxCSV)")
        let pacs = try await world.waitOutbox("bank", "the settlement instruction") { $0.hasPrefix("pacs008_") }
        let pacsXML = String(decoding: world.read("bank", \.outbox, pacs), as: UTF8.self)
        #expect(pacsXML.contains("entryId=292920261000000001") && pacsXML.contains("FIToFICstmrCdtTrf"), "\(pacsXML)")

        // Results come back from tax and forex as CSV; bad files land in the error folders.
        try world.drop(
            "tax", "refunds-1.csv",
            "entryId,invtNo,ebcCode,decision,refundAmount,currency,reason,decidedDate\n292920261000000001,29912026E000000001,\(DepartmentWorld.sampleCode),accepted,26.00,142,\"审核通过, 已退税\",20261130\n"
        )
        try world.drop(
            "forex", "settlements-1.csv",
            "orderNo,payTransactionId,decision,amount,currency,reason,verifiedDate\n\(Self.orderNo),P20180507001,accepted,200.50,CNY,,2026-11-30\n"
        )
        try world.drop(
            "customs", "broken.xml", "<ceb:CEB604Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"><ceb:InventoryReturn>\n<unclosed>\n")
        try world.drop(
            "tax", "broken.csv",
            "entryId,invtNo,ebcCode,decision,refundAmount,currency,reason,decidedDate\n1,2,3,accepted,not-a-number,142,,20261130\n")
        try await waitUntil(.seconds(20), "bad files not rejected") {
            world.names("customs", \.errors).contains("broken.xml.reason.txt")
                && world.names("tax", \.errors).contains("broken.csv.reason.txt")
        }
        let xmlReason = String(decoding: world.read("customs", \.errors, "broken.xml.reason.txt"), as: UTF8.self)
        #expect(xmlReason.contains("code: SYNTAX") && xmlReason.contains("line"), "\(xmlReason)")
        let csvReason = String(decoding: world.read("tax", \.errors, "broken.csv.reason.txt"), as: UTF8.self)
        #expect(csvReason.contains("line 2") && csvReason.contains("refundAmount"), "\(csvReason)")
        try await waitUntil(.seconds(20), "results not archived") {
            world.names("tax", \.archive).contains("refunds-1.csv") && world.names("forex", \.archive).contains("settlements-1.csv")
        }

        // The journal holds each department's results once; the feedback ends released.
        let journal = try world.hub.openJournal()
        #expect(try journal.records(types: ["tax.RefundResult"], after: 0, limit: 10).count == 1)
        #expect(try journal.records(types: ["forex.SettlementResult"], after: 0, limit: 10).count == 1)
        let events = try journal.records(types: ["adapter.Event"], after: 0, limit: 1000).compactMap {
            try? BizAdapterEvent(serializedBytes: $0.body)
        }
        #expect(events.contains { $0.department == "customs" && $0.kind == "error" && $0.file == "broken.xml" })
        #expect(events.contains { $0.department == "bank" && $0.kind == "unlinked" })
        let states = feedback.all.compactMap { try? BizFeedback(serializedBytes: $0.body) }.filter { $0.subjectType == "ceb.Inventory" }
        #expect(states.last?.state == .accepted, "\(states.map(\.state))")

        // `swhub stats` shows each adapter's files archived and rejected.
        let stats = try world.hub.startSwhub(["stats", "--config", world.hub.configPath, "--json"], logName: "stats.log")
        #expect(try await InteropTests.wait(for: stats, within: .seconds(20)))
        let report = try JSONSerialization.jsonObject(with: Data(world.hub.log(named: "stats.log").utf8)) as? [String: Any]
        let adapters = report?["adapters"] as? [String: [String: Int]] ?? [:]
        #expect(adapters["customs"]?["error"] == 1 && (adapters["customs"]?["archived"] ?? 0) >= 5, "\(adapters)")
        #expect(adapters["tax"]?["error"] == 1 && adapters["bank"]?["unlinked"] == 1, "\(adapters)")
    }

    static func registration(_ code: String, customs: String) -> BizRegistration {
        var registration = BizRegistration()
        registration.copNo = "R-\(code.suffix(4))"
        registration.socialCreditCode = code
        registration.customsCode = customs
        registration.name = "企业 \(code.suffix(4))"
        registration.roles = [.platform, .ecommerceEnterprise, .paymentCompany, .logisticsCompany]
        var account = BizBankAccount()
        account.bankCode = "BKCHCNBJ"
        account.accountNo = "6216600000001105910159"
        account.accountName = "企业 \(code.suffix(4))"
        registration.bankAccounts = [account]
        return registration
    }
}
