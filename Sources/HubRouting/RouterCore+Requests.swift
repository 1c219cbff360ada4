import HubCore
import HubProtocol
import HubStore

extension RouterCore {
    /// One frame set from a client connection (the ROUTER's routing id frame removed).
    ///
    /// - Parameters:
    ///   - routingId: The connection.
    ///   - party: The party the connection authenticated as (ZAP `User-Id`), if any.
    ///   - command: The first frame's bytes.
    ///   - frameCount: How many frames the set has, the command frame included.
    ///   - body: The second frame, when there is one.
    ///   - now: The current time.
    ///   - actions: Where the actions go.
    public mutating func received(
        connection routingId: [UInt8], party: String?, command commandFrame: [UInt8], frameCount: Int, body: (any RouterBody)?,
        now: ContinuousClock.Instant, into actions: inout [RouterAction]
    ) {
        guard frameCount >= 1 else { return }
        guard Self.isAssigned(routingId: routingId) else {
            let reason = "do not set ZMQ_ROUTING_ID; the hub assigns routing ids (this frame set was ignored)"
            reply(routingId, WireProtocol.error(.routingIdSet, reason: reason), into: &actions)
            return
        }
        guard let party, routing.knows(party: party) else {
            reply(routingId, WireProtocol.error(.notAuthenticated, reason: "connection has no authenticated party"), into: &actions)
            return
        }
        actions.append(.note(.seen(party: party)))
        let command: WireCommand
        do {
            command = try WireCommand(serializedBytes: commandFrame)
        } catch {
            if CommandProbe.submitIdIsNotUTF8(commandFrame) {
                let reason = "the message id is not valid UTF-8"
                reply(routingId, WireProtocol.error(.missingId, reason: reason), into: &actions)
                return
            }
            let reason = "first frame is not a swhub.v1.Command (\(commandFrame.count) bytes)"
            reply(routingId, WireProtocol.error(.malformedFrame, reason: reason), into: &actions)
            return
        }
        guard command.version == WireProtocol.version else {
            var id = ""
            if case .submit(let submit) = command.kind { id = Self.echo(submit.header.id) }
            let reason = "protocol version \(command.version) is not supported; this hub speaks \(WireProtocol.version)"
            reply(routingId, WireProtocol.error(.unsupportedVersion, reason: reason, id: id), into: &actions)
            return
        }
        guard commandFrame.count <= Self.maxCommandBytes else {
            var id = ""
            if case .submit(let submit) = command.kind { id = Self.echo(submit.header.id) }
            let reason =
                "the command frame has \(commandFrame.count) bytes; at most \(Self.maxCommandBytes) are allowed (the body travels in frame 2)"
            reply(routingId, WireProtocol.error(.headerTooLarge, reason: reason, id: id), into: &actions)
            return
        }
        if sessions[routingId] != nil { sessions[routingId]?.lastSeen = now }
        if replays[routingId] != nil { replays[routingId]?.lastSeen = now }
        switch command.kind {
        case .submit(let submit):
            guard frameCount == 2, let body else {
                return wrongFrameCount(routingId, "SUBMIT", frameCount, 2, id: Self.echo(submit.header.id), into: &actions)
            }
            guard !settings.readOnly else {
                let reason = "the hub runs read-only over a damaged journal (salvage) and journals nothing; submit again later"
                return refuse(routingId, submit.header, party: party, .readOnly, reason, into: &actions)
            }
            handleSubmit(submit.header, body: body, routingId: routingId, party: party, into: &actions)
        case .ack(let ack):
            guard frameCount == 1 else { return wrongFrameCount(routingId, "ACK", frameCount, 1, into: &actions) }
            handleAck(ack.seq, routingId: routingId, party: party, into: &actions)
        case .hello(let hello):
            guard frameCount == 1 else { return wrongFrameCount(routingId, "HELLO", frameCount, 1, into: &actions) }
            handleHello(hello, routingId: routingId, party: party, now: now, into: &actions)
        case .ping(let ping):
            guard frameCount == 1 else { return wrongFrameCount(routingId, "PING", frameCount, 1, into: &actions) }
            var pong = WirePong()
            pong.nonce = ping.nonce
            pong.ackedSeq = acked[party] ?? 0
            pong.receiving = sessions[routingId] != nil
            reply(routingId, .pong(pong), into: &actions)
        case .replay(let replay):
            handleReplay(replay, frameCount: frameCount, routingId: routingId, party: party, now: now, into: &actions)
        case .welcome, .accepted, .error, .deliver, .pong, .replayStatus, .none:
            let reason = "a client may send HELLO, SUBMIT, ACK, PING or REPLAY only"
            reply(routingId, WireProtocol.error(.unexpectedCommand, reason: reason), into: &actions)
        }
    }

