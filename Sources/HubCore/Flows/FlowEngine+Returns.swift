import Foundation
import HubProtocol

/// Returns (退货申请单, `ceb.ReturnRequest`, CEB213 export / CEB625 import) of goods of a
/// released inventory, named by `invt_no`, listing the lines returned (`gnum`, `qty`).
///
/// The hub checks each line against what remains released of it — the released quantity
/// less the returns customs approved and those still waiting for customs — and refuses the
/// return at once (final REFUSED, a reason per line: `UNKNOWN_LINE`, `DECIMAL_FORMAT`,
/// `RETURN_EXCEEDS_RELEASED`) when one does not fit; also an inventory not released
/// (`NOT_RELEASED`), unknown (`NO_SUCH_DOCUMENT`) or withdrawn (`ALREADY_WITHDRAWN`).
/// Otherwise the return is PENDING until customs' receipt (CEB214: 800 approves; CEB626:
/// 399 approves; 100 refuses). On approval the returned quantities and their amounts (pro
/// rata of each line's `total_price`) are taken off the release, a `flow.ReturnNotice` goes
/// to tax, forex and the payment's filer, and the return is ACCEPTED; an export's return
/// undoes the refund basis of its lines (the notice says so, and whether a refund was paid).
extension FlowEngine {
    /// A return was journaled.
    mutating func returnRequest(_ filing: BizReturnRequest, _ input: FlowInput) -> [FlowEmission] {
        dropOldAfterRelease() + returnFiled(filing, input)
    }

    private mutating func returnFiled(_ filing: BizReturnRequest, _ input: FlowInput) -> [FlowEmission] {
        let key = FlowKey(sender: input.sender, id: input.id)
        let invtNo = filing.invtNo
        let field = ["return_request.invt_no"]
        guard let record = afterRelease.records[invtNo] else {
            let why =
                openDeclaration(invtNo: invtNo) != nil
                ? (AfterReleaseRule.notReleased, "customs has not released \(invtNo)")
                : (AfterReleaseRule.noSuchDocument, "the flows hold no released inventory with invt_no '\(invtNo)'")
            return refuseRequest(.returnRequest, input, invtNo: invtNo, [(why.0, field, why.1)])
        }
        if let withdrawal = record.withdrawal {
            return refuseRequest(.returnRequest, input, invtNo: invtNo, [(.alreadyWithdrawn, field, withdrawal)])
        }
        guard mayAct(input.sender, filers: record.filers, ebcCode: record.ebcCode) else {
            return refuseRequest(.returnRequest, input, invtNo: invtNo, [(.notEntitled, field, Self.notAFiler(input.sender))])
        }
        // What each line returns (a gnum listed twice counts once, summed).
        var returned: [(gnum: Int32, qty: Decimal)] = []
        var failures: [(AfterReleaseRule, [String], String)] = []
        if filing.invtRefundList.isEmpty {
            failures.append((.unknownLine, ["return_request.invt_refund_list"], "the return lists no lines"))
        }
        for (index, line) in filing.invtRefundList.enumerated() {
            let at = ["return_request.invt_refund_list[\(index)].qty"]
            guard record.lines.contains(where: { $0.gnum == line.gnum }) else {
                failures.append(
                    (.unknownLine, ["return_request.invt_refund_list[\(index)].gnum"], "\(invtNo) has no line \(line.gnum)"))
                continue
            }
            guard let qty = ReturnAmounts.value(line.qty), qty > 0 else {
                failures.append((.decimalFormat, at, "'\(line.qty.prefix(32))' is not a positive decimal number"))
                continue
            }
            if let existing = returned.firstIndex(where: { $0.gnum == line.gnum }) {
                returned[existing].qty += qty
            } else {
                returned.append((line.gnum, qty))
            }
        }
        let waiting = afterRelease.requests.filter { $0.value.kind == .returnRequest && $0.value.invtNo == invtNo }
        for (gnum, qty) in returned {
            guard let line = record.lines.first(where: { $0.gnum == gnum }) else { continue }
            let remaining = ReturnAmounts.value(line.remainingQty) ?? 0
            var reserved = Decimal(0)
            for request in waiting.values {
                for other in request.returned where other.gnum == gnum { reserved += ReturnAmounts.value(other.qty) ?? 0 }
            }
            if qty > remaining - reserved {
                let others = reserved > 0 ? ", \(reserved) of it in returns waiting for customs" : ""
                failures.append(
                    (
                        .returnExceedsReleased, ["return_request.invt_refund_list.qty"],
                        "line \(gnum) returns \(qty), \(line.remainingQty) of \(line.qty) \(line.unit) remains released\(others)"
                    ))
            }
        }
        guard failures.isEmpty else { return refuseRequest(.returnRequest, input, invtNo: invtNo, failures) }
        let request = AfterReleaseBook.Request(
            kind: .returnRequest, seq: input.seq, invtNo: invtNo, copNo: filing.coElNo.isEmpty ? filing.copNo : filing.coElNo,
            reason: filing.reason, returned: returned.map { AfterReleaseBook.ReturnedLine(gnum: $0.gnum, qty: "\($0.qty)") },
            updatedAtUs: nowUs)
        afterRelease.requests[key] = request
        return [requestFeedback(key, request, state: .pending, reasons: [])]
    }

