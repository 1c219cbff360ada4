import HubCore
import HubProtocol
import HubRouting
import HubStore
import ZeroMQ

/// The router thread as `RouterCore`'s I/O layer: it feeds the core and performs what the
/// core decides, with the ROUTER socket and the journal threads.
extension Router {
    /// One frame set from a client: [routing id, command, body?].
    func handle(_ frames: [ZMQMessage]) {
        guard frames.count >= 2 else { return }  // a ROUTER always prepends the routing id
        core.received(
            connection: frames[0].bytes, party: frames[1].metadata("User-Id"), command: frames[1].bytes, frameCount: frames.count - 1,
            body: frames.count >= 3 ? frames[2] : nil, now: clock.now, key: { frames[1].metadata(ZAPHandler.keyProperty) },
            into: &work)
        performWork()
    }

    /// One report of the journal threads.
    func handle(_ event: HubEvent) {
        core.journal(event, now: clock.now, into: &work)
        performWork()
    }

    /// Performs the actions the core returned, in order, and empties the list (keeping its storage).
    func performWork() {
        var index = 0
        while index < work.count {
            perform(work[index])
            index += 1
        }
        work.removeAll(keepingCapacity: true)
    }

    private func perform(_ action: RouterAction) {
        switch action {
        case .reply(let routingId, let kind):
            reply(routingId, kind)
        case .deliver(let delivery):
            perform(delivery)
        case .locate(let session, let party, let sinceUs):
            replayReader.enqueue(JournalReader.Request(session: session, party: party, after: 0, limit: 0, sinceUs: sinceUs))
        case .journal(let submissions):
            writer.enqueue(submissions)
        case .saveAcks(let acks):
            writer.enqueue(acks: acks)
        case .saveProgress(let marks):
            writer.enqueue(progress: marks)
        case .tap(let batch, let outcomes):
            tapHandOff(batch, outcomes)
        case .note(.seen(let party)):
            monitoring.seen(party)
        case .note(.journaled(let type, let sender, let recipients, let count)):
            monitoring.journaled(type: type, sender: sender, recipients: recipients, count: count)
        case .note(.helloBeyondHead):
            monitoring.helloBeyondHead.increment()
        case .note(.journalDamaged):
            monitoring.journalDamaged()
        }
    }

    /// Carries out a delivery session's steps until a send fails, then reports to the core
    /// and performs what that decides at once (before any later action, as a reply to the
    /// same peer must follow its deliveries).
    private func perform(_ delivery: DeliveryWork) {
        guard core.isCurrent(delivery) else { return }
        var report = DeliveryReport()
        if delivery.batchEntries > 0 {
            performBatched(delivery, &report)
        } else {
            performEach(delivery, &report)
        }
        var follow: [RouterAction] = []
        core.performed(delivery, report, now: clock.now, into: &follow)
        for action in follow { perform(action) }
    }

    /// Performs a session's steps with one DELIVER per send.
    private func performEach(_ delivery: DeliveryWork, _ report: inout DeliveryReport) {
        steps: for step in delivery.steps {
            switch step {
            case .fetch(let after, let limit):
                let request = JournalReader.Request(
                    session: delivery.session, party: delivery.stream, after: after, limit: limit, types: delivery.types)
                (delivery.kind == .replay ? replayReader : reader).enqueue(request)
            case .send(let seq, let payload):
                switch sendDeliver(
                    payload, stream: delivery.stream, observer: delivery.observer, to: delivery.connection, session: delivery.session)
                {
                case .sent:
                    report.sent += 1
                    report.lastSent = seq
                    if delivery.kind == .receiving { monitoring.delivered(type: payload.type, party: delivery.stream) }
                case .full:
                    report.failure = (seq, .peerFull)
                    break steps
                case .gone:
                    report.failure = (seq, .peerGone)
                    break steps
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
        // The command frame is written from the header's bytes (`DeliverBatchFrame.deliver`),
        // from those shared by a fan-out's recipients when there are several.
        let header: WireHeader
        let command: [UInt8]
        let journaled: ZMQMessage
        do {
            switch payload {
            case .live(let message):
                header = message.header
                command =
                    message.sharedHeader.map { DeliverBatchFrame.deliver($0, recipient: party) }
                    ?? DeliverBatchFrame.deliver(header, recipient: party)
                journaled = message.body.frame
            case .stored(let record):
                header = record.deliveryHeader
                command = DeliverBatchFrame.deliver(header, recipient: party)
                journaled = ZMQMessage(bytes: record.body)
            }
            let body: ZMQMessage
            do {
                body = try journaled.viewed(through: observers.view(observer: observer, stream: party, type: header.type))
            } catch {
                logger.error(
                    "redaction failed; delivering an empty body",
                    metadata: ["seq": "\(header.seq)", "party": "\(party)", "observer": "\(observer)", "error": "\(error)"])
                body = ZMQMessage()
            }
            guard try socket.send(bytes: routingId, more: true, dontWait: true) else { return .full }
            _ = try socket.send(bytes: command, more: true, dontWait: true)
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

extension RouterBody {
    /// This body as a frame to send: itself when it is one (the frame as received), else a
    /// new frame with a copy of its bytes (the flows' own messages). It tests the type, not
    /// the value: `self as? ZMQMessage` on a `[UInt8]` went through Foundation's bridging
    /// (an NSArray of one NSNumber per byte) before failing, the most costly step of every
    /// flow message delivered.
    var frame: ZMQMessage {
        if Self.self == ZMQMessage.self, let message = self as? ZMQMessage { return message }
        return ZMQMessage(bytes: bytes)
    }
}
