import HubCore
import HubStore

/// What other writers sharing the journal journaled (the other hub nodes of a cluster on
/// PostgreSQL): delivered to this node's sessions like its own commits, in seq order.
extension RouterCore {
    /// Records journaled elsewhere, in seq order, each handed over once and before any
    /// later record of this node: each goes to the receiving sessions of its recipients and
    /// to the replays that follow them, as stored (read back from the journal). The flows
    /// read those of their types too (a commit of this node whose answer was lost comes
    /// back this way).
    ///
    /// - Parameters:
    ///   - records: The records, in seq order.
    ///   - actions: Where the actions go.
    mutating func journaledElsewhere(_ records: [JournalRecord], into actions: inout [RouterAction]) {
        if !records.isEmpty { recent.invalidate() }  // it holds this node's commits only
        for record in records {
            headSeq = max(headSeq, record.seq)
            if record.sender == HubConfig.hubParty { leaderJournaled(id: record.id) }
            flowsRead(record)
            let payload = Outgoing.stored(record)
            for recipient in record.recipients {
                guard let routingId = receivers[recipient],
                    let steps = sessions[routingId]?.delivery.journaled(seq: record.seq, payload: payload)
                else { continue }
                deliver(steps, for: routingId, into: &actions)
            }
            if !replays.isEmpty { replayLive(seq: record.seq, payload: payload, recipients: record.recipients, into: &actions) }
        }
    }

    /// Records up to `seq` were journaled elsewhere but could not be handed over: every
    /// receiving session and following replay reads what it is owed from the journal.
    ///
    /// - Parameters:
    ///   - seq: The head they reach.
    ///   - actions: Where the actions go.
    mutating func headAdvanced(to seq: UInt64, into actions: inout [RouterAction]) {
        recent.invalidate()
        headSeq = max(headSeq, seq)
        for routingId in Array(receivers.values) {
            guard let steps = sessions[routingId]?.delivery.headAdvanced(to: seq) else { continue }
            deliver(steps, for: routingId, into: &actions)
        }
        for (routingId, stream) in replays where stream.plan.follow {
            guard let steps = replays[routingId]?.delivery?.headAdvanced(to: seq) else { continue }
            deliverReplay(steps, for: routingId, into: &actions)
        }
    }
}
