import HubCore
import HubProtocol
import HubStore
import ZeroMQ

extension Router {
    /// One frame set from a client: [routing id, command, body?].
    func handle(_ frames: [ZMQMessage]) {
        guard frames.count >= 2 else { return }  // a ROUTER always prepends the routing id
        let routingId = frames[0].bytes
        let commandFrame = frames[1]
        guard let party = commandFrame.metadata("User-Id"), routing.knows(party: party) else {
            reply(routingId, WireProtocol.error(.notAuthenticated, reason: "connection has no authenticated party"))
            return
        }
        monitoring.seen(party)
        let command: WireCommand
        do {
            command = try WireCommand(serializedBytes: commandFrame.bytes)
        } catch {
            reply(routingId, WireProtocol.error(.malformedFrame, reason: "first frame is not a swhub.v1.Command (\(commandFrame.count) bytes)"))
            return
        }
        guard command.version == WireProtocol.version else {
            var id = ""
            if case .submit(let submit) = command.kind { id = Self.echo(submit.header.id) }
            reply(routingId, WireProtocol.error(.unsupportedVersion, reason: "protocol version \(command.version) is not supported; this hub speaks \(WireProtocol.version)", id: id))
            return
        }
        if sessions[routingId] != nil { sessions[routingId]?.lastSeen = clock.now }
        if replays[routingId] != nil { replays[routingId]?.lastSeen = clock.now }
        switch command.kind {
        case .submit(let submit):
            handleSubmit(submit.header, frames: frames, routingId: routingId, party: party)
        case .ack(let ack):
            guard frames.count == 2 else { return wrongFrameCount(routingId, "ACK", frames.count - 1, 1) }
            handleAck(ack.seq, routingId: routingId, party: party)
        case .hello(let hello):
            guard frames.count == 2 else { return wrongFrameCount(routingId, "HELLO", frames.count - 1, 1) }
            handleHello(hello, routingId: routingId, party: party)
        case .ping(let ping):
            guard frames.count == 2 else { return wrongFrameCount(routingId, "PING", frames.count - 1, 1) }
            var pong = WirePong()
            pong.nonce = ping.nonce
            pong.ackedSeq = acked[party] ?? 0
            pong.receiving = sessions[routingId] != nil
            reply(routingId, .pong(pong))
        case .replay(let replay):
            handleReplay(replay, frameCount: frames.count - 1, routingId: routingId, party: party)
        case .welcome, .accepted, .error, .deliver, .pong, .replayStatus, .none:
            reply(routingId, WireProtocol.error(.unexpectedCommand, reason: "a client may send HELLO, SUBMIT, ACK, PING or REPLAY only"))
        }
    }

    private func wrongFrameCount(_ routingId: [UInt8], _ name: String, _ got: Int, _ expected: Int, id: String = "") {
        reply(routingId, WireProtocol.error(.wrongFrameCount, reason: "\(name) takes \(expected) frame(s), got \(got)", id: id))
    }

    private func handleSubmit(_ header: WireHeader, frames: [ZMQMessage], routingId: [UInt8], party: String) {
        guard frames.count == 3 else {
            return wrongFrameCount(routingId, "SUBMIT", frames.count - 1, 2, id: Self.echo(header.id))
        }
        let body = frames[2]
        switch routing.route(from: party, header: header, bodyBytes: body.count) {
        case .failure(let failure):
            refuse(routingId, header, party: party, failure.code, failure.reason)
        case .success(let recipients):
            if let failure = body.withUnsafeBytes({ policy.validate(type: header.type, body: $0) }) {
                refuse(routingId, header, party: party, failure.code, failure.reason)
            } else if let failure = admitFlow(header: header, body: body, party: party) {
                refuse(routingId, header, party: party, failure.code, failure.reason)
            } else if draining {
                refuse(routingId, header, party: party, .shuttingDown, "the hub is shutting down; resubmit later")
            } else if pending >= settings.maxPending {
                refuse(routingId, header, party: party, .hubBusy, "\(pending) submissions are waiting for the journal; resubmit later")
            } else {
                pending += 1
                toJournal.append(PendingSubmit(routingId: routingId, party: party, header: header, recipients: recipients, body: body))
            }
        }
    }

