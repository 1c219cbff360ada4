import HubProtocol

/// After the release: each released inventory leaves a compact record (``AfterReleaseBook``)
/// by `invt_no` for `flows.declaration.after_release_days` of journal time, which
/// cancellations (FlowEngine+Cancellation.swift) and returns (FlowEngine+Returns.swift)
/// read; customs' receipts for those requests (CEB606/624, 214/626) decide them.
///
/// A cancellation or a return is a subject of its own: its filer gets feedback about it
/// (`subject_type` `ceb.Cancellation` or `ceb.ReturnRequest`, `subject_key` the `invt_no`),
/// PENDING while customs has not decided, then final ACCEPTED or REFUSED. The hub refuses
/// at once (final REFUSED, one reason `RULE [field, ...]: why` per failed rule,
/// ``AfterReleaseRule``) what it can tell is wrong; customs still receives the filing as
/// routed (PROTOCOL.md section 13) and answers it to its filer.
extension FlowEngine {
    /// The rules the hub applies to cancellations and returns, each with a stable name that
    /// feedback reasons start with.
    public enum AfterReleaseRule: String, CaseIterable, Sendable {
        /// The inventory named (`invt_no`) is not one the flows hold: never declared through
        /// the hub, refused, or released longer than `after_release_days` ago.
        case noSuchDocument = "NO_SUCH_DOCUMENT"
        /// The inventory was withdrawn already.
        case alreadyWithdrawn = "ALREADY_WITHDRAWN"
        /// A cancellation of the inventory is waiting for customs already.
        case duplicateDocument = "DUPLICATE_DOCUMENT"
        /// The filer is none of the declaration's filers and not its enterprise.
        case notEntitled = "NOT_ENTITLED"
        /// A return of an inventory customs has not released.
        case notReleased = "NOT_RELEASED"
        /// A returned line that is not a line of the inventory, or a return without lines.
        case unknownLine = "UNKNOWN_LINE"
        /// A returned quantity that is not a positive decimal number.
        case decimalFormat = "DECIMAL_FORMAT"
        /// A returned quantity above what remains released of the line (returns approved
        /// or waiting for customs taken off).
        case returnExceedsReleased = "RETURN_EXCEEDS_RELEASED"
    }

    /// Customs released a declaration: its after-release record (and what expired, see
    /// ``dropOldAfterRelease()``).
    mutating func noteRelease(_ flow: DeclarationFlow, notice: BizReleaseNotice, recipients: [String], noticeId: String)
        -> [FlowEmission]
    {
        let expired = dropOldAfterRelease()
        guard !notice.invtNo.isEmpty else { return expired }
        let declaration = flow.declaration
        let lines = notice.inventoryList.map { item in
            AfterReleaseBook.Line(
                gnum: item.gnum, gcode: item.gcode, gname: item.gname, unit: item.unit, qty: item.qty, totalPrice: item.totalPrice,
                remainingQty: item.qty, remainingAmount: item.totalPrice)
        }
        let record = AfterReleaseBook.Record(
            declaration: flow.key, filers: flow.filers, recipients: recipients, paymentFiler: declaration.payment.sender,
            waybillFiler: declaration.waybill.sender, releaseNoticeId: noticeId, ieFlag: notice.ieFlag, copNo: notice.copNo,
            orderNo: notice.orderNo, ebpCode: notice.ebpCode, ebcCode: notice.ebcCode, logisticsNo: notice.logisticsNo,
            payTransactionId: notice.payTransactionID, currency: notice.currency, lines: lines, releasedAtUs: nowUs)
        afterRelease.keep(record, invtNo: notice.invtNo, atUs: nowUs)
        return expired
    }

    /// Inventories went into a summary declaration.
    mutating func noteSummarized(_ numbers: [String], summaryId: String) {
        for number in numbers where afterRelease.records[number] != nil {
            afterRelease.records[number]?.summaryId = summaryId
        }
    }

    /// Tax's refund decision: an accepted refund of a released inventory is noted, so that
    /// a later withdrawal or return says a refund was paid.
    mutating func refundResult(_ result: BizRefundResult, _ input: FlowInput) {
        guard config.party(input.sender)?.roles.contains(.tax) == true, result.decision == .accepted,
            afterRelease.records[result.invtNo] != nil
        else { return }
        afterRelease.records[result.invtNo]?.refundedAmount = result.refundAmount
    }

