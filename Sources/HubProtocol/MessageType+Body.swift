public import SwiftProtobuf

extension MessageType {
    /// The protobuf message of the body for the types named in ``MessageType``; nil for any
    /// other type (a configured type's body is whatever its configuration says).
    public var bodyMessage: (any SwiftProtobuf.Message.Type)? {
        switch self {
        case .registration: BizRegistration.self
        case .registrationResult: BizRegistrationResult.self
        case .order: BizOrder.self
        case .payment: BizPayment.self
        case .waybill: BizWaybill.self
        case .inventory: BizInventory.self
        case .receipt: BizReceipt.self
        case .summaryDeclaration: BizSummaryDeclaration.self
        case .summaryResult: BizSummaryResult.self
        case .creditNotice: BizCreditNotice.self
        case .feedback: BizFeedback.self
        case .releaseNotice: BizReleaseNotice.self
        case .summaryRequest: BizSummaryRequest.self
        case .query: BizQuery.self
        case .answer: BizAnswer.self
        case .refundResult: BizRefundResult.self
        case .settlementResult: BizSettlementResult.self
        case .adapterEvent: BizAdapterEvent.self
        case .cancellation: BizCancellation.self
        case .returnRequest: BizReturnRequest.self
        case .returnTally: BizReturnTally.self
        case .arrival: BizArrival.self
        case .departure: BizDeparture.self
        case .waybillStatus: BizWaybillStatus.self
        case .masterWaybill: BizMasterWaybill.self
        case .warehouseEntry: BizWarehouseEntry.self
        case .taxBill: BizTaxBill.self
        case .taxStatus: BizTaxStatus.self
        case .riskNotice: BizRiskNotice.self
        case .riskDisposition: BizRiskDisposition.self
        case .withdrawalNotice: BizWithdrawalNotice.self
        case .returnNotice: BizReturnNotice.self
        default: nil
        }
    }
}
