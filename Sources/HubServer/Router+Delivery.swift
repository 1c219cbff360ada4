import HubCore
import HubProtocol
import HubStore
import ZeroMQ

/// A journaled message on its way to one recipient.
enum Outgoing: Sendable {
    /// Just committed: the body is the frame as received, shared by every recipient.
    case live(LiveMessage)
    /// Read back from the journal.
    case stored(JournalRecord)
}

extension Outgoing {
    /// The message's type.
    var type: String {
        switch self {
        case .live(let message): message.header.type
        case .stored(let record): record.type
        }
    }
}

/// A committed message held for live delivery.
final class LiveMessage: Sendable {
    let header: WireHeader
    let body: ZMQMessage

    init(header: WireHeader, body: ZMQMessage) {
        self.header = header
        self.body = body
    }
}

extension Router {
    func handle(_ event: HubEvent) {
        switch event {
        case .committed(let batch, let outcomes):
            committed(batch, outcomes)
        case .commitFailed(let batch, let reason):
            pending -= batch.count
            for submit in batch {
                if submit.routingId.isEmpty {
                    logger.error("flow message not journaled; the flows emit it again when the hub restarts", metadata: ["message_id": "\(submit.header.id)", "type": "\(submit.header.type)"])
                }
                reply(submit.routingId, WireProtocol.error(.journalFailure, reason: "the journal could not be written; resubmit later", id: submit.header.id))
            }
            logger.error("commit failed; submitters told JOURNAL_FAILURE", metadata: ["messages": "\(batch.count)", "reason": "\(reason)"])
        case .fetched(let sessionId, let records, let head):
            headSeq = max(headSeq, head)
            guard let routingId = routingId(ofSession: sessionId) else {
                replayFetched(session: sessionId, records: records, head: head)
                return
            }
            let items = records.map { (seq: $0.seq, payload: Outgoing.stored($0)) }
            guard let actions = sessions[routingId]?.delivery.fetched(items, headSeq: head) else { return }
            perform(actions, for: routingId)
        case .fetchFailed(let sessionId, _):
            guard let routingId = routingId(ofSession: sessionId) else {
                replayFetchFailed(session: sessionId)
                return
            }
            sessions[routingId]?.delivery.fetchFailed()
            sessions[routingId]?.parkedSince = clock.now
        case .located(let sessionId, let firstSeq, let head):
            replayLocated(session: sessionId, firstSeq: firstSeq, head: head)
        }
    }

    private func routingId(ofSession id: UInt64) -> [UInt8]? {
        sessionConnections[id]
    }

    private func committed(_ batch: [PendingSubmit], _ outcomes: [AppendOutcome]) {
        pending -= batch.count
        for (submit, outcome) in zip(batch, outcomes) {
            var accepted = WireAccepted()
            accepted.id = submit.header.id
            accepted.seq = outcome.seq
            accepted.duplicate = outcome.duplicate
            accepted.recipients = UInt32(outcome.recipients.count)
            reply(submit.routingId, .accepted(accepted))
            logger.trace(
                outcome.duplicate ? "duplicate submission" : "journaled",
                metadata: ["party": "\(submit.party)", "message_id": "\(submit.header.id)", "seq": "\(outcome.seq)", "type": "\(submit.header.type)"])
            guard !outcome.duplicate else { continue }
            monitoring.journaled(type: submit.header.type, sender: submit.party, recipients: outcome.recipients)
            flowsRead(submit, outcome)
            headSeq = max(headSeq, outcome.seq)
            var header = submit.header
            header.sender = submit.party
            header.seq = outcome.seq
            header.journaledAtUs = outcome.journaledAtUs
            let live = LiveMessage(header: header, body: submit.body)
            for recipient in outcome.recipients {
                guard let routingId = receivers[recipient],
                    let actions = sessions[routingId]?.delivery.journaled(seq: outcome.seq, payload: .live(live))
                else { continue }
                perform(actions, for: routingId)
            }
            if !replays.isEmpty { replayLive(live, recipients: outcome.recipients) }
        }
        tapHandOff(batch, outcomes)
    }

    /// Carries out a delivery session's actions.
    func perform(_ actions: [DeliverySession<Outgoing>.Action], for routingId: [UInt8]) {
        guard let session = sessions[routingId] else { return }
        for action in actions {
            switch action {
            case .fetch(let after, let limit):
                reader.enqueue(JournalReader.Request(session: session.id, party: session.party, after: after, limit: limit))
            case .send(let seq, let payload):
                switch sendDeliver(payload, stream: session.party, observer: session.party, to: routingId, session: session.id) {
                case .sent:
                    progress.note(session.party, .delivered, seq: seq, atUs: WallClock.nowMicroseconds())
                    monitoring.delivered(type: payload.type, party: session.party)
                case .full:
                    // The peer's queue is full: take back this and every later send, retry soon.
                    sessions[routingId]?.delivery.sendFailed(seq: seq)
                    sessions[routingId]?.parkedSince = clock.now
                    return
                case .gone:
                    closeSession(routingId, reason: "receiving peer vanished")
                    return
                }
            }
        }
    }

    enum SendResult { case sent, full, gone }

    /// Sends one DELIVER of a message of `party`'s stream to the connection `routingId`:
    /// the header addressed to `party` alone (a recipient learns that it is one, not who else
    /// is), the body as `observer` may see it (`ObserverPolicy`; for a receiving session the
    /// observer is the party itself, so its hidden fields are removed). Bodies of typed
    /// messages are checked on submission, so redaction cannot fail for journaled data; if
    /// it ever did, the peer gets an empty body rather than fields it must not see.
    func sendDeliver(_ payload: Outgoing, stream party: String, observer: String, to routingId: [UInt8], session: UInt64) -> SendResult {
        var header: WireHeader
        let journaled: ZMQMessage
        do {
            switch payload {
            case .live(let message):
                header = message.header
                journaled = message.body
            case .stored(let record):
                header = record.deliveryHeader
                journaled = ZMQMessage(bytes: record.body)
            }
            header.recipients = [party]
            let body: ZMQMessage
            do {
                body = try journaled.viewed(through: observers.view(observer: observer, stream: party, type: header.type))
            } catch {
                logger.error(
                    "redaction failed; delivering an empty body",
                    metadata: ["seq": "\(header.seq)", "party": "\(party)", "observer": "\(observer)", "error": "\(error)"])
                body = ZMQMessage()
            }
            var deliver = WireDeliver()
            deliver.header = header
            guard try socket.send(bytes: routingId, more: true, dontWait: true) else { return .full }
            _ = try socket.send(bytes: WireProtocol.frame(.deliver(deliver)), more: true, dontWait: true)
            _ = try socket.send(body, dontWait: true)
            return .sent
        } catch let error as ZMQError where error.isHostUnreachable {
            return .gone
        } catch {
            logger.warning("delivery failed", metadata: ["party": "\(party)", "session": "\(session)", "error": "\(error)"])
            return .full
        }
    }
}