    /// Records older than `flows.declaration.after_release_days` go; a cancellation or
    /// return customs left undecided that long ends with the final feedback EXPIRED.
    mutating func dropOldAfterRelease() -> [FlowEmission] {
        let cutoff = nowUs - settings.afterReleaseDays * 86_400_000_000
        afterRelease.dropOlder(than: cutoff)
        let expired = afterRelease.requests.filter { $0.value.updatedAtUs < cutoff }.sorted { $0.value.seq < $1.value.seq }
        var out: [FlowEmission] = []
        for (key, request) in expired {
            afterRelease.requests[key] = nil
            out.append(
                requestFeedback(
                    key, request, state: .expired,
                    reasons: ["EXPIRED: customs did not decide within flows.declaration.after_release_days"]))
        }
        return out
    }

    /// Customs' receipt for a cancellation or a return, nil when the receipt is not of those
    /// kinds (CEB606/624, CEB214/626).
    mutating func requestReceipt(_ receipt: BizReceipt, _ input: FlowInput) -> [FlowEmission]? {
        let kind: AfterReleaseBook.Request.Kind
        switch receipt.messageType.prefix(6) {
        case "CEB606", "CEB624": kind = .cancellation
        case "CEB214", "CEB626": kind = .returnRequest
        default: return nil
        }
        guard
            let key = afterRelease.request(
                answeredBy: receipt, kind: kind, correlationId: input.correlationId, recipients: input.recipients),
            var request = afterRelease.requests[key]
        else { return [] }
        let status = receipt.status
        if status.isProcessingError {
            request.errors.append("customs \(status.code): \(receipt.returnInfo.isEmpty ? "processing error" : receipt.returnInfo)")
            request.updatedAtUs = nowUs
            afterRelease.requests[key] = request
            return [requestFeedback(key, request, state: .pending, reasons: [])]
        }
        guard status.code != request.status else { return [] }
        request.status = status.code
        request.info = receipt.returnInfo
        request.updatedAtUs = nowUs
        afterRelease.requests[key] = request
        switch status {
        case .approved, .released, .closed:
            afterRelease.requests[key] = nil
            return kind == .cancellation
                ? approveCancellation(key, request, receipt: receipt) : approveReturn(key, request, receipt: receipt)
        case .rejected, .returned:
            afterRelease.requests[key] = nil
            let why = request.info.isEmpty ? "" : ": \(request.info)"
            var reasons = ["REFUSED by customs (\(status.code))\(why)"]
            if request.withdrewAtOnce {
                reasons.append("the declaration was withdrawn when the cancellation came, before its release; that stands")
            }
            return [requestFeedback(key, request, state: .refused, reasons: reasons)]
        default:
            return [requestFeedback(key, request, state: .pending, reasons: [])]
        }
    }

    /// The feedback about a cancellation or a return, to its filer; final unless PENDING.
    mutating func requestFeedback(
        _ key: FlowKey, _ request: AfterReleaseBook.Request, state: BizFeedbackState, reasons: [String]
    ) -> FlowEmission {
        let customs = customsParties.first ?? ""
        var feedback = BizFeedback()
        feedback.subjectType = request.kind == .cancellation ? MessageType.cancellation.rawValue : MessageType.returnRequest.rawValue
        feedback.subjectID = key.id
        feedback.subjectKey = request.invtNo
        feedback.state = state
        var status = BizDepartmentStatus()
        status.department = customs
        status.status = request.status == 0 ? (state == .refused ? "not decided" : "forwarded") : String(request.status)
        status.code = request.invtNo
        status.reason = request.info
        status.updatedAtUs = request.updatedAtUs
        status.decision =
            switch state {
            case .accepted: .accepted
            case .refused: request.status == 0 ? .unspecified : .refused
            default: .pending
            }
        feedback.departments = [status]
        if state == .pending || state == .expired { feedback.pendingDepartments = [customs] }
        feedback.reasons = reasons + request.errors
        feedback.updatedAtUs = nowUs
        feedback.final = state != .pending
        let emission = self.feedback(feedback, subject: key, to: [key.sender])
        if feedback.final { tally.forget(key) }
        return emission
    }

