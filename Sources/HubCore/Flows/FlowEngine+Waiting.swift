import Foundation
import HubProtocol

/// Declarations whose inventory arrived before its order, payment or waybill: their filers
/// get the feedback WAITING naming the missing documents each time its documents change
/// (one arrived, was replaced or withdrawn), and
/// when `flows.declaration.link_timeout` (``HubConfig/Flows/linkTimeoutMs``) has passed
/// since the inventory arrived, the final feedback INCOMPLETE naming what never arrived.
///
/// The deadline is set when the inventory arrives (a reload's new timeout applies to the
/// inventories that arrive after it) and kept in the flows' state (``FlowSnapshot``), so a
/// restarted hub or a cluster's next flows leader ends the wait at the same time, with the
/// same feedback: its time is the deadline's, not the clock's when the timer ran.
extension FlowEngine {
    /// A declaration waiting for documents.
    struct WaitingDeclaration: Sendable, Codable, Equatable {
        /// The inventory's (`ebp_code`, `order_no`), which the linker keeps it under.
        var ebpCode: String
        var orderNo: String
        /// When its wait ends, µs since the epoch (journal time).
        var deadlineUs: Int64
        /// The documents its latest feedback named: each present one's type and id, each
        /// missing one's type (a replaced document changes it too).
        var documents: [String]
        /// Its latest feedback, for monitoring.
        var brief: FlowBrief
    }

    /// The linker looked at a waiting inventory again: feedback when its documents changed.
    mutating func waitingAction(_ found: DeclarationLinker.Waiting) -> [FlowEmission] {
        let key = FlowKey(sender: found.inventory.sender, id: found.inventory.id)
        let order: String = found.order.map { "order \($0.sender):\($0.id)" } ?? "order"
        let payment: String = found.payment.map { "payment \($0.sender):\($0.id)" } ?? "payment"
        let waybill: String = found.waybill.map { "waybill \($0.sender):\($0.id)" } ?? "waybill"
        let documents = [order, payment, waybill]
        var entry: WaitingDeclaration
        if let known = waitingDeclarations[key] {
            guard known.documents != documents else { return [] }
            entry = known
        } else {
            let inventory = found.inventory.document
            let deadline = nowUs + settings.linkTimeoutMs * 1000
            entry = WaitingDeclaration(
                ebpCode: inventory.ebpCode, orderNo: inventory.orderNo, deadlineUs: deadline, documents: documents,
                brief: FlowBrief(kind: .declaration, filer: key.sender, feedback: BizFeedback()))
            nextLinkDeadline = min(nextLinkDeadline, deadline)
        }
        let feedback = Self.waitingFeedback(found, key: key, deadlineUs: entry.deadlineUs, atUs: nowUs, final: false)
        entry.documents = documents
        entry.brief = FlowBrief(kind: .declaration, filer: key.sender, feedback: feedback)
        waitingDeclarations[key] = entry
        return [self.feedback(feedback, subject: key, to: found.filers)]
    }

    /// The waits whose deadline passed end: final feedback INCOMPLETE.
    mutating func expireWaiting() -> [FlowEmission] {
        var out: [FlowEmission] = []
        var next = Int64.max
        let due = waitingDeclarations.filter { $0.value.deadlineUs <= nowUs }
            .sorted { ($0.value.deadlineUs, $0.key.sender, $0.key.id) < ($1.value.deadlineUs, $1.key.sender, $1.key.id) }
        for (key, entry) in due {
            waitingDeclarations[key] = nil
            guard let found = linker.dropWaiting(key, ebpCode: entry.ebpCode, orderNo: entry.orderNo) else { continue }
            let feedback = Self.waitingFeedback(found, key: key, deadlineUs: entry.deadlineUs, atUs: entry.deadlineUs, final: true)
            out.append(self.feedback(feedback, subject: key, to: found.filers))
            forgetTally(.declaration, key, feedback: feedback)
            rearmUnlinked(found, after: entry.deadlineUs)
        }
        for entry in waitingDeclarations.values { next = min(next, entry.deadlineUs) }
        nextLinkDeadline = next
        return out
    }

    /// A waiting declaration ended otherwise (its inventory withdrawn or replaced): final
    /// feedback WITHDRAWN with `reason`.
    mutating func endWaiting(_ key: FlowKey, found: DeclarationLinker.Waiting, reason: String) -> [FlowEmission] {
        guard let entry = waitingDeclarations.removeValue(forKey: key) else { return [] }
        var feedback = Self.waitingFeedback(found, key: key, deadlineUs: entry.deadlineUs, atUs: nowUs, final: true)
        feedback.state = .withdrawn
        feedback.reasons = [reason]
        let emission = self.feedback(feedback, subject: key, to: found.filers)
        forgetTally(.declaration, key, feedback: feedback)
        return [emission]
    }

    /// The feedback of a waiting declaration: WAITING, or, `final`, INCOMPLETE.
    static func waitingFeedback(_ found: DeclarationLinker.Waiting, key: FlowKey, deadlineUs: Int64, atUs: Int64, final: Bool)
        -> BizFeedback
    {
        var feedback = BizFeedback()
        feedback.subjectType = MessageType.inventory.rawValue
        feedback.subjectID = key.id
        feedback.subjectKey = found.inventory.document.orderNo
        feedback.state = final ? .incomplete : .waiting
        feedback.final = final
        feedback.updatedAtUs = atUs
        let present: [DeclarationDocument: (id: String, sender: String)] = [
            .order: found.order.map { ($0.id, $0.sender) }, .payment: found.payment.map { ($0.id, $0.sender) },
            .waybill: found.waybill.map { ($0.id, $0.sender) }, .inventory: (found.inventory.id, found.inventory.sender),
        ].compactMapValues { $0 }
        feedback.documents = DeclarationDocument.allCases.map { document in
            var line = BizDocumentStatus()
            line.document = document.messageType.rawValue
            if let filed = present[document] {
                (line.id, line.filer, line.status, line.decision) = (filed.id, filed.sender, "received", .pending)
            } else {
                line.status = "missing"
                line.decision = final ? .refused : .pending
                line.reason = final ? "never arrived" : "not arrived yet"
            }
            line.updatedAtUs = atUs
            return line
        }
        let missing = found.missing.map(\.messageType.rawValue).joined(separator: ", ")
        feedback.reasons = [
            final
                ? "INCOMPLETE: \(missing) did not arrive before the link timeout (\(CivilDay.isoTime(microseconds: deadlineUs)))"
                : "waiting for \(missing) until \(CivilDay.isoTime(microseconds: deadlineUs)) (flows.declaration.link_timeout)"
        ]
        return feedback
    }

    /// Declarations waiting for documents, for monitoring.
    public var waitingCount: Int { waitingDeclarations.count }
}
