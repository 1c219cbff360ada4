import HubCore
import HubProtocol
import HubStore
import ZeroMQ

/// Replay sessions (PROTOCOL.md section 14): a party's journaled stream, from a seq or a
/// time, filtered by type, bodies as the `ObserverPolicy` lets the asker see them, then
/// (with `follow`) live. Journal reads go to the replay reader thread, never queued behind
/// the receiving sessions' catch-up, and each session reads at most its free credit at once.
extension Router {
    /// REPLAY on a connection: checks it, then starts the session (at once for a seq; after
    /// the journal has found the seq for a time).
    func handleReplay(_ request: WireReplay, frameCount: Int, routingId: [UInt8], party: String) {
        guard frameCount == 1 else {
            reply(routingId, WireProtocol.error(.wrongFrameCount, reason: "REPLAY takes 1 frame(s), got \(frameCount)"))
            return
        }
        guard !draining else {
            reply(routingId, WireProtocol.error(.shuttingDown, reason: "the hub is shutting down; ask for the replay again later"))
            return
        }
        guard sessions[routingId] == nil, replays[routingId] == nil else {
            let what = sessions[routingId] != nil ? "a receiving session" : "a replay"
            reply(routingId, WireProtocol.error(.badReplay, reason: "this connection already holds \(what); open a replay on a connection of its own"))
            return
        }
        let plan: ReplayPlan
        switch ReplayPlan.make(request, observer: party, routing: routing, observers: observers, defaultCredit: settings.defaultCredit) {
        case .failure(let failure):
            logger.info("replay refused", metadata: ["party": "\(party)", "code": "\(failure.code)", "reason": "\(failure.reason)"])
            reply(routingId, WireProtocol.error(failure.code, reason: failure.reason))
            return
        case .success(let checked):
            plan = checked
        }
        let id = nextSessionId
        nextSessionId += 1
        replays[routingId] = ReplayStream(id: id, routingId: routingId, plan: plan, now: clock.now)
        replayConnections[id] = routingId
        logger.info(
            "replay opened",
            metadata: [
                "observer": "\(party)", "party": "\(plan.party)", "session": "\(id)", "start": "\(plan.start)",
                "types": "\(plan.typeList)", "follow": "\(plan.follow)", "credit": "\(plan.credit)", "client": "\(request.client.prefix(64))",
            ])
        switch plan.start {
        case .seq(let first):
            beginReplay(routingId, firstSeq: first)
        case .time(let since):
            replayReader.enqueue(JournalReader.Request(session: id, party: plan.party, after: 0, limit: 0, sinceUs: since))
        }
    }

    /// The journal found where a time-based replay begins.
    func replayLocated(session id: UInt64, firstSeq: UInt64, head: UInt64) {
        headSeq = max(headSeq, head)
        guard let routingId = replayConnections[id] else { return }
        beginReplay(routingId, firstSeq: firstSeq)
    }

    private func beginReplay(_ routingId: [UInt8], firstSeq: UInt64) {
        guard var stream = replays[routingId] else { return }
        let credit = stream.plan.credit
        var delivery = DeliverySession<Outgoing>(
            party: stream.plan.party, credit: credit, queueLimit: max(2 * credit, 256), ackedSeq: firstSeq - 1)
        let actions = delivery.start()
        stream.delivery = delivery
        stream.firstSeq = firstSeq
        replays[routingId] = stream
        reply(routingId, .replayStatus(stream.status(.started, head: headSeq)))
        performReplay(actions, for: routingId)
    }

    /// A journal read for a replay finished. Returns false if `id` is no replay session.
    @discardableResult
    func replayFetched(session id: UInt64, records: [JournalRecord], head: UInt64) -> Bool {
        guard let routingId = replayConnections[id] else { return false }
        replays[routingId]?.fetchHead = head
        let items = records.map { (seq: $0.seq, payload: Outgoing.stored($0)) }
        guard let actions = replays[routingId]?.delivery?.fetched(items, headSeq: head) else { return true }
        performReplay(actions, for: routingId)
        replayProgress(routingId)
        return true
    }