    /// Final feedback REFUSED about a cancellation or return the hub refuses at its filing.
    mutating func refuseRequest(
        _ kind: AfterReleaseBook.Request.Kind, _ input: FlowInput, invtNo: String, _ failures: [(AfterReleaseRule, [String], String)]
    ) -> [FlowEmission] {
        let request = AfterReleaseBook.Request(
            kind: kind, seq: input.seq, invtNo: invtNo, copNo: "", reason: "", returned: [], updatedAtUs: nowUs)
        let reasons = failures.map { rule, fields, why in "\(rule.rawValue) [\(fields.joined(separator: ", "))]: \(why)" }
        return [requestFeedback(FlowKey(sender: input.sender, id: input.id), request, state: .refused, reasons: reasons)]
    }

    /// The fields a withdrawal or return notice shares with the other: the inventory's
    /// keys, the request's reason, customs' approval and the refund and summary state.
    func fillNotice(
        _ notice: inout some AfterReleaseNotice, record: AfterReleaseBook.Record, request: AfterReleaseBook.Request, receipt: BizReceipt
    ) {
        notice.invtNo = request.invtNo
        notice.copNo = record.copNo
        notice.orderNo = record.orderNo
        notice.ebpCode = record.ebpCode
        notice.ebcCode = record.ebcCode
        notice.ieFlag = record.ieFlag
        notice.logisticsNo = record.logisticsNo
        notice.payTransactionID = record.payTransactionId
        notice.reason = request.reason
        notice.returnStatus = request.status
        notice.approvedTime = receipt.returnTime
        notice.releaseNoticeID = record.releaseNoticeId
        notice.currency = record.currency
        notice.summarized = record.summaryId != nil
        notice.summaryID = record.summaryId ?? ""
        notice.refundBasisUndone = record.ieFlag == "E"
        notice.refundPaid = record.refundedAmount != nil
        notice.refundedAmount = record.refundedAmount ?? ""
        notice.approvedAtUs = nowUs
    }

    /// Whether `party` may cancel or return the inventory of `record`: one of its
    /// declaration's filers, or a party whose registration holds the inventory's `ebc_code`.
    func mayAct(_ party: String, filers: [String], ebcCode: String) -> Bool {
        if filers.contains(party) { return true }
        guard !ebcCode.isEmpty, let creditCode = partyCreditCode[party] else { return false }
        return customsCodes[ebcCode] == creditCode
    }

    /// The after-release record of an inventory, for status displays.
    public func releasedInventory(invtNo: String) -> (withdrawn: String?, remaining: [(gnum: Int32, qty: String, amount: String)])? {
        guard let record = afterRelease.records[invtNo] else { return nil }
        return (record.withdrawal, record.lines.map { ($0.gnum, $0.remainingQty, $0.remainingAmount) })
    }

    /// How many released inventories the flows keep records of, and how many cancellations
    /// and returns wait for customs.
    public var afterReleaseCounts: (records: Int, pending: Int) { (afterRelease.records.count, afterRelease.requests.count) }
}

/// The fields `WithdrawalNotice` and `ReturnNotice` share (business.proto).
protocol AfterReleaseNotice {
    var invtNo: String { get set }
    var copNo: String { get set }
    var orderNo: String { get set }
    var ebpCode: String { get set }
    var ebcCode: String { get set }
    var ieFlag: String { get set }
    var logisticsNo: String { get set }
    var payTransactionID: String { get set }
    var reason: String { get set }
    var returnStatus: Int32 { get set }
    var approvedTime: String { get set }
    var releaseNoticeID: String { get set }
    var currency: String { get set }
    var summarized: Bool { get set }
    var summaryID: String { get set }
    var refundBasisUndone: Bool { get set }
    var refundPaid: Bool { get set }
    var refundedAmount: String { get set }
    var approvedAtUs: Int64 { get set }
}

extension BizWithdrawalNotice: AfterReleaseNotice {}
extension BizReturnNotice: AfterReleaseNotice {}
