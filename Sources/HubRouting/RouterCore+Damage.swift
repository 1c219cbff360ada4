import HubCore
import HubProtocol
import HubStore

/// What a session's client was told about the journal: one ERROR per trouble, not one per
/// retry.
enum ReadTrouble: Sendable, Equatable {
    /// `502 JOURNAL_DAMAGED` about this seq (nil: a damaged page, no seq known).
    case damaged(UInt64?)
    /// `501 JOURNAL_FAILURE`: the journal could not be read.
    case readFailed
}

/// Journal reads that fail (PROTOCOL.md section 6.2): a damaged record is never delivered. The
/// session gets what comes before it, then its stream stops there with one
/// `502 JOURNAL_DAMAGED`; the read is retried every 30 s (a repaired journal resumes the
/// stream), never in a loop. A read that fails for another reason is retried with a pause
/// that doubles up to 30 s, and the client is told once with `501 JOURNAL_FAILURE`. Each
/// damaged seq is logged and counted once (`RouterNote.journalDamaged`); the log of failed
/// reads is paced. Replays end at the damaged seq with the same ERROR.
extension RouterCore {
    /// How long a stream stopped at a damaged record waits before reading it again.
    public static var damagedRetry: Duration { .seconds(30) }

    /// The pause before the `failures`-th retry of a failed read: 20 ms doubling, at most 30 s.
    static func readBackoff(_ failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 11)
        return min(.milliseconds(20 * (1 << exponent)), .seconds(30))
    }

    /// A fetch met a damaged record: delivers what came before it, stops the stream there.
    mutating func fetchDamaged(
        session id: UInt64, records: [JournalRecord], head: UInt64, error: StoreError, now: ContinuousClock.Instant,
        into actions: inout [RouterAction]
    ) {
        headSeq = max(headSeq, head)
        guard let routingId = sessionConnections[id] else {
            replayDamaged(session: id, records: records, head: head, error: error, into: &actions)
            return
        }
        guard var session = sessions[routingId] else { return }
        noteDamaged(error, party: session.party, into: &actions)
        var steps: [DeliverySession<Outgoing>.Action] = []
        if !records.isEmpty {
            steps = session.delivery.fetched(records.map { (seq: $0.seq, payload: Outgoing.stored($0)) }, headSeq: head)
            steps.removeAll(where: Self.isFetch)
        }
        session.delivery.fetchFailed()  // parked: nothing more is fetched or sent live until the retry
        session.readFailures += 1
        session.retryAt = now + (error.seq != nil ? Self.damagedRetry : Self.readBackoff(session.readFailures))
        let trouble = ReadTrouble.damaged(error.seq)
        let tell = session.told != trouble
        session.told = trouble
        sessions[routingId] = session
        deliver(steps, for: routingId, into: &actions)
        if tell { reply(routingId, WireProtocol.error(.journalDamaged, reason: Self.damagedReason(error)), into: &actions) }
    }

    /// A receiving session's fetch failed (not a damaged record): retried with a growing pause.
    mutating func receivingFetchFailed(
        _ routingId: [UInt8], reason: String, now: ContinuousClock.Instant, into actions: inout [RouterAction]
    ) {
        guard var session = sessions[routingId] else { return }
        session.delivery.fetchFailed()
        session.readFailures += 1
        let pause = Self.readBackoff(session.readFailures)
        session.retryAt = now + pause
        let tell = session.told != .readFailed
        session.told = .readFailed
        sessions[routingId] = session
        if let heldBack = readLogPace.allow("fetch", at: now) {
            logger.error(
                "journal read failed; the session retries with a growing pause",
                metadata: [
                    "party": "\(session.party)", "failures": "\(session.readFailures)", "retry_in": "\(pause)", "reason": "\(reason)",
                    "similar_lines_held_back": "\(heldBack)",
                ])
        }
        if tell {
            let text = "the journal could not be read; delivery resumes on its own when it can be (the hub retries, at most every 30 s)"
            reply(routingId, WireProtocol.error(.journalFailure, reason: text), into: &actions)
        }
    }

    /// A receiving session's fetch succeeded: its retries start over.
    mutating func readRecovered(_ routingId: [UInt8]) {
        guard let session = sessions[routingId], session.readFailures > 0 || session.told != nil else { return }
        sessions[routingId]?.readFailures = 0
        sessions[routingId]?.told = nil
        logger.info("journal read again: delivery resumes", metadata: ["party": "\(session.party)", "session": "\(session.id)"])
    }

    /// A replay's fetch met a damaged record: what came before it is sent, then the replay ends
    /// with `502` (see `replayProgress`).
    private mutating func replayDamaged(
        session id: UInt64, records: [JournalRecord], head: UInt64, error: StoreError, into actions: inout [RouterAction]
    ) {
        guard let routingId = replayConnections[id], var stream = replays[routingId], var delivery = stream.delivery else { return }
        noteDamaged(error, party: stream.plan.party, into: &actions)
        var steps: [DeliverySession<Outgoing>.Action] = []
        if !records.isEmpty {
            steps = delivery.fetched(records.map { (seq: $0.seq, payload: Outgoing.stored($0)) }, headSeq: head)
            steps.removeAll(where: Self.isFetch)
        }
        delivery.fetchFailed()
        stream.delivery = delivery
        stream.fetchHead = head
        stream.ending = WireProtocol.error(.journalDamaged, reason: Self.damagedReason(error))
        replays[routingId] = stream
        deliverReplay(steps, for: routingId, into: &actions)
    }

    /// Logs and counts a damaged seq the first time it is met (a damage without seq is logged
    /// at a bounded rate).
    mutating func noteDamaged(_ error: StoreError, party: String, into actions: inout [RouterAction]) {
        if let seq = error.seq {
            guard damagedSeqs.insert(seq).inserted else { return }
            actions.append(.note(.journalDamaged(seq: seq)))
            logger.error(
                "damaged journal record: not delivered; the streams that reach it stop there until it is repaired (run swhub verify)",
                metadata: ["seq": "\(seq)", "party": "\(party)", "reason": "\(error.reason)"])
        } else if let heldBack = readLogPace.allow("damaged", at: .now) {
            logger.error(
                "the journal file is damaged where a read needed it (run swhub verify); the streams that need it wait",
                metadata: ["party": "\(party)", "reason": "\(error.reason)", "similar_lines_held_back": "\(heldBack)"])
        }
    }

    static func isFetch(_ step: DeliverySession<Outgoing>.Action) -> Bool {
        if case .fetch = step { return true }
        return false
    }

    /// The ERROR's reason for a damaged record: its seq and what to do; never payload.
    static func damagedReason(_ error: StoreError) -> String {
        let what =
            error.seq.map { "journal record seq \($0) is damaged (it failed its integrity check)" }
            ?? "the journal file is damaged (\(error.reason))"
        return
            "\(what): it is not delivered and this stream stops before it; an operator must run `swhub verify` and repair the journal (the hub retries every 30 s)"
    }
}