    /// The largest first frame (the command, without the body) the hub reads: 4 KiB.
    public static let maxCommandBytes = 4096
    /// The longest `Header.correlation_id`, in UTF-8 bytes.
    public static let maxCorrelationIdBytes = 128

    /// Whether a routing id is one the hub's ROUTER assigned (libzmq makes them 5 bytes, the
    /// first one zero), not one a client chose with `ZMQ_ROUTING_ID`.
    ///
    /// - Parameters:
    ///   - routingId: The connection's routing id.
    /// - Returns: True for an assigned one.
    public static func isAssigned(routingId: [UInt8]) -> Bool {
        routingId.count == 5 && routingId[0] == 0
    }

    private func wrongFrameCount(
        _ routingId: [UInt8], _ name: String, _ got: Int, _ expected: Int, id: String = "", into actions: inout [RouterAction]
    ) {
        reply(
            routingId, WireProtocol.error(.wrongFrameCount, reason: "\(name) takes \(expected) frame(s), got \(got)", id: id),
            into: &actions)
    }

    private mutating func handleSubmit(
        _ header: WireHeader, body: any RouterBody, routingId: [UInt8], party: String, into actions: inout [RouterAction]
    ) {
        guard header.correlationID.utf8.count <= Self.maxCorrelationIdBytes else {
            let reason = "correlation_id has \(header.correlationID.utf8.count) bytes; at most \(Self.maxCorrelationIdBytes) are allowed"
            return refuse(routingId, header, party: party, .headerTooLarge, reason, into: &actions)
        }
        switch routing.route(from: party, header: header, bodyBytes: body.count) {
        case .failure(let failure):
            refuse(routingId, header, party: party, failure.code, failure.reason, into: &actions)
        case .success(let recipients):
            if let failure = body.withUnsafeBytes({ policy.validate(type: header.type, body: $0) }) {
                refuse(routingId, header, party: party, failure.code, failure.reason, into: &actions)
            } else if let failure = admitFlow(header: header, body: body, party: party) {
                refuse(routingId, header, party: party, failure.code, failure.reason, into: &actions)
            } else if draining {
                refuse(routingId, header, party: party, .shuttingDown, "the hub is shutting down; resubmit later", into: &actions)
            } else if ingressFull {
                let reason = "\(pending) submissions (\(pendingBytes >> 20) MiB) are waiting for the journal; resubmit later"
                refuse(routingId, header, party: party, .hubBusy, reason, into: &actions)
            } else {
                hold(PendingSubmission(routingId: routingId, party: party, header: header, recipients: recipients, body: body))
            }
        }
    }

    /// Refuses a submission: one ERROR to the client, one debug line (refusals can come by
    /// the thousand from one misbehaving client, so never louder).
    private func refuse(
        _ routingId: [UInt8], _ header: WireHeader, party: String, _ code: HubErrorCode, _ reason: String,
        into actions: inout [RouterAction]
    ) {
        logger.debug(
            "submission refused",
            metadata: [
                "party": "\(party)", "message_id": "\(Self.echo(header.id).prefix(200))", "type": "\(header.type.prefix(100))",
                "code": "\(code)",
            ])
        reply(routingId, WireProtocol.error(code, reason: reason, id: Self.echo(header.id)), into: &actions)
    }

