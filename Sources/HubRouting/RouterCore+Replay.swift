import HubCore
import HubProtocol
import HubStore

/// Replay sessions (PROTOCOL.md section 14): a party's journaled stream, from a seq or a
/// time, filtered by type, bodies as the `ObserverPolicy` lets the asker see them, then
/// (with `follow`) live. Their journal reads are `DeliveryWork` of kind `.replay`, which the
/// hub sends to its replay reader, never queued behind the receiving sessions' catch-up;
/// each session reads at most its free credit at once.
extension RouterCore {
    /// REPLAY on a connection: checks it, then starts the session (at once for a seq; after
    /// the journal has found the seq for a time).
    mutating func handleReplay(
        _ request: WireReplay, frameCount: Int, routingId: [UInt8], party: String, now: ContinuousClock.Instant,
        into actions: inout [RouterAction]
    ) {
        guard frameCount == 1 else {
            reply(routingId, WireProtocol.error(.wrongFrameCount, reason: "REPLAY takes 1 frame(s), got \(frameCount)"), into: &actions)
            return
        }
        guard !draining else {
            reply(
                routingId, WireProtocol.error(.shuttingDown, reason: "the hub is shutting down; ask for the replay again later"),
                into: &actions)
            return
        }
        guard sessions[routingId] == nil, replays[routingId] == nil else {
            let what = sessions[routingId] != nil ? "a receiving session" : "a replay"
            let reason = "this connection already holds \(what); open a replay on a connection of its own"
            reply(routingId, WireProtocol.error(.badReplay, reason: reason), into: &actions)
            return
        }
        let plan: ReplayPlan
        switch ReplayPlan.make(request, observer: party, routing: routing, observers: observers, defaultCredit: settings.defaultCredit) {
        case .failure(let failure):
            logger.info("replay refused", metadata: ["party": "\(party)", "code": "\(failure.code)", "reason": "\(failure.reason)"])
            reply(routingId, WireProtocol.error(failure.code, reason: failure.reason), into: &actions)
            return
        case .success(let checked):
            plan = checked
        }
        let id = nextSessionId
        nextSessionId += 1
        replays[routingId] = ReplayStream(id: id, routingId: routingId, plan: plan, now: now)
        replays[routingId]?.batchEntries = min(Int(request.batchDeliveries), WireProtocol.maxBatchEntries)
        replayConnections[id] = routingId
        logger.info(
            "replay opened",
            metadata: [
                "observer": "\(party)", "party": "\(plan.party)", "session": "\(id)", "start": "\(plan.start)",
                "types": "\(plan.typeList)", "follow": "\(plan.follow)", "credit": "\(plan.credit)",
                "client": "\(request.client.prefix(64))",
            ])
        switch plan.start {
        case .seq(let first):
            beginReplay(routingId, firstSeq: first, into: &actions)
        case .time(let since):
            actions.append(.locate(session: id, party: plan.party, sinceUs: since))
        }
    }

    /// The journal found where a time-based replay begins.
    mutating func replayLocated(session id: UInt64, firstSeq: UInt64, head: UInt64, into actions: inout [RouterAction]) {
        headSeq = max(headSeq, head)
        guard let routingId = replayConnections[id] else { return }
        beginReplay(routingId, firstSeq: firstSeq, into: &actions)
    }

    private mutating func beginReplay(_ routingId: [UInt8], firstSeq: UInt64, into actions: inout [RouterAction]) {
        guard var stream = replays[routingId] else { return }
        let credit = stream.plan.credit
        var delivery = DeliverySession<Outgoing>(
            party: stream.plan.party, credit: credit, queueLimit: max(2 * credit, 256), ackedSeq: firstSeq - 1)
        let steps = delivery.start()
        stream.delivery = delivery
        stream.firstSeq = firstSeq
        replays[routingId] = stream
        reply(routingId, .replayStatus(stream.status(.started, head: headSeq)), into: &actions)
        deliverReplay(steps, for: routingId, into: &actions)
    }

    /// A journal read for a replay finished.
    mutating func replayFetched(session id: UInt64, records: [JournalRecord], head: UInt64, into actions: inout [RouterAction]) {
        guard let routingId = replayConnections[id] else { return }
        replays[routingId]?.fetchHead = head
        replays[routingId]?.readFailures = 0
        let items = records.map { (seq: $0.seq, payload: Outgoing.stored($0)) }
        guard let steps = replays[routingId]?.delivery?.fetched(items, headSeq: head) else { return }
        deliverReplay(steps, for: routingId, into: &actions)
    }

    /// A journal read for a replay failed.
    mutating func replayFetchFailed(session id: UInt64, reason: String, now: ContinuousClock.Instant, into actions: inout [RouterAction]) {
        guard let routingId = replayConnections[id] else { return }
        if replays[routingId]?.delivery == nil {
            reply(
                routingId, WireProtocol.error(.internalError, reason: "the journal could not be read; ask for the replay again later"),
                into: &actions)
            closeReplay(routingId)
        } else {
            // Retried with a growing pause (20 ms doubling, at most 30 s), never in a loop.
            replays[routingId]?.delivery?.fetchFailed()
            let failures = (replays[routingId]?.readFailures ?? 0) + 1
            replays[routingId]?.readFailures = failures
            replays[routingId]?.retryAt = now + Self.readBackoff(failures)
            if let heldBack = readLogPace.allow("replay", at: now) {
                logger.error(
                    "journal read for a replay failed; retried with a growing pause",
                    metadata: ["failures": "\(failures)", "reason": "\(reason)", "similar_lines_held_back": "\(heldBack)"])
            }
        }
    }

