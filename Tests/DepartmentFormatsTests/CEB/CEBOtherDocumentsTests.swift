import DepartmentFormats
import FlowSamples
import Foundation
import HubProtocol
import SwiftProtobuf
import Testing

/// The standard's documents beyond the declaration's (cancellations, returns, tallies,
/// arrivals, departures, waybill statuses, master waybills, warehouse entries): their
/// directions, defaults, signatures and key checks, and how a receipt finds the filing it
/// answers. Round trips and XSD validation of every one are in ``CEBRoundTripTests``.
@Suite("CEB: the other documents")
struct CEBOtherDocumentsTests {
    static func write(_ type: String, _ message: any SwiftProtobuf.Message) throws -> [UInt8] {
        try CEBFixtures.writer.write(type: type, body: try message.serializedBytes(), guid: CEBFixtures.guid)
    }

    static func error(_ type: String, _ message: any SwiftProtobuf.Message) -> FormatError? {
        do {
            _ = try write(type, message)
            return nil
        } catch {
            return error as? FormatError
        }
    }

    @Test func cancellationsAndReturnsTakeTheirDirectionFromTheFlag() throws {
        var cancel = CEBDocumentFixtures.exportCancellation()
        #expect(try XMLCheck.values(try Self.write("ceb.Cancellation", cancel), "/CEB605Message/InvtCancel/invtNo") == [cancel.invtNo])
        cancel.ieFlag = ""
        let importXML = try Self.write("ceb.Cancellation", CEBDocumentFixtures.importCancellation())
        #expect(try XMLCheck.values(importXML, "/CEB623Message/InvtCancel/buyerName") == ["张三"])
        cancel.ieFlag = "X"
        let wrongFlag = try #require(Self.error("ceb.Cancellation", cancel))
        #expect(wrongFlag.code == .invalidValue && wrongFlag.reason == "ie_flag 'X' is neither I (import) nor E (export)")

        var request = CEBDocumentFixtures.exportReturn()
        request.ieFlag = ""
        let exportReturn = try Self.write("ceb.ReturnRequest", request)
        try CEBSpecs.expectValid(exportReturn, root: "CEB213Message")
        #expect(
            try XMLCheck.values(exportReturn, "/CEB213Message/InvtRefund/InvtRefundHead/ieFlag") == ["I"],
            "an export's returned goods come in: CEB213's ieFlag is I")
        let read = try BizReturnRequest(serializedBytes: try #require(try CEBReader.read(exportReturn, fileName: "213.xml").first).body)
        #expect(read.originalIeFlag == "E" && read.ieFlag == "I" && read.invtRefundList.count == 2)
        request.originalIeFlag = "I"
        let error = try #require(Self.error("ceb.ReturnRequest", request))
        #expect(error.code == .missingField, "an import return (CEB625) needs the order and buyer an export return lacks: \(error)")
        request.originalIeFlag = "B"
        #expect(Self.error("ceb.ReturnRequest", request)?.reason == "original_ie_flag 'B' is neither I (import) nor E (export)")
    }

    @Test(arguments: ["CEB623Message", "CEB625Message", "CEB711Message"])
    func signedDocumentsGetAnUnsignedTemplate(root: String) throws {
        let message = try #require(CEBDocumentFixtures.message(for: root))
        let xml = try Self.write(try #require(CEBDocumentFixtures.documentTypes[root]), message)
        #expect(try XMLCheck.values(xml, "/\(root)/Signature/SignatureValue") == [""])
        try CEBSpecs.expectValid(xml, root: root)
    }

    @Test func unsignedDocumentsHaveNoSignature() throws {
        let xml = try Self.write("ceb.Departure", CEBDocumentFixtures.departure())
        #expect(try XMLCheck.values(xml, "/CEB509Message/Signature").isEmpty)
        #expect(try XMLCheck.values(xml, "/CEB509Message/BaseTransfer/copCode") == [CEBFixtures.identity.copCode])
    }

    @Test func writingFillsDefaultsAndRefusesWhatTheXSDRejects() throws {
        var status = CEBDocumentFixtures.waybillStatus()
        status.appType = .unspecified
        status.appStatus = .unspecified
        status.appTime = ""
        let xml = try Self.write("ceb.WaybillStatus", status)
        try CEBSpecs.expectValid(xml, root: "CEB513Message")
        #expect(try XMLCheck.values(xml, "/CEB513Message/LogisticsStatus/appTime") == ["20261121101500"])
        status.logisticsStatus = "SIGNED"
        #expect(Self.error("ceb.WaybillStatus", status)?.location == "/CEB513Message/LogisticsStatus[1]/logisticsStatus")

        var departure = CEBDocumentFixtures.departure()
        departure.departureList = []
        #expect(
            Self.error("ceb.Departure", departure)
                == FormatError(
                    .missingField, at: "/CEB509Message/Departure[1]/DepartureList", "CEB509Message needs at least 1 DepartureList")
        )
        var arrival = CEBDocumentFixtures.arrival()
        arrival.arrivalList = []
        try CEBSpecs.expectValid(try Self.write("ceb.Arrival", arrival), root: "CEB507Message")
        arrival.ieFlag = ""
        #expect(Self.error("ceb.Arrival", arrival)?.location == "/CEB507Message/Arrival[1]/ArrivalHead/ieFlag")

        var entry = CEBDocumentFixtures.warehouseEntry()
        entry.deliveryList[0].logisticsNo = String(repeating: "9", count: 61)
        #expect(Self.error("ceb.WarehouseEntry", entry)?.location == "/CEB711Message/Delivery[1]/DeliveryList[1]/logisticsNo")
    }