    private mutating func handleHello(
        _ hello: WireHello, routingId: [UInt8], party: String, now: ContinuousClock.Instant, into actions: inout [RouterAction]
    ) {
        guard !draining else {
            reply(routingId, WireProtocol.error(.shuttingDown, reason: "the hub is shutting down; say HELLO again later"), into: &actions)
            return
        }
        if replays[routingId] != nil {
            let reason = "this connection holds a replay; say HELLO on a connection of its own"
            reply(routingId, WireProtocol.error(.badReplay, reason: reason), into: &actions)
            return
        }
        let credit = hello.credit == 0 ? settings.defaultCredit : min(Int(hello.credit), settings.defaultCredit)
        let position = acked[party] ?? 0
        var resumeAfter = position
        if sharedJournal && hello.ackedSeq > max(position, headSeq) {
            // A client failing over from another node may have acknowledged what that node
            // journaled and this one has not seen yet: its session resumes after it, but
            // the durable position moves only as far as this node's head (a position
            // beyond the journal's real head must not be stored).
            logger.info(
                "HELLO acknowledges a seq beyond this node's head: resuming after it",
                metadata: ["party": "\(party)", "hello_acked_seq": "\(hello.ackedSeq)", "head_seq": "\(headSeq)"])
            if headSeq > position { noteAck(party, headSeq) }
            resumeAfter = hello.ackedSeq
        } else if hello.ackedSeq > position {
            if let refusal = checkHelloAck(hello.ackedSeq, party: party, into: &actions) {
                reply(routingId, WireProtocol.error(.badAck, reason: refusal), into: &actions)
                return
            }
            noteAck(party, hello.ackedSeq)
            resumeAfter = hello.ackedSeq
        }
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
            reply(routingId, .welcome(welcome), into: &actions)
            return
        }
        if let previous = receivers[party] {
            closeSession(previous, reason: "replaced by a new connection")
        }
        let id = nextSessionId
        nextSessionId += 1
        var session = Session(
            id: id, routingId: routingId, party: party, lastSeen: now,
            delivery: DeliverySession(party: party, credit: credit, queueLimit: max(2 * credit, 256), ackedSeq: resumeAfter),
            parkedSince: nil)
        let steps = session.delivery.start()
        sessions[routingId] = session
        sessionConnections[id] = routingId
        receivers[party] = routingId
        logger.info(
            "receiving session opened",
            metadata: [
                "party": "\(party)", "session": "\(id)", "resume_after": "\(resumeAfter)", "credit": "\(credit)",
                "client": "\(hello.client.prefix(64))",
            ])
        reply(routingId, .welcome(welcome), into: &actions)
        deliver(steps, for: routingId, into: &actions)
    }

    /// Why a HELLO may not move `party`'s acknowledgement position to `seq` (above the
    /// current one), or nil when it may: up to the highest seq delivered to the party since
    /// the hub started, or up to the head the hub started with (a previous run may have
    /// delivered that far), or, on a journal shared with other hub nodes, up to the head
    /// (another node may have delivered it); never beyond the journal's head. A seq beyond the head means
    /// the client saw messages the journal no longer has: an alarm, once per party per run.
    private mutating func checkHelloAck(_ seq: UInt64, party: String, into actions: inout [RouterAction]) -> String? {
        if seq > headSeq {
            actions.append(.note(.helloBeyondHead(party: party)))
            if beyondHeadAlarmed.insert(party).inserted {
                logger.error(
                    "a client acknowledged a seq beyond the journal head: the journal may have lost committed records",
                    metadata: ["party": "\(party)", "hello_acked_seq": "\(seq)", "head_seq": "\(headSeq)"])
            }
            return "HELLO acked_seq \(seq) is beyond the journal head (\(headSeq)); the hub never delivered it"
        }
        // On a journal shared by several hub nodes, another node may have delivered any seq
        // up to the head to this party before it moved here.
        let limit = sharedJournal ? headSeq : max(startHead, deliveredUpTo[party] ?? 0)
        guard seq <= limit else {
            return "HELLO acked_seq \(seq) is beyond what was delivered to \(party) (\(limit))"
        }
        return nil
    }

    private mutating func handleAck(_ seq: UInt64, routingId: [UInt8], party: String, into actions: inout [RouterAction]) {
        if replays[routingId] != nil { return handleReplayAck(seq, routingId: routingId, into: &actions) }
        guard sessions[routingId] != nil else {
            reply(
                routingId, WireProtocol.error(.noSession, reason: "ACK without a receiving session; send HELLO with receive first"),
                into: &actions)
            return
        }
        guard let steps = sessions[routingId]?.delivery.acknowledged(seq) else {
            let sent = sessions[routingId]?.delivery.sentUpTo ?? 0
            reply(routingId, WireProtocol.error(.badAck, reason: "ACK \(seq) is beyond the last delivery (\(sent))"), into: &actions)
            return
        }
        if seq > acked[party] ?? 0 { noteAck(party, seq) }
        deliver(steps, for: routingId, into: &actions)
    }
}