    /// A journal read for a replay failed. Returns false if `id` is no replay session.
    @discardableResult
    func replayFetchFailed(session id: UInt64) -> Bool {
        guard let routingId = replayConnections[id] else { return false }
        if replays[routingId]?.delivery == nil {
            reply(routingId, WireProtocol.error(.internalError, reason: "the journal could not be read; ask for the replay again later"))
            closeReplay(routingId)
        } else {
            replays[routingId]?.delivery?.fetchFailed()
            replays[routingId]?.parkedSince = clock.now
        }
        return true
    }

    /// ACK on a replay connection: returns credit, never moves the party's position.
    func handleReplayAck(_ seq: UInt64, routingId: [UInt8]) {
        guard let actions = replays[routingId]?.delivery?.acknowledged(seq) else {
            let sent = replays[routingId]?.delivery?.sentUpTo ?? 0
            reply(routingId, WireProtocol.error(.badAck, reason: "ACK \(seq) is beyond the last replayed delivery (\(sent))"))
            return
        }
        performReplay(actions, for: routingId)
        replayProgress(routingId)
    }

    /// A committed message: to every following replay of one of its recipients' streams.
    func replayLive(_ live: LiveMessage, recipients: [String]) {
        let seq = live.header.seq
        for (routingId, stream) in replays
        where stream.plan.follow && recipients.contains(stream.plan.party) && stream.plan.wants(type: live.header.type) {
            guard let actions = replays[routingId]?.delivery?.journaled(seq: seq, payload: .live(live)) else { continue }
            performReplay(actions, for: routingId)
            replayProgress(routingId)
        }
    }

    /// Sends CAUGHT_UP once the session has read to the head, and FINISHED (ending the
    /// session) once a replay without `follow` has everything acknowledged.
    private func replayProgress(_ routingId: [UInt8]) {
        guard let stream = replays[routingId], let delivery = stream.delivery, delivery.mode == .live else { return }
        let head = max(stream.fetchHead, delivery.sentUpTo)
        if !stream.caughtUp {
            replays[routingId]?.caughtUp = true
            reply(routingId, .replayStatus(stream.status(.caughtUp, head: head)))
        }
        if !stream.plan.follow && delivery.unacknowledged == 0 {
            reply(routingId, .replayStatus(stream.status(.finished, head: head)))
            logger.info("replay finished", metadata: ["party": "\(stream.plan.party)", "session": "\(stream.id)", "delivered": "\(stream.delivered)"])
            closeReplay(routingId)
        }
    }

    func closeReplay(_ routingId: [UInt8]) {
        guard let stream = replays.removeValue(forKey: routingId) else { return }
        replayConnections[stream.id] = nil
    }

    /// Timers: replay sessions without traffic for 3 heartbeats end; parked ones retry.
    func replayHousekeeping(now: ContinuousClock.Instant, expiry: Duration) {
        for (routingId, stream) in replays {
            if now - stream.lastSeen > expiry {
                logger.info("replay expired: no heartbeat", metadata: ["party": "\(stream.plan.party)", "session": "\(stream.id)"])
                closeReplay(routingId)
            } else if let parked = stream.parkedSince, now - parked > .milliseconds(20) {
                replays[routingId]?.parkedSince = nil
                guard let actions = replays[routingId]?.delivery?.resume() else { continue }
                performReplay(actions, for: routingId)
                replayProgress(routingId)
            }
        }
    }

    private func performReplay(_ actions: [DeliverySession<Outgoing>.Action], for routingId: [UInt8]) {
        guard let stream = replays[routingId] else { return }
        for action in actions {
            switch action {
            case .fetch(let after, let limit):
                replayReader.enqueue(
                    JournalReader.Request(session: stream.id, party: stream.plan.party, after: after, limit: limit, types: stream.plan.typeList))
            case .send(let seq, let payload):
                switch sendDeliver(payload, stream: stream.plan.party, observer: stream.plan.observer, to: routingId, session: stream.id) {
                case .sent:
                    replays[routingId]?.delivered += 1
                case .full:
                    replays[routingId]?.delivery?.sendFailed(seq: seq)
                    replays[routingId]?.parkedSince = clock.now
                    return
                case .gone:
                    logger.info("replay peer vanished", metadata: ["party": "\(stream.plan.party)", "session": "\(stream.id)"])
                    closeReplay(routingId)
                    return
                }
            }
        }
    }
}
