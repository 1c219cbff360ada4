import Adapters
import Foundation
import HubProtocol
import Testing

/// The simulated customs answers cancellations (CEB606/624) and returns (CEB214/626) of the
/// inventories it numbered with approving receipts, addressed to the filer.
@Suite("Simulated customs: cancellations and returns")
struct SimulatedCustomsAfterReleaseTests {
    typealias Base = SimulatedDepartmentTests

    /// Customs that received and numbered an inventory; its invt_no.
    static func customs(ieFlag: String) throws -> (SimulatedDepartment, String) {
        var customs = Base.department(.customs)
        let replies = customs.handle(
            type: "ceb.Inventory", header: Base.header("fwd:platform:inv-1:inventory", type: "ceb.Inventory"),
            body: try Base.inventory(ieFlag: ieFlag), nowUs: Base.now)
        let invtNo = try #require(try Base.receipts(replies).last?.invtNo)
        return (customs, invtNo)
    }

    @Test func aCancellationOfANumberedInventoryIsApproved() throws {
        var (customs, invtNo) = try Self.customs(ieFlag: "E")
        var cancellation = BizCancellation()
        cancellation.invtNo = invtNo
        cancellation.copNo = "CXL-1"
        cancellation.ieFlag = "E"
        let replies = customs.handle(
            type: "ceb.Cancellation", header: Base.header("cxl-1", type: "ceb.Cancellation", sender: "platform"),
            body: try cancellation.serializedBytes(), nowUs: Base.now)
        let reply = try #require(replies.first)
        #expect(replies.count == 1 && reply.correlationId == "cxl-1" && reply.recipients == ["platform"])
        let receipt = try BizReceipt(serializedBytes: reply.body)
        #expect(receipt.messageType == "CEB606Message" && receipt.status == .approved && receipt.invtNo == invtNo)
        #expect(receipt.copNo == "CXL-1")

        // An inventory customs never numbered: 100.
        cancellation.invtNo = "29912018I999999999"
        cancellation.ieFlag = "I"
        let refused = customs.handle(
            type: "ceb.Cancellation", header: Base.header("cxl-2", type: "ceb.Cancellation", sender: "platform"),
            body: try cancellation.serializedBytes(), nowUs: Base.now)
        let answer = try BizReceipt(serializedBytes: try #require(refused.first).body)
        #expect(answer.messageType == "CEB624Message" && answer.status == .rejected)
    }

    @Test func aReturnIsApprovedWithTheReceiptOfItsDirection() throws {
        for (flag, root, status) in [("E", "CEB214Message", CustomsStatus.released), ("I", "CEB626Message", .approved)] {
            var (customs, invtNo) = try Self.customs(ieFlag: flag)
            var request = BizReturnRequest()
            request.invtNo = invtNo
            request.coElNo = "RET-E"
            request.copNo = "RET-I"
            request.originalIeFlag = flag
            let replies = customs.handle(
                type: "ceb.ReturnRequest", header: Base.header("ret-1", type: "ceb.ReturnRequest", sender: "platform"),
                body: try request.serializedBytes(), nowUs: Base.now)
            let receipt = try BizReceipt(serializedBytes: try #require(replies.first).body)
            #expect(receipt.messageType == root && receipt.status == status && receipt.invtNo == invtNo)
            #expect(flag == "E" ? receipt.coElNo == "RET-E" : receipt.copNo == "RET-I")
        }
    }
}