    /// Refuses a submission: one ERROR to the client, one debug line (refusals can come by
    /// the thousand from one misbehaving client, so never louder).
    private func refuse(_ routingId: [UInt8], _ header: WireHeader, party: String, _ code: HubErrorCode, _ reason: String) {
        logger.debug(
            "submission refused",
            metadata: ["party": "\(party)", "message_id": "\(Self.echo(header.id).prefix(200))", "type": "\(header.type.prefix(100))", "code": "\(code)"])
        reply(routingId, WireProtocol.error(code, reason: reason, id: Self.echo(header.id)))
    }

    private func handleHello(_ hello: WireHello, routingId: [UInt8], party: String) {
        guard !draining else {
            reply(routingId, WireProtocol.error(.shuttingDown, reason: "the hub is shutting down; say HELLO again later"))
            return
        }
        let credit = hello.credit == 0 ? settings.defaultCredit : min(Int(hello.credit), settings.defaultCredit)
        let resumeAfter = max(acked[party] ?? 0, min(hello.ackedSeq, headSeq))
        if resumeAfter > acked[party] ?? 0 { noteAck(party, resumeAfter) }
        var welcome = WireWelcome()
        welcome.party = party
        welcome.ackedSeq = resumeAfter
        welcome.credit = UInt32(credit)
        welcome.heartbeatMs = UInt32(settings.heartbeatMs)
        welcome.maxBodyBytes = UInt32(settings.maxBodyBytes)
        welcome.hubVersion = HubVersion.current
        closeSession(routingId, reason: "HELLO again on the same connection")
        closeReplay(routingId)
        guard hello.receive else {
            reply(routingId, .welcome(welcome))
            return
        }
        if let previous = receivers[party] {
            closeSession(previous, reason: "replaced by a new connection")
        }
        let id = nextSessionId
        nextSessionId += 1
        var session = Session(
            id: id, routingId: routingId, party: party, lastSeen: clock.now,
            delivery: DeliverySession(party: party, credit: credit, queueLimit: max(2 * credit, 256), ackedSeq: resumeAfter),
            parkedSince: nil)
        let actions = session.delivery.start()
        sessions[routingId] = session
        sessionConnections[id] = routingId
        receivers[party] = routingId
        logger.info("receiving session opened", metadata: ["party": "\(party)", "session": "\(id)", "resume_after": "\(resumeAfter)", "credit": "\(credit)", "client": "\(hello.client.prefix(64))"])
        reply(routingId, .welcome(welcome))
        perform(actions, for: routingId)
    }

    private func handleAck(_ seq: UInt64, routingId: [UInt8], party: String) {
        if replays[routingId] != nil { return handleReplayAck(seq, routingId: routingId) }
        guard sessions[routingId] != nil else {
            reply(routingId, WireProtocol.error(.noSession, reason: "ACK without a receiving session; send HELLO with receive first"))
            return
        }
        guard let actions = sessions[routingId]?.delivery.acknowledged(seq) else {
            let sent = sessions[routingId]?.delivery.sentUpTo ?? 0
            reply(routingId, WireProtocol.error(.badAck, reason: "ACK \(seq) is beyond the last delivery (\(sent))"))
            return
        }
        if seq > acked[party] ?? 0 { noteAck(party, seq) }
        perform(actions, for: routingId)
    }

    /// The id to carry back in an ERROR: the submitted id itself, so the client can match the
    /// refusal to its request, unless it is absurdly long (then its first 4 KiB).
    static func echo(_ id: String) -> String {
        id.utf8.count <= 4096 ? id : String(decoding: id.utf8.prefix(4096), as: UTF8.self)
    }

    func noteAck(_ party: String, _ seq: UInt64) {
        acked[party] = seq
        dirtyAcks[party] = seq
        progress.note(party, .acked, seq: seq, atUs: WallClock.nowMicroseconds())
    }
}
