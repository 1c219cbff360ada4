import HubCore
import HubProtocol
import HubStore

/// `swhub status` of a declaration: what happened after its release — the cancellations and
/// returns filed naming its inventory, each with its latest state, and the hub's withdrawal
/// and return notices (PROTOCOL.md section 13, "After the release").
extension Status {
    /// The lines about the inventory `invtNo` after its release; none when nothing was filed.
    static func afterRelease(invtNo: String, inspector: JournalInspector) throws -> [String] {
        let found = try inspector.afterRelease(invtNo: invtNo)
        guard !found.isEmpty else { return [] }
        var lines: [String] = []
        for filing in found.filings {
            let kind = filing.type == MessageType.cancellation.rawValue ? "cancellation" : "return"
            let latest = try inspector.feedback(subjectId: filing.id).first { $0.filer == filing.sender }?.feedback.last
            let state = latest.map { name($0.state) + ($0.final ? " (final)" : "") } ?? "no feedback"
            var line = "  \(kind) \(filing.id) by \(filing.sender): \(state)"
            if let reason = latest?.reasons.first { line += "  \(reason)" }
            lines.append(line)
        }
        for notice in found.notices {
            if notice.type == MessageType.withdrawalNotice.rawValue, let withdrawal = try? BizWithdrawalNotice(serializedBytes: notice.body)
            {
                var line =
                    "  withdrawn after the release: \(notice.id) (cancellation \(withdrawal.cancellationID), \(time(withdrawal.approvedAtUs)))"
                if withdrawal.summarized { line += ", in summary \(withdrawal.summaryID)" }
                lines.append(line)
            } else if notice.type == MessageType.returnNotice.rawValue, let returned = try? BizReturnNotice(serializedBytes: notice.body) {
                let items = returned.items.map { "line \($0.gnum): \($0.qty) (\($0.amount)), \($0.remainingQty) remains" }
                lines.append(
                    "  returned: \(notice.id) \(items.joined(separator: "; ")) \(returned.currency)"
                        + (returned.fullyReturned ? "; nothing remains released" : ""))
            }
        }
        return lines
    }
}
