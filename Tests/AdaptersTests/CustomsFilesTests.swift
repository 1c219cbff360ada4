import Adapters
import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import SwiftProtobuf
import Testing

/// The customs adapter's format for the standard's other documents: a cancellation
/// delivered to customs is written as CEB605, and customs' CEB606 receipt for it goes back
/// to the cancellation's filer, also after a restart (the adapter's state).
@Suite("Customs files: other documents and their receipts")
struct CustomsFilesTests {
    static func cancellation(copNo: String) -> BizCancellation {
        var cancel = BizCancellation()
        cancel.guid = "C6050000-0000-4000-8000-000000000001"
        cancel.appTime = "20261121093000"
        cancel.customsCode = "5141"
        cancel.copNo = copNo
        cancel.invtNo = "51412026E000000123"
        cancel.reason = "买家取消订单"
        cancel.agentCode = "4401980002"
        cancel.agentName = "广州通关报关服务有限公司"
        cancel.ebcCode = "440196000A"
        cancel.ebcName = "广州跨境优选贸易有限公司"
        cancel.ieFlag = "E"
        return cancel
    }

    static func delivery(_ type: MessageType, _ message: some SwiftProtobuf.Message, sender: String, id: String) throws -> Delivery {
        var header = WireHeader()
        header.type = type.rawValue
        header.sender = sender
        header.id = id
        header.seq = 7
        header.journaledAtUs = 1_795_227_300_000_000
        return Delivery(header: header, body: try message.serializedBytes())
    }

    /// Customs' CEB606 receipt for the cancellation with `copNo`, as its system writes it.
    static func receiptFile(copNo: String, status: Int32) throws -> [UInt8] {
        var receipt = BizReceipt()
        receipt.messageType = "CEB606Message"
        receipt.guid = "R6060000-0000-4000-8000-000000000001"
        receipt.agentCode = "4401980002"
        receipt.copNo = copNo
        receipt.preNo = "B20261121000000031"
        receipt.invtNo = "51412026E000000123"
        receipt.returnStatus = status
        receipt.returnTime = "20261121100000123"
        receipt.returnInfo = "海关审结"
        let writer = CEBWriter(identity: CEBIdentity(copCode: "0000000000", copName: "customs", dxpId: "DXPEDCCEB0000002"))
        return try writer.write(type: "ceb.Receipt", body: try receipt.serializedBytes(), guid: receipt.guid)
    }

    @Test func aReceiptGoesBackToTheFilerOfWhatItAnswers() throws {
        var files = CustomsFiles(settings: .init())
        #expect(files.state.isEmpty)
        let written = try #require(
            try files.write(Self.delivery(.cancellation, Self.cancellation(copNo: "CANCEL-1"), sender: "platform", id: "cancel-1")))
        #expect(written.map(\.name) == ["ceb.Cancellation_cancel-1.xml"])
        let xml = String(decoding: try #require(written.first).content, as: UTF8.self)
        #expect(xml.contains("<ceb:CEB605Message") && xml.contains("<ceb:copNo>CANCEL-1</ceb:copNo>"))
        _ = try files.write(Self.delivery(.cancellation, Self.cancellation(copNo: "CANCEL-2"), sender: "agent", id: "cancel-2"))

        let reading = try files.read(name: "CEB606-1.xml", data: try Self.receiptFile(copNo: "CANCEL-1", status: 399))
        let receipt = try #require(reading.documents.first)
        #expect(receipt.type == "ceb.Receipt" && receipt.recipients == ["platform"] && receipt.correlationId == "cancel-1")
        let second = try #require(
            try files.read(name: "CEB606-2.xml", data: try Self.receiptFile(copNo: "CANCEL-2", status: 100)).documents.first)
        #expect(second.recipients == ["agent"] && second.correlationId == "cancel-2")

        // A restarted adapter takes its state back and still knows the filer.
        var restarted = CustomsFiles(settings: .init())
        try restarted.restore(files.state)
        let again = try #require(
            try restarted.read(name: "CEB606-1.xml", data: try Self.receiptFile(copNo: "CANCEL-1", status: 399)).documents.first)
        #expect(again == receipt)
    }

    @Test func aReceiptOfNothingWrittenGoesUnaddressed() throws {
        var files = CustomsFiles(settings: .init())
        _ = try files.write(Self.delivery(.cancellation, Self.cancellation(copNo: "CANCEL-1"), sender: "platform", id: "cancel-1"))
        let stranger = try #require(
            try files.read(name: "CEB606-9.xml", data: try Self.receiptFile(copNo: "CANCEL-9", status: 399)).documents.first)
        #expect(stranger.recipients.isEmpty && stranger.correlationId.isEmpty)
        // What the hub's flows forwarded needs no address: the flows read every receipt.
        _ = try files.write(Self.delivery(.cancellation, Self.cancellation(copNo: "CANCEL-3"), sender: "hub", id: "fwd:platform:c-3"))
        let forwarded = try #require(
            try files.read(name: "CEB606-3.xml", data: try Self.receiptFile(copNo: "CANCEL-3", status: 399)).documents.first)
        #expect(forwarded.recipients.isEmpty && forwarded.correlationId == "fwd:platform:c-3")
    }
}
