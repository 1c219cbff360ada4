import HubProtocol
import HubRouting
import HubStore

extension Router {
    /// Hands a commit batch's new messages to the monitoring tap, when there is one and some
    /// observer listens; otherwise does nothing. Costs the router one reference to each body
    /// and one lock per batch: the copies are made on the tap thread.
    func tapHandOff(_ batch: [PendingSubmit], _ outcomes: [AppendOutcome]) {
        guard let tap, tap.isActive else { return }
        var items: [TapItem] = []
        items.reserveCapacity(batch.count)
        for (submit, outcome) in zip(batch, outcomes) where !outcome.duplicate && !outcome.recipients.isEmpty {
            var header = submit.header
            header.sender = submit.party
            header.seq = outcome.seq
            header.journaledAtUs = outcome.journaledAtUs
            do {
                items.append(TapItem(header: header, body: try submit.body.frame.copy(), recipients: outcome.recipients))
            } catch {
                logger.error("tap hand-over failed", metadata: ["seq": "\(outcome.seq)", "error": "\(error)"])
            }
        }
        tap.post(items)
    }
}
