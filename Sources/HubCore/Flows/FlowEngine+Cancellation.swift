import HubProtocol

/// Cancellations (撤销申请单, `ceb.Cancellation`, CEB605 export / CEB623 import), naming an
/// inventory by `invt_no`:
/// - **before its release** (a declaration forwarded to customs, not final, not released):
///   the declaration is withdrawn at once (final feedback WITHDRAWN to its filers, the reason
///   naming the cancellation); the cancellation's own feedback is PENDING until customs'
///   receipt (CEB606/624) makes it ACCEPTED (399) or REFUSED (100; the withdrawal stands);
/// - **after its release**: only with customs' approval. PENDING until customs' receipt:
///   399 withdraws the release — a `flow.WithdrawalNotice` to every party that got the
///   release notice, the declaration (if still open, between 800 and 899) ends WITHDRAWN,
///   an export not yet summarized is no summary candidate any more — and the cancellation
///   is ACCEPTED; 100 refuses it and the release stands.
/// Refused at once: an inventory the flows do not hold (`NO_SUCH_DOCUMENT`), one withdrawn
/// already (`ALREADY_WITHDRAWN`), a second cancellation while one waits
/// (`DUPLICATE_DOCUMENT`), a filer that is none of the declaration's (`NOT_ENTITLED`).
extension FlowEngine {
    /// A cancellation was journaled.
    mutating func cancellation(_ cancellation: BizCancellation, _ input: FlowInput) -> [FlowEmission] {
        dropOldAfterRelease() + cancellationFiled(cancellation, input)
    }

    private mutating func cancellationFiled(_ cancellation: BizCancellation, _ input: FlowInput) -> [FlowEmission] {
        let key = FlowKey(sender: input.sender, id: input.id)
        let invtNo = cancellation.invtNo
        let field = ["cancellation.invt_no"]
        guard !invtNo.isEmpty else {
            return refuseRequest(.cancellation, input, invtNo: invtNo, [(.noSuchDocument, field, "names no inventory")])
        }
        if let waiting = afterRelease.requests.first(where: { $0.value.kind == .cancellation && $0.value.invtNo == invtNo })?.key {
            return refuseRequest(
                .cancellation, input, invtNo: invtNo,
                [(.duplicateDocument, field, "the cancellation \(waiting.id) of \(waiting.sender) is waiting for customs")])
        }
        var request = AfterReleaseBook.Request(
            kind: .cancellation, seq: input.seq, invtNo: invtNo, copNo: cancellation.copNo, reason: cancellation.reason, returned: [],
            updatedAtUs: nowUs)
        if let record = afterRelease.records[invtNo] {
            if let withdrawal = record.withdrawal {
                return refuseRequest(.cancellation, input, invtNo: invtNo, [(.alreadyWithdrawn, field, withdrawal)])
            }
            guard mayAct(input.sender, filers: record.filers, ebcCode: record.ebcCode) else {
                return refuseRequest(.cancellation, input, invtNo: invtNo, [(.notEntitled, field, Self.notAFiler(input.sender))])
            }
            afterRelease.requests[key] = request
            return [
                requestFeedback(
                    key, request, state: .pending,
                    reasons: [
                        "customs released \(invtNo) (\(record.releaseNoticeId)): it is withdrawn only if customs approves the cancellation"
                    ])
            ]
        }
        guard let live = openDeclaration(invtNo: invtNo), let flow = declarations[live] else {
            return refuseRequest(
                .cancellation, input, invtNo: invtNo,
                [(.noSuchDocument, field, "the flows hold no declaration with invt_no \(invtNo) (released ones for after_release_days)")])
        }
        guard mayAct(input.sender, filers: flow.filers, ebcCode: flow.declaration.inventory.document.ebcCode) else {
            return refuseRequest(.cancellation, input, invtNo: invtNo, [(.notEntitled, field, Self.notAFiler(input.sender))])
        }
        // Before the release: withdrawn at once.
        let reason = "WITHDRAWN: by the cancellation \(input.id) of \(input.sender) before the release" + Self.because(cancellation.reason)
        var withdrawn = flow
        let actions = withdrawn.withdraw(reason, atUs: nowUs)
        declarations[live] = withdrawn
        var out = declarationFlowActions(actions, key: live, receipt: nil)
        let inventory = flow.declaration.inventory.document
        let record = AfterReleaseBook.Record(
            declaration: live, filers: flow.filers, recipients: [], paymentFiler: flow.declaration.payment.sender,
            waybillFiler: flow.declaration.waybill.sender, releaseNoticeId: "", ieFlag: inventory.ieFlag, copNo: inventory.copNo,
            orderNo: inventory.orderNo, ebpCode: inventory.ebpCode, ebcCode: inventory.ebcCode, logisticsNo: inventory.logisticsNo,
            payTransactionId: flow.declaration.payment.document.payTransactionID, currency: inventory.currency, lines: [],
            releasedAtUs: nowUs, withdrawal: reason)
        afterRelease.keep(record, invtNo: invtNo, atUs: nowUs)
        request.withdrewAtOnce = true
        afterRelease.requests[key] = request
        out.append(
            requestFeedback(
                key, request, state: .pending, reasons: ["the declaration \(live.id) of \(live.sender) was withdrawn (not released yet)"]))
        return out
    }