    /// ACK on a replay connection: returns credit, never moves the party's position.
    mutating func handleReplayAck(_ seq: UInt64, routingId: [UInt8], into actions: inout [RouterAction]) {
        guard let steps = replays[routingId]?.delivery?.acknowledged(seq) else {
            let sent = replays[routingId]?.delivery?.sentUpTo ?? 0
            reply(
                routingId, WireProtocol.error(.badAck, reason: "ACK \(seq) is beyond the last replayed delivery (\(sent))"), into: &actions)
            return
        }
        deliverReplay(steps, for: routingId, into: &actions)
    }

    /// A committed message: to every following replay of one of its recipients' streams.
    mutating func replayLive(_ live: LiveMessage, recipients: [String], into actions: inout [RouterAction]) {
        replayLive(seq: live.header.seq, payload: .live(live), recipients: recipients, into: &actions)
    }

    /// A newly journaled message (`payload`, as received or as stored) for the replays that
    /// follow one of its recipients.
    mutating func replayLive(seq: UInt64, payload: Outgoing, recipients: [String], into actions: inout [RouterAction]) {
        for (routingId, stream) in replays
        where stream.plan.follow && recipients.contains(stream.plan.party) && stream.plan.wants(type: payload.type) {
            guard let steps = replays[routingId]?.delivery?.journaled(seq: seq, payload: payload) else { continue }
            deliverReplay(steps, for: routingId, into: &actions)
        }
    }

    /// Hands a replay's steps to the I/O layer; with none, checks its progress at once
    /// (otherwise `performed` does, once the sends went out).
    mutating func deliverReplay(
        _ steps: [DeliverySession<Outgoing>.Action], for routingId: [UInt8], into actions: inout [RouterAction]
    ) {
        guard let stream = replays[routingId] else { return }
        guard !steps.isEmpty else { return replayProgress(routingId, into: &actions) }
        actions.append(
            .deliver(
                DeliveryWork(
                    kind: .replay, connection: routingId, session: stream.id, epoch: stream.epoch, stream: stream.plan.party,
                    observer: stream.plan.observer, types: stream.typeList, steps: steps, batchEntries: stream.batchEntries)))
    }

    /// How far a replay's `DeliveryWork` got.
    mutating func replayPerformed(
        _ work: DeliveryWork, _ report: DeliveryReport, now: ContinuousClock.Instant, into actions: inout [RouterAction]
    ) {
        let routingId = work.connection
        replays[routingId]?.delivered += UInt64(report.sent)
        if let failure = report.failure {
            switch failure.reason {
            case .peerFull:
                replays[routingId]?.delivery?.sendFailed(seq: failure.seq)
                replays[routingId]?.parkedSince = now
                replays[routingId]?.epoch &+= 1
            case .peerGone:
                logger.info("replay peer vanished", metadata: ["party": "\(work.stream)", "session": "\(work.session)"])
                closeReplay(routingId)
                return
            }
        }
        replayProgress(routingId, into: &actions)
    }

    /// Sends CAUGHT_UP once the session has read to the head, and FINISHED (ending the
    /// session) once a replay without `follow` has everything acknowledged.
    private mutating func replayProgress(_ routingId: [UInt8], into actions: inout [RouterAction]) {
        if let ending = replays[routingId]?.ending {
            // A damaged record: what came before it was sent; the replay ends at it.
            reply(routingId, ending, into: &actions)
            logger.info("replay ended at a damaged record", metadata: ["session": "\(replays[routingId]?.id ?? 0)"])
            closeReplay(routingId)
            return
        }
        guard let stream = replays[routingId], let delivery = stream.delivery, delivery.mode == .live else { return }
        // What was sent counts as read, but a replay asked from beyond the head starts with
        // `sentUpTo` at its `from_seq - 1`: the head reported is never past the journal's.
        let head = max(stream.fetchHead, min(delivery.sentUpTo, headSeq))
        if !stream.caughtUp {
            replays[routingId]?.caughtUp = true
            reply(routingId, .replayStatus(stream.status(.caughtUp, head: head)), into: &actions)
        }
        if !stream.plan.follow && delivery.unacknowledged == 0 {
            reply(routingId, .replayStatus(stream.status(.finished, head: head)), into: &actions)
            logger.info(
                "replay finished",
                metadata: ["party": "\(stream.plan.party)", "session": "\(stream.id)", "delivered": "\(stream.delivered)"])
            closeReplay(routingId)
        }
    }

    mutating func closeReplay(_ routingId: [UInt8]) {
        guard let stream = replays.removeValue(forKey: routingId) else { return }
        replayConnections[stream.id] = nil
    }

    /// Timers: replay sessions without traffic for 3 heartbeats end; parked ones retry.
    mutating func replayHousekeeping(now: ContinuousClock.Instant, expiry: Duration, into actions: inout [RouterAction]) {
        for (routingId, stream) in replays {
            if now - stream.lastSeen > expiry {
                logger.info("replay expired: no heartbeat", metadata: ["party": "\(stream.plan.party)", "session": "\(stream.id)"])
                closeReplay(routingId)
            } else if let parked = stream.parkedSince, now - parked > .milliseconds(20) {
                replays[routingId]?.parkedSince = nil
                guard let steps = replays[routingId]?.delivery?.resume() else { continue }
                deliverReplay(steps, for: routingId, into: &actions)
            } else if let retry = stream.retryAt, now >= retry {
                replays[routingId]?.retryAt = nil
                guard let steps = replays[routingId]?.delivery?.resume() else { continue }
                deliverReplay(steps, for: routingId, into: &actions)
            }
        }
    }
}
