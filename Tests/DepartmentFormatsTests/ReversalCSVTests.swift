import DepartmentFormats
import HubProtocol
import SwiftProtobuf
import Testing

/// The reversal CSV tax and forex get for a withdrawal or a return after the release.
@Suite("Reversal CSV")
struct ReversalCSVTests {
    @Test func aWithdrawalIsOneRowAndAReturnOneRowPerLine() throws {
        var withdrawal = BizWithdrawalNotice()
        withdrawal.invtNo = "31012024E000000123"
        withdrawal.orderNo = "EO2024031500001"
        withdrawal.ieFlag = "E"
        withdrawal.totalPrice = "1250.50"
        withdrawal.currency = "142"
        withdrawal.refundBasisUndone = true
        withdrawal.summaryID = "sum:000001"
        withdrawal.approvedTime = "20240320103000123"
        withdrawal.reason = "买家取消, \"撤单\""
        let rows = try #require(
            ReversalCSV.lines(type: "flow.WithdrawalNotice", id: "wdn:platform:cxl-1", body: try withdrawal.serializedBytes()))
        #expect(rows.count == 1 && rows[0].count == ReversalCSV.columns.count)
        #expect(rows[0][0] == "withdrawal" && rows[0][12] == "1250.50" && rows[0][15] == "1" && rows[0][19] == "20240320")

        var notice = BizReturnNotice()
        notice.invtNo = withdrawal.invtNo
        notice.currency = "142"
        for (gnum, qty, amount) in [(1, "1", "450.25"), (2, "1", "350.00")] {
            var item = BizReturnNoticeItem()
            item.gnum = Int32(gnum)
            item.qty = qty
            item.amount = amount
            item.remainingQty = "0"
            notice.items.append(item)
        }
        let lines = try #require(ReversalCSV.lines(type: "flow.ReturnNotice", id: "rtn:platform:ret-1", body: try notice.serializedBytes()))
        #expect(
            lines.map { $0[7] } == ["1", "2"] && lines.map { $0[12] } == ["450.25", "350.00"] && lines.allSatisfy { $0[0] == "return" })
        let file = String(decoding: try ReversalCSV.file(rows + lines), as: UTF8.self)
        #expect(file.hasPrefix(ReversalCSV.columns.joined(separator: ",") + "\r\n") && file.contains("\"买家取消, \"\"撤单\"\"\""))
        #expect(ReversalCSV.lines(type: "flow.ReleaseNotice", id: "rel:x:y", body: []) == nil)
    }
}
