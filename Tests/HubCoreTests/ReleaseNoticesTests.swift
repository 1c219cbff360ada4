import HubCore
import HubProtocol
import Testing

@Suite("Release notices")
struct ReleaseNoticesTests {
    static func declaration() throws -> DeclarationLinker.Declaration {
        let docs = DeclarationMatcherTests.matching()
        var linker = DeclarationLinker()
        _ = linker.add(order: .init(id: "o", sender: "platform", document: docs.order))
        _ = linker.add(payment: .init(id: "p", sender: "bank-boc", document: docs.payment))
        _ = linker.add(waybill: .init(id: "w", sender: "post", document: docs.waybill))
        guard case .matched(let declaration)? = linker.add(inventory: .init(id: "i", sender: "platform", document: docs.inventory)).first
        else {
            throw TestFailure()
        }
        return declaration
    }

    struct TestFailure: Error {}

    @Test func theNoticeCarriesTheLinkedDocumentsAndTheReceipt() throws {
        var receipt = BizReceipt()
        receipt.invtNo = "Invt20180507000001"
        receipt.returnStatus = 800
        receipt.returnTime = "20180507120000000"
        let notice = ReleaseNotices.notice(for: try Self.declaration(), receipt: receipt)
        #expect(notice.invtNo == "Invt20180507000001")
        #expect(notice.returnStatus == 800 && notice.returnTime == "20180507120000000")
        #expect(notice.orderNo == "order2018050711340001")
        #expect(notice.payTransactionID == "2018050711340001" && notice.payCode == "312226T001")
        #expect(notice.logisticsNo == "L2018050700001")
        #expect(notice.totalPrice == "1200", "the sum of the released lines' total_price, not the order's goods value")
        #expect(notice.inventoryList.count == 1)
    }

    @Test func recipientsAreTaxForexThePayerAndTheCarrierOnce() throws {
        let config = try HubConfigTests.parse(
            HubConfigTests.yaml(
                parties: """
                    - id: tax
                      public_key: "\(TestKeys.a)"
                      roles: [tax]
                    - id: safe
                      public_key: "\(TestKeys.b)"
                      roles: [forex]
                    - id: bank-boc
                      public_key: "\(TestKeys.c)"
                      roles: [bank, payment_company]
                    - id: post
                      public_key: "\(TestKeys.d)"
                      roles: [post, logistics_company, tax]
                    """))
        #expect(ReleaseNotices.recipients(for: try Self.declaration(), config: config) == ["tax", "post", "safe", "bank-boc"])
    }
}
