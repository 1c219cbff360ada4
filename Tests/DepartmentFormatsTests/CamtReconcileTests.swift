import DepartmentFormats
import Foundation
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// The bank adapter's payments in the reconciliation: a camt.054's credit becomes export
/// proceeds that pay their released order; a returned credit is no payment, so its released
/// order stays unpaid.
@Suite("camt credits reconciled")
struct CamtReconcileTests {
    let export = CamtOptions(ieFlag: "E", payCode: "3100000001", ebpCode: "3101960001", ebcCode: "3101960002")

    func order(_ number: String, _ value: String) -> BizOrder {
        var order = BizOrder()
        order.orderType = "E"
        order.orderNo = number
        order.ebpCode = "3101960001"
        order.ebcCode = "3101960002"
        order.currency = "502"
        order.goodsValue = value
        var line = BizOrderItem()
        line.gnum = 1
        line.qty = "1"
        line.totalPrice = value
        order.orderList = [line]
        return order
    }

    func release(_ number: String, _ value: String) -> BizReleaseNotice {
        var notice = BizReleaseNotice()
        notice.ieFlag = "E"
        notice.invtNo = "INV-" + number
        notice.orderNo = number
        notice.ebpCode = "3101960001"
        notice.ebcCode = "3101960002"
        notice.currency = "502"
        var item = BizInventoryItem()
        item.gnum = 1
        item.qty = "1"
        item.totalPrice = value
        notice.inventoryList = [item]
        return notice
    }

    @Test func aCreditPaysItsReleasedOrderAndAReturnedOneDoesNot() throws {
        let xml = CamtSamples.document(
            version: 8,
            entries: [
                CamtSamples.Entry(
                    amount: "200.50", currency: "USD",
                    txs: [CamtSamples.Tx(endToEndId: "P20180507001", ustrd: ["orderNo=EO2024031500001"], returnReason: "AC01")],
                    domain: ["PMNT", "ICDT", "RRTN"]),
                CamtSamples.Entry(amount: "99.99", currency: "USD", txs: [CamtSamples.Tx(endToEndId: "EO2024031500002")]),
            ])
        let result = try CamtReader.read(CamtSamples.bytes(xml), fileName: "camt.xml", options: export)
        #expect(result.documents.count == 1 && result.returns.count == 1)
        let day: Int64 = 86_400_000_000
        var bodies: [(type: String, sender: String, id: String, body: [UInt8])] = [
            ("ceb.Order", "platform", "o1", try order("EO2024031500001", "200.50").serializedBytes()),
            ("ceb.Order", "platform", "o2", try order("EO2024031500002", "99.99").serializedBytes()),
            ("flow.ReleaseNotice", "hub", "rel:ebc:i1", try release("EO2024031500001", "200.50").serializedBytes()),
            ("flow.ReleaseNotice", "hub", "rel:ebc:i2", try release("EO2024031500002", "99.99").serializedBytes()),
        ]
        bodies += result.documents.map { ($0.type, "bank1", "camt-\($0.position)", $0.body) }
        var reconciliation = Reconciliation()
        for (index, record) in bodies.enumerated() {
            reconciliation.fold(
                TradeStatistics.Record(
                    seq: UInt64(index + 1), type: record.type, sender: record.sender, id: record.id, journaledAtUs: day,
                    body: record.body))
        }
        // A waybill a month later moves the journal's clock past the grace.
        reconciliation.fold(
            TradeStatistics.Record(seq: 99, type: "ceb.Waybill", sender: "post", id: "late", journaledAtUs: 40 * day, body: []))
        let report = ReconciliationReport(
            reconciliation, period: .all, enterprise: "3101960002", settings: HubConfig.Reconcile(graceDays: 30),
            rates: { $0 == "502" ? 7 : nil })
        #expect(report.discrepancies.map(\.kind) == [.releasedUnpaid])
        #expect(report.discrepancies.first?.documents.first?.id == "rel:ebc:i1")
        let payments = report.totals.first?.payments
        #expect(payments?.count == 1 && payments?.values == ["502": Decimal(string: "99.99")!] && report.totals.first?.released.count == 2)
    }
}