    /// Customs approved a cancellation.
    mutating func approveCancellation(_ key: FlowKey, _ request: AfterReleaseBook.Request, receipt: BizReceipt) -> [FlowEmission] {
        guard !request.withdrewAtOnce else {
            return [
                requestFeedback(
                    key, request, state: .accepted,
                    reasons: ["customs approved the cancellation; the declaration was withdrawn when it came"])
            ]
        }
        guard var record = afterRelease.records[request.invtNo], record.withdrawal == nil else {
            // The record left (after_release_days) or another cancellation withdrew it meanwhile.
            return [
                requestFeedback(
                    key, request, state: .accepted,
                    reasons: ["customs approved the cancellation; the hub holds no release of \(request.invtNo) to withdraw"])
            ]
        }
        let reason =
            "WITHDRAWN after the release: customs approved (\(request.status)) the cancellation \(key.id) of \(key.sender)"
            + Self.because(request.reason)
        record.withdrawal = reason
        var out: [FlowEmission] = []
        // Still open between the release (800) and the closing (899): it ends WITHDRAWN.
        if var flow = declarations[record.declaration] {
            let actions = flow.withdraw(reason, atUs: nowUs)
            declarations[record.declaration] = flow
            out += declarationFlowActions(actions, key: record.declaration, receipt: nil)
        }
        // An export not yet summarized is no candidate any more.
        if record.ieFlag == "E" && record.summaryId == nil {
            released.removeAll { $0.invtNo == request.invtNo }
            releasedPayers[request.invtNo] = nil
            releasedFilers[request.invtNo] = nil
            // Nor is a parcel still waiting for its departure (FlowEngine+Parcels.swift).
            for (parcel, released) in parcels.released where released.invtNo == request.invtNo && released.waiting != nil {
                parcels.released[parcel]?.waiting = nil
            }
        }
        afterRelease.records[request.invtNo] = record
        var notice = BizWithdrawalNotice()
        fillNotice(&notice, record: record, request: request, receipt: receipt)
        notice.cancellationFiler = key.sender
        notice.cancellationID = key.id
        notice.totalPrice = ReleaseNotices.sum(record.lines.map(\.remainingAmount)) ?? ""
        let id = HubMessageId.withdrawalNotice(filer: key.sender, cancellationId: key.id)
        out.append(
            FlowEmission(id, type: .withdrawalNotice, recipients: record.recipients, correlationId: key.id, body: Self.bytes(notice)))
        let summary = record.summaryId.map { "; it is in the summary declaration \($0), which the hub does not change" } ?? ""
        out.append(
            requestFeedback(
                key, request, state: .accepted,
                reasons: ["\(reason); withdrawal notice \(id) to \(record.recipients.joined(separator: ", "))\(summary)"]))
        return out
    }

    /// The declaration forwarded to customs and still open whose inventory customs numbered
    /// `invtNo` (the earliest filed, should two carry it).
    func openDeclaration(invtNo: String) -> FlowKey? {
        declarations.filter { $0.value.invtNo == invtNo && !$0.value.isFinal }.keys.min { ($0.sender, $0.id) < ($1.sender, $1.id) }
    }

    static func notAFiler(_ party: String) -> String {
        "\(party) filed none of the declaration's documents and is not its e-commerce enterprise"
    }

    static func because(_ reason: String) -> String {
        reason.isEmpty ? "" : " (\(reason))"
    }
}
