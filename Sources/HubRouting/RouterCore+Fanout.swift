import HubCore

/// Fan-out of one commit: the live sends of every message the commit journaled, gathered per
/// receiving session that asked for batches into one `DeliveryWork` as they are decided
/// (one list of steps per session and commit, not one work per message and recipient that
/// `coalesceDeliveries` would merge afterwards).
struct FanoutGathering {
    /// Session id → index in `works`.
    var slots: [UInt64: Int] = [:]
    /// Each gathered work and the index of its placeholder in the action list.
    var works: [(at: Int, work: DeliveryWork)] = []

    /// Puts each gathered work in its placeholder: where the session's first send of the
    /// commit was decided, as `coalesceDeliveries` would have placed it.
    func fill(_ actions: inout [RouterAction]) {
        for gathered in works { actions[gathered.at] = .deliver(gathered.work) }
    }
}

extension RouterCore {
    /// A live message for the receiving session on `routingId`: a session that asked for
    /// batches gets the send in its gathered work; any other gets a work of its own.
    mutating func deliverLive(
        _ live: LiveMessage, seq: UInt64, to routingId: [UInt8], gathering: inout FanoutGathering,
        into actions: inout [RouterAction]
    ) {
        guard let index = sessions.index(forKey: routingId) else { return }
        // The session is read and changed in place (`&sessions.values[index]`): reading
        // `sessions.values[index].id` copies the whole session first, retaining every array
        // and string it holds, for each recipient of each message.
        let (id, batchEntries) = Self.identity(&sessions.values[index])
        guard batchEntries > 0 else {
            let steps = sessions.values[index].delivery.journaled(seq: seq, payload: .live(live))
            deliver(steps, for: routingId, into: &actions)
            return
        }
        if let slot = gathering.slots[id] {
            sessions.values[index].delivery.journaled(seq: seq, payload: .live(live), into: &gathering.works[slot].work.steps)
            return
        }
        var steps: [DeliverySession<Outgoing>.Action] = []
        sessions.values[index].delivery.journaled(seq: seq, payload: .live(live), into: &steps)
        guard !steps.isEmpty else { return }
        gathering.slots[id] = gathering.works.count
        gathering.works.append((at: actions.count, work: Self.work(&sessions.values[index], routingId: routingId, steps: steps)))
        actions.append(.deliver(DeliveryWork.merged))
    }

    /// The session's id and batch size, read in place.
    private static func identity(_ session: inout Session) -> (id: UInt64, batchEntries: Int) {
        (session.id, session.batchEntries)
    }

    /// The work that gathers `session`'s sends of a commit, begun with `steps`.
    private static func work(_ session: inout Session, routingId: [UInt8], steps: [DeliverySession<Outgoing>.Action]) -> DeliveryWork {
        DeliveryWork(
            kind: .receiving, connection: routingId, session: session.id, epoch: session.epoch, stream: session.party,
            observer: session.party, types: [], steps: steps, batchEntries: session.batchEntries)
    }
}
