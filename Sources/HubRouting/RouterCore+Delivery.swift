import HubCore
import HubProtocol
import HubStore

extension RouterCore {
    /// What the journal reported.
    ///
    /// - Parameters:
    ///   - event: A commit's outcome, or a read's result.
    ///   - now: The current time.
    ///   - actions: Where the actions go.
    public mutating func journal(_ event: JournalEvent, now: ContinuousClock.Instant, into actions: inout [RouterAction]) {
        switch event {
        case .committed(let batch, let outcomes):
            committed(batch, outcomes, into: &actions)
        case .commitFailed(let batch, let reason):
            release(batch)
            for submit in batch {
                if submit.routingId.isEmpty {
                    logger.error(
                        "flow message not journaled; the flows emit it again when the hub restarts",
                        metadata: ["message_id": "\(submit.header.id)", "type": "\(submit.header.type)"])
                }
                let refusal = WireProtocol.errorMessage(
                    .journalFailure, reason: "the journal could not be written; resubmit later", id: submit.header.id)
                answer(submit, .error(refusal), into: &actions)
            }
            if let heldBack = readLogPace.allow("commit", at: now) {
                logger.error(
                    "commit failed; submitters told JOURNAL_FAILURE",
                    metadata: ["messages": "\(batch.count)", "reason": "\(reason)", "similar_lines_held_back": "\(heldBack)"])
            }
        case .commitUnavailable(let batch, let reason):
            release(batch)
            for submit in batch {
                let refusal = WireProtocol.errorMessage(
                    .journalUnavailable, reason: "the journal's database is unavailable; resubmit the same id later",
                    id: submit.header.id)
                answer(submit, .error(refusal), into: &actions)
            }
            if let heldBack = readLogPace.allow("commit", at: now) {
                logger.error(
                    "commit could not reach the journal's database; submitters told JOURNAL_UNAVAILABLE",
                    metadata: ["messages": "\(batch.count)", "reason": "\(reason)", "similar_lines_held_back": "\(heldBack)"])
            }
        case .journaledElsewhere(let records):
            journaledElsewhere(records, into: &actions)
        case .headAdvanced(let seq):
            headAdvanced(to: seq, into: &actions)
        case .flowLeadership(let leads):
            flowLeadership(leads)
        case .fetched(let sessionId, let records, let head):
            headSeq = max(headSeq, head)
            guard let routingId = sessionConnections[sessionId] else {
                replayFetched(session: sessionId, records: records, head: head, into: &actions)
                return
            }
            readRecovered(routingId)
            let items = records.map { (seq: $0.seq, payload: Outgoing.stored($0)) }
            guard let steps = sessions[routingId]?.delivery.fetched(items, headSeq: head) else { return }
            deliver(steps, for: routingId, into: &actions)
        case .damaged(let sessionId, let records, let head, let error):
            fetchDamaged(session: sessionId, records: records, head: head, error: error, now: now, into: &actions)
        case .fetchFailed(let sessionId, let reason):
            guard let routingId = sessionConnections[sessionId] else {
                replayFetchFailed(session: sessionId, reason: reason, now: now, into: &actions)
                return
            }
            receivingFetchFailed(routingId, reason: reason, now: now, into: &actions)
        case .located(let sessionId, let firstSeq, let head):
            replayLocated(session: sessionId, firstSeq: firstSeq, head: head, into: &actions)
        }
    }

    private mutating func committed(_ batch: [PendingSubmission], _ outcomes: [AppendOutcome], into actions: inout [RouterAction]) {
        let start = actions.count
        defer { if batch.count > 1 { Self.coalesceDeliveries(&actions, from: start) } }
        release(batch)
        if !emissionsInFlight.isEmpty {
            for submit in batch where submit.party == HubConfig.hubParty { emissionsInFlight[submit.header.id] = nil }
        }
        var gathering = FanoutGathering()
        var journaled = JournaledRun()
        var connections = RecentReceivers()
        for (submit, outcome) in zip(batch, outcomes) {
            var accepted = WireAccepted()
            accepted.id = submit.header.id
            accepted.seq = outcome.seq
            accepted.duplicate = outcome.duplicate
            accepted.recipients = UInt32(outcome.recipients.count)
            answer(submit, .accepted(accepted), into: &actions)
            logger.trace(
                outcome.duplicate ? "duplicate submission" : "journaled",
                metadata: [
                    "party": "\(submit.party)", "message_id": "\(submit.header.id)", "seq": "\(outcome.seq)",
                    "type": "\(submit.header.type)",
                ])
            guard !outcome.duplicate else { continue }
            journaled.add(type: submit.header.type, sender: submit.party, recipients: outcome.recipients, into: &actions)
            flowsRead(submit, outcome)
            headSeq = max(headSeq, outcome.seq)
            var header = submit.header
            header.sender = submit.party
            header.seq = outcome.seq
            header.journaledAtUs = outcome.journaledAtUs
            let live = LiveMessage(header: header, body: submit.body, recipients: outcome.recipients.count)
            recent.append(seq: outcome.seq, recipients: outcome.recipients, message: live)
            for recipient in outcome.recipients {
                guard let routingId = connections.connection(of: recipient, in: receivers) else { continue }
                deliverLive(live, seq: outcome.seq, to: routingId, gathering: &gathering, into: &actions)
            }
            if !replays.isEmpty { replayLive(live, recipients: outcome.recipients, into: &actions) }
        }
        gathering.fill(&actions)
        journaled.flush(into: &actions)
        actions.append(.tap(batch, outcomes))
    }