    @Test func readingInsistsOnTheKeys() throws {
        let cancel = CEBDocumentFixtures.exportCancellation()
        let xml = String(decoding: try Self.write("ceb.Cancellation", cancel), as: UTF8.self)
        let withoutInvtNo = xml.replacingOccurrences(of: "<ceb:invtNo>\(cancel.invtNo)</ceb:invtNo>", with: "")
        #expect(throws: FormatError(.missingField, at: "/CEB605Message/InvtCancel[1]/invtNo", "invtNo is missing or empty")) {
            try CEBReader.read(Array(withoutInvtNo.utf8), fileName: "605.xml")
        }
        let bill = String(decoding: try Self.write("ceb.MasterWaybill", CEBDocumentFixtures.masterWaybill()), as: UTF8.self)
        let badWeight = bill.replacingOccurrences(
            of: "<ceb:grossWeight>12.34500</ceb:grossWeight>", with: "<ceb:grossWeight>12,3</ceb:grossWeight>")
        #expect(throws: FormatError.self) { try CEBReader.read(Array(badWeight.utf8), fileName: "607.xml") }
    }

    /// Each receipt finds its filing by the keys both carry; another filing's receipt, a
    /// receipt with a differing key, or one sharing only a company code does not.
    @Test func receiptsAnswerTheirFilingByBusinessKeys() throws {
        let documents = CEBDocumentFixtures.documentTypes.filter { MessageType.otherCustomsDocuments.contains(MessageType($0.value)) }
        var filings: [String: CEBFilingKeys] = [:]
        for (root, type) in documents {
            let message = try #require(CEBDocumentFixtures.message(for: root))
            let keys = try #require(CEBFilingKeys.filing(type: type, body: try message.serializedBytes()))
            #expect(keys.root == root)
            filings[root] = keys
        }
        for receiptRoot in CEBDocumentFixtures.roots
        where CEBDocumentFixtures.documentTypes[receiptRoot] == nil && receiptRoot != "CEB900Message" {
            let receipt = try #require(CEBDocumentFixtures.receipt(receiptRoot))
            let keys = try #require(CEBFilingKeys.receipt(body: try receipt.serializedBytes()), "\(receiptRoot)")
            let answered = filings.filter { $0.value.isAnswered(by: keys) }.map(\.key)
            #expect(answered.count == 1 && answered.first == keys.root, "\(receiptRoot) answers \(answered)")
        }
        var other = try #require(CEBDocumentFixtures.receipt("CEB606Message"))
        other.copNo = "CANCEL-2026-0002"
        let differing = try #require(CEBFilingKeys.receipt(body: try other.serializedBytes()))
        #expect(!(filings["CEB605Message"]?.isAnswered(by: differing) ?? true))
        let onlyCompany = CEBFilingKeys(root: "CEB605Message", values: ["agentCode": CEBDocumentFixtures.agent.0])
        #expect(!(filings["CEB605Message"]?.isAnswered(by: onlyCompany) ?? true))

        let declarationReceipt = CEBFixtures.importReceipt("CEB622Message", SampleFilings.declaration(1))
        #expect(
            CEBFilingKeys.receipt(body: try declarationReceipt.serializedBytes()) == nil, "declaration receipts are the flows' business")
        #expect(CEBFilingKeys.filing(type: "ceb.Inventory", body: []) == nil)
        let formatCheck = try #require(CEBDocumentFixtures.receipt("CEB900Message"))
        #expect(CEBFilingKeys.receipt(body: try formatCheck.serializedBytes()) == nil, "a format check answers no filing by keys")
    }
}