    /// Customs approved a return: the release is reversed by its lines.
    mutating func approveReturn(_ key: FlowKey, _ request: AfterReleaseBook.Request, receipt: BizReceipt) -> [FlowEmission] {
        guard var record = afterRelease.records[request.invtNo], record.withdrawal == nil else {
            return [
                requestFeedback(
                    key, request, state: .accepted,
                    reasons: ["customs approved the return; the hub holds no release of \(request.invtNo) to reverse"])
            ]
        }
        var items: [BizReturnNoticeItem] = []
        for returned in request.returned {
            guard let index = record.lines.firstIndex(where: { $0.gnum == returned.gnum }) else { continue }
            var line = record.lines[index]
            // Never more than remains (the filing's check reserved it; a record made again
            // by a second release may hold less).
            let remaining = ReturnAmounts.value(line.remainingQty) ?? 0
            let qtyValue = min(ReturnAmounts.value(returned.qty) ?? 0, remaining)
            let qty = ReturnAmounts.text(qtyValue, scale: max(ReturnAmounts.scale(returned.qty), ReturnAmounts.scale(line.qty)))
            let amount =
                ReturnAmounts.reversed(
                    qty: qty, releasedQty: line.qty, totalPrice: line.totalPrice, remainingQty: line.remainingQty,
                    remainingAmount: line.remainingAmount) ?? ""
            line.remainingQty = ReturnAmounts.subtract(line.remainingQty, qty) ?? line.remainingQty
            line.remainingAmount = ReturnAmounts.subtract(line.remainingAmount, amount) ?? line.remainingAmount
            record.lines[index] = line
            var item = BizReturnNoticeItem()
            item.gnum = line.gnum
            item.gcode = line.gcode
            item.gname = line.gname
            item.qty = qty
            item.unit = line.unit
            item.releasedQty = line.qty
            item.releasedTotalPrice = line.totalPrice
            item.amount = amount
            item.remainingQty = line.remainingQty
            item.remainingAmount = line.remainingAmount
            items.append(item)
        }
        afterRelease.records[request.invtNo] = record
        var notice = BizReturnNotice()
        fillNotice(&notice, record: record, request: request, receipt: receipt)
        notice.items = items
        notice.totalAmount = ReleaseNotices.sum(items.map(\.amount)) ?? ""
        notice.returnFiler = key.sender
        notice.returnID = key.id
        notice.fullyReturned = record.fullyReturned
        // Tax, forex and the payment's filer: those of the release notice's recipients but
        // the waybill's filer (unless it filed the payment too).
        let recipients = record.recipients.filter { $0 != record.waybillFiler || $0 == record.paymentFiler }
        let id = HubMessageId.returnNotice(filer: key.sender, returnId: key.id)
        let lines = items.map { "line \($0.gnum): \($0.qty) (\($0.amount) \(record.currency))" }.joined(separator: ", ")
        var reason = "RETURNED: \(lines) of \(request.invtNo); return notice \(id) to \(recipients.joined(separator: ", "))"
        if record.ieFlag == "E" { reason += "; the refund basis of these lines is undone" }
        if record.fullyReturned { reason += "; nothing of \(request.invtNo) remains released" }
        return [
            FlowEmission(id, type: .returnNotice, recipients: recipients, correlationId: key.id, body: Self.bytes(notice)),
            requestFeedback(key, request, state: .accepted, reasons: [reason]),
        ]
    }
}
