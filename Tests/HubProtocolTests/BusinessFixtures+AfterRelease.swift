import HubProtocol
import SwiftProtobuf

/// Fixtures of the hub's notices after a release (withdrawal after an approved
/// cancellation, return), every field set.
extension BusinessFixtures {
    static var afterReleaseNotices: [any SwiftProtobuf.Message] { [withdrawalNotice, returnNoticeItem, returnNotice] }

    static var withdrawalNotice: BizWithdrawalNotice {
        parsed(
            """
            {"invtNo": "29912026E000000123", "copNo": "COP-123", "orderNo": "ORD-123", "ebpCode": "3301960001",
             "ebcCode": "3301960002", "ieFlag": "E", "logisticsNo": "SF1234567890123", "payTransactionId": "PAY-123",
             "reason": "买家取消订单", "cancellationFiler": "platform", "cancellationId": "cxl-123", "returnStatus": 399,
             "approvedTime": "20261121130000123", "releaseNoticeId": "rel:platform:inv-123", "totalPrice": "750.50",
             "currency": "142", "summarized": true, "summaryId": "sum:000001", "refundBasisUndone": true, "refundPaid": true,
             "refundedAmount": "97.57", "approvedAtUs": "1763730000123456"}
            """)
    }

    static var returnNoticeItem: BizReturnNoticeItem {
        parsed(
            """
            {"gnum": 1, "gcode": "1901101000", "gname": "婴儿奶粉 900g", "qty": "1", "unit": "007", "releasedQty": "2",
             "releasedTotalPrice": "600.00", "amount": "300.00", "remainingQty": "1", "remainingAmount": "300.00"}
            """)
    }

    static var returnNotice: BizReturnNotice {
        var notice: BizReturnNotice = parsed(
            """
            {"invtNo": "29912026E000000123", "copNo": "COP-123", "orderNo": "ORD-123", "ebpCode": "3301960001",
             "ebcCode": "3301960002", "ieFlag": "E", "logisticsNo": "SF1234567890123", "payTransactionId": "PAY-123",
             "totalAmount": "300.00", "currency": "142", "reason": "质量问题", "returnFiler": "platform", "returnId": "ret-123",
             "returnStatus": 800, "approvedTime": "20261121140000123", "refundBasisUndone": true, "refundPaid": true,
             "refundedAmount": "97.57", "fullyReturned": true, "summarized": true, "summaryId": "sum:000001",
             "releaseNoticeId": "rel:platform:inv-123", "approvedAtUs": "1763730000123456"}
            """)
        notice.items = [returnNoticeItem]
        return notice
    }
}
