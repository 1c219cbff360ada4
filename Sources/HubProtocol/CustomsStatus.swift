/// A customs receipt's `return_status` (回执状态) with its meaning: the named codes of the
/// standard (`BizCustomsStatus` in `Schemas/business.proto`), a negative code as a processing
/// error, and any other code kept as ``unlisted(_:)``. Every `Int32` maps to exactly one
/// value and back (`CustomsStatus(code: c).code == c`), so codes this build does not know
/// travel on unchanged instead of being dropped.
public enum CustomsStatus: Hashable, Sendable, CustomStringConvertible {
    /// 0: no receipt yet.
    case unspecified
    /// 1 电子口岸已暂存: staged at the e-port.
    case staged
    /// 2 电子口岸申报中: being declared by the e-port.
    case declaring
    /// 3 发送海关成功: sent to customs.
    case sent
    /// 4 发送海关失败: sending to customs failed.
    case sendFailed
    /// 100 海关退单: rejected (final).
    case rejected
    /// 120 海关入库: accepted into customs' system.
    case accepted
    /// 300 人工审核: manual review.
    case manualReview
    /// 399 海关审结: approved.
    case approved
    /// 500 海关查验: inspection.
    case inspection
    /// 501–599 扣留: detained (501 移送通关, 502 移送缉私, 503 移送法规, 599 其它, or another
    /// code of the inspection range); the code says which.
    case detained(Int32)
    /// 700 退运: returned (final).
    case returned
    /// 800 放行: released.
    case released
    /// 899 结关: closed (final).
    case closed
    /// A negative code: customs could not process the message (e.g. -301010
    /// 已存在相同编号的订单); the code is kept as sent.
    case processingError(Int32)
    /// A non-negative code the standard's list does not name; kept as sent.
    case unlisted(Int32)

    /// The status of a receipt's code.
    ///
    /// - Parameter code: The receipt's `return_status`.
    public init(code: Int32) {
        switch code {
        case 0: self = .unspecified
        case 1: self = .staged
        case 2: self = .declaring
        case 3: self = .sent
        case 4: self = .sendFailed
        case 100: self = .rejected
        case 120: self = .accepted
        case 300: self = .manualReview
        case 399: self = .approved
        case 500: self = .inspection
        case 501...599: self = .detained(code)
        case 700: self = .returned
        case 800: self = .released
        case 899: self = .closed
        case ..<0: self = .processingError(code)
        default: self = .unlisted(code)
        }
    }

    /// The code as customs sends it.
    public var code: Int32 {
        switch self {
        case .unspecified: 0
        case .staged: 1
        case .declaring: 2
        case .sent: 3
        case .sendFailed: 4
        case .rejected: 100
        case .accepted: 120
        case .manualReview: 300
        case .approved: 399
        case .inspection: 500
        case .detained(let code), .processingError(let code), .unlisted(let code): code
        case .returned: 700
        case .released: 800
        case .closed: 899
        }
    }

    /// True for the states after which customs changes nothing: rejected, returned, closed.
    public var isTerminal: Bool {
        switch self {
        case .rejected, .returned, .closed: true
        default: false
        }
    }

    /// True for a negative code.
    public var isProcessingError: Bool {
        if case .processingError = self { return true }
        return false
    }

    /// The position of the state along the standard's order (portal, accepted, review,
    /// approved, inspection and detention, rejected/returned/released, closed); nil for
    /// processing errors and unlisted codes, which move no state.
    public var rank: Int? {
        switch self {
        case .unspecified: 0
        case .staged, .declaring: 1
        case .sent, .sendFailed: 2
        case .accepted: 3
        case .manualReview: 4
        case .approved: 5
        case .inspection, .detained: 6
        case .rejected, .returned, .released: 7
        case .closed: 8
        case .processingError, .unlisted: nil
        }
    }

    /// The code, as the feedback and the trace show it (`"800"`).
    public var description: String { String(code) }
}

extension BizReceipt {
    /// `return_status` as a ``CustomsStatus``.
    public var status: CustomsStatus {
        get { CustomsStatus(code: returnStatus) }
        set { returnStatus = newValue.code }
    }
}

extension BizReleaseNotice {
    /// `return_status` as a ``CustomsStatus``.
    public var status: CustomsStatus {
        get { CustomsStatus(code: returnStatus) }
        set { returnStatus = newValue.code }
    }
}
