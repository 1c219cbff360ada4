import Adapters
import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import SwiftProtobuf
import Testing

/// The tax and forex adapters write a reversal CSV for each withdrawal or return notice;
/// tax leaves a withdrawn inventory out of the export file of its summary.
@Suite("Tax and forex adapters: reversals")
struct ReversalFilesTests {
    typealias Base = CustomsFilesTests

    static func releaseNotice(_ invtNo: String) -> BizReleaseNotice {
        var notice = BizReleaseNotice()
        notice.invtNo = invtNo
        notice.orderNo = "ORD-\(invtNo)"
        notice.ieFlag = "E"
        notice.currency = "142"
        notice.returnTime = "20261121120000000"
        var item = BizInventoryItem()
        item.gnum = 1
        item.qty = "2"
        item.totalPrice = "600.00"
        notice.inventoryList = [item]
        return notice
    }

    @Test func aWithdrawalBeforeTheSummaryLeavesTheInventoryOutOfTheTaxExport() throws {
        var tax = TaxFiles()
        for number in ["INV-A", "INV-B"] {
            #expect(
                try tax.write(try Base.delivery(.releaseNotice, Self.releaseNotice(number), sender: "hub", id: "rel:p:\(number)")) == [])
        }
        var withdrawal = BizWithdrawalNotice()
        withdrawal.invtNo = "INV-A"
        withdrawal.totalPrice = "600.00"
        withdrawal.refundBasisUndone = true
        let written = try #require(try tax.write(try Base.delivery(.withdrawalNotice, withdrawal, sender: "hub", id: "wdn:p:cxl-1")))
        #expect(written.count == 1 && written[0].name.hasPrefix("tax-reversal"))
        #expect(String(decoding: written[0].content, as: UTF8.self).contains("withdrawal,wdn:p:cxl-1,INV-A"))

        var summary = BizSummaryResult()
        summary.entryID = "291220261000000001"
        for number in ["INV-A", "INV-B"] {
            var line = BizSummaryResultItem()
            line.invtNo = number
            summary.summaryResultList.append(line)
        }
        let export = try #require(try tax.write(try Base.delivery(.summaryResult, summary, sender: "hub", id: "sres:customs:1")))
        let text = String(decoding: export[0].content, as: UTF8.self)
        #expect(text.contains("INV-B") && !text.contains("INV-A"), "\(text)")

        var forex = ForexFiles()
        var returned = BizReturnNotice()
        returned.invtNo = "INV-B"
        var item = BizReturnNoticeItem()
        item.gnum = 1
        item.qty = "1"
        item.amount = "300.00"
        returned.items = [item]
        let files = try #require(try forex.write(try Base.delivery(.returnNotice, returned, sender: "hub", id: "rtn:p:ret-1")))
        #expect(files.count == 1 && files[0].name.hasPrefix("forex-reversal"))
        #expect(String(decoding: files[0].content, as: UTF8.self).contains("return,rtn:p:ret-1,INV-B"))
    }
}