    /// Merges the delivery works a commit produced for the same session that asked for
    /// batches into the first of them, in order: each such session's new messages of one
    /// commit go out as one work (DELIVER_BATCHes) instead of one work per message.
    /// Replies stay where they are; a session's sends may move ahead of later replies, which
    /// PROTOCOL.md allows (only WELCOME must precede a session's DELIVERs).
    static func coalesceDeliveries(_ actions: inout [RouterAction], from start: Int) {
        var first: [DeliveryKey: Int] = [:]
        var merged = false
        for index in start..<actions.count {
            guard case .deliver(let work) = actions[index], work.batchEntries > 0 else { continue }
            let key = DeliveryKey(kind: work.kind, session: work.session, epoch: work.epoch)
            guard let into = first[key], case .deliver(var target) = actions[into] else {
                first[key] = index
                continue
            }
            actions[into] = .note(.seen(party: ""))  // releases the work's storage before it grows
            target.steps.append(contentsOf: work.steps)
            actions[into] = .deliver(target)
            actions[index] = .deliver(DeliveryWork.merged)
            merged = true
        }
        guard merged else { return }
        var kept = start
        for index in start..<actions.count {
            if case .deliver(let work) = actions[index], work.steps.isEmpty { continue }
            actions.swapAt(kept, index)
            kept += 1
        }
        actions.removeLast(actions.count - kept)
    }

    /// Hands a receiving session's steps to the I/O layer (nothing when there are none). A
    /// closing fetch that the messages journaled last can answer (``RecentJournal``) is
    /// answered here, as the journal would answer it, instead of going to the reader.
    mutating func deliver(_ steps: [DeliverySession<Outgoing>.Action], for routingId: [UInt8], into actions: inout [RouterAction]) {
        var steps = steps
        while case .fetch(let after, let limit) = steps.last, let session = sessions[routingId],
            let answer = recent.fetch(party: session.party, after: after, limit: limit),
            let more = sessions[routingId]?.delivery.fetched(answer.items, headSeq: answer.head)
        {
            readRecovered(routingId)
            steps.removeLast()
            steps += more
        }
        guard !steps.isEmpty, let session = sessions[routingId] else { return }
        actions.append(
            .deliver(
                DeliveryWork(
                    kind: .receiving, connection: routingId, session: session.id, epoch: session.epoch, stream: session.party,
                    observer: session.party, types: [], steps: steps, batchEntries: session.batchEntries)))
    }

    /// Whether a `DeliveryWork` is still to be performed: its session is open and no send
    /// handed out before it has failed since.
    ///
    /// - Parameters:
    ///   - work: The work.
    /// - Returns: True if the I/O layer should perform it.
    public func isCurrent(_ work: DeliveryWork) -> Bool {
        switch work.kind {
        case .receiving:
            guard let session = sessions[work.connection] else { return false }
            return session.id == work.session && session.epoch == work.epoch
        case .replay:
            guard let stream = replays[work.connection] else { return false }
            return stream.id == work.session && stream.epoch == work.epoch
        }
    }

    /// How far a `DeliveryWork` got: sent positions are logged for `swhub trace`; a full
    /// peer queue parks the session (it catches up from the journal on a later tick); a
    /// vanished peer ends it.
    ///
    /// - Parameters:
    ///   - work: The work performed.
    ///   - report: How far it got.
    ///   - now: The current time.
    ///   - actions: Where the actions go.
    public mutating func performed(
        _ work: DeliveryWork, _ report: DeliveryReport, now: ContinuousClock.Instant, into actions: inout [RouterAction]
    ) {
        switch work.kind {
        case .receiving:
            // The work was current when performed (the I/O layer checks), and nothing between
            // its sends and this report changes that: check again only for a failure.
            if let seq = report.lastSent { noteDelivered(work.stream, seq) }
            guard let failure = report.failure, isCurrent(work) else { return }
            switch failure.reason {
            case .peerFull:
                // The peer's queue is full: take back this and every later send, retry soon.
                sessions[work.connection]?.delivery.sendFailed(seq: failure.seq)
                sessions[work.connection]?.parkedSince = now
                sessions[work.connection]?.epoch &+= 1
            case .peerGone:
                closeSession(work.connection, reason: "receiving peer vanished")
            }
        case .replay:
            guard isCurrent(work) else { return }
            replayPerformed(work, report, now: now, into: &actions)
        }
    }
}
