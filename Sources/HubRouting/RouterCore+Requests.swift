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
    ///   - key: Reads the CURVE key the connection authenticated with (ZAP metadata); called
    ///     only when a session opens or once a reload has revoked a key.
    ///   - actions: Where the actions go.
    public mutating func received(
        connection routingId: [UInt8], party: String?, command commandFrame: [UInt8], frameCount: Int, body: (any RouterBody)?,
        now: ContinuousClock.Instant, key: () -> String? = { nil }, into actions: inout [RouterAction]
    ) {
        guard frameCount >= 1 else { return }
        guard Self.isAssigned(routingId: routingId) else {
            let reason = "do not set ZMQ_ROUTING_ID; the hub assigns routing ids (this frame set was ignored)"
            // The SUBMIT's id (or the batch's number) echoed when the frame reads, as for any
            // other refusal, so that the client can tell which request it answers.
            if commandFrame.count <= Self.maxCommandBytes * WireProtocol.maxBatchEntries,
                let command = try? WireCommand(serializedBytes: commandFrame)
            {
                return refuseFrame(routingId, command, .routingIdSet, reason, into: &actions)
            }
            reply(routingId, WireProtocol.error(.routingIdSet, reason: reason), into: &actions)
            return
        }
        if let keyHolders, let party, let connectionKey = key(), keyHolders[connectionKey] != party {
            return refuseRevoked(routingId, party: party, commandFrame, into: &actions)
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
        guard WireProtocol.speaks(command.version) else {
            let reason =
                "protocol version \(command.version) is not supported; this hub speaks \(WireProtocol.version) and \(WireProtocol.batchVersion)"
            return refuseFrame(routingId, command, .unsupportedVersion, reason, into: &actions)
        }
        let limit = Self.commandLimit(command.kind)
        guard commandFrame.count <= limit else {
            let reason =
                "the command frame has \(commandFrame.count) bytes; at most \(limit) are allowed (bodies travel in frame 2)"
            return refuseFrame(routingId, command, .headerTooLarge, reason, into: &actions)
        }
        if sessions[routingId] != nil { sessions[routingId]?.lastSeen = now }
        if replays[routingId] != nil { replays[routingId]?.lastSeen = now }
        switch command.kind {
        case .submit(let submit):
            guard frameCount == 2, let body else {
                return wrongFrameCount(routingId, "SUBMIT", frameCount, 2, id: Self.echo(submit.header.id), into: &actions)
            }
            handleSubmit(submit.header, body: body, routingId: routingId, party: party, into: &actions)
        case .ack(let ack):
            guard frameCount == 1 else { return wrongFrameCount(routingId, "ACK", frameCount, 1, into: &actions) }
            handleAck(ack.seq, routingId: routingId, party: party, into: &actions)
        case .hello(let hello):
            guard frameCount == 1 else { return wrongFrameCount(routingId, "HELLO", frameCount, 1, into: &actions) }
            handleHello(hello, routingId: routingId, party: party, now: now, into: &actions)
            if sessions[routingId] != nil { sessions[routingId]?.key = key() }
        case .ping(let ping):
            guard frameCount == 1 else { return wrongFrameCount(routingId, "PING", frameCount, 1, into: &actions) }
            var pong = WirePong()
            pong.nonce = ping.nonce
            pong.ackedSeq = acked[party] ?? 0
            pong.receiving = sessions[routingId] != nil
            reply(routingId, .pong(pong), into: &actions)
        case .replay(let replay):
            handleReplay(replay, frameCount: frameCount, routingId: routingId, party: party, now: now, into: &actions)
            if replays[routingId] != nil { replays[routingId]?.key = key() }
        case .submitBatch(let batch) where command.version == WireProtocol.batchVersion:
            guard frameCount == 2, let body else {
                return refuseBatch(
                    routingId, batch.batch, .wrongFrameCount, "SUBMIT_BATCH takes 2 frame(s), got \(frameCount)", into: &actions)
            }
            handleSubmitBatch(batch, bodies: body, routingId: routingId, party: party, into: &actions)
        case .submitBatch:
            let reason = "SUBMIT_BATCH exists in protocol version 2 only: send it with version 2"
            reply(routingId, WireProtocol.error(.unexpectedCommand, reason: reason), into: &actions)
        case .welcome, .accepted, .error, .deliver, .pong, .replayStatus, .acceptedBatch, .deliverBatch, .none:
            let reason = "a client may send HELLO, SUBMIT, SUBMIT_BATCH, ACK, PING or REPLAY only"
            reply(routingId, WireProtocol.error(.unexpectedCommand, reason: reason), into: &actions)
        }
    }

    /// The largest first frame (the command, without the body) the hub reads: 4 KiB, and as
    /// much per entry for a SUBMIT_BATCH.
    public static let maxCommandBytes = 4096

    /// The largest first frame the hub reads for `kind`: 4 KiB per entry of a SUBMIT_BATCH,
    /// else `maxCommandBytes`.
    static func commandLimit(_ kind: WireCommand.OneOf_Kind?) -> Int {
        guard case .submitBatch(let batch) = kind else { return maxCommandBytes }
        return maxCommandBytes * max(1, min(batch.headers.count, WireProtocol.maxBatchEntries))
    }

    /// Refuses a frame set as a whole, naming the SUBMIT's id or the SUBMIT_BATCH's number.
    func refuseFrame(
        _ routingId: [UInt8], _ command: WireCommand, _ code: HubErrorCode, _ reason: String, into actions: inout [RouterAction]
    ) {
        switch command.kind {
        case .submit(let submit):
            reply(routingId, WireProtocol.error(code, reason: reason, id: Self.echo(submit.header.id)), into: &actions)
        case .submitBatch(let batch):
            refuseBatch(routingId, batch.batch, code, reason, into: &actions)
        default:
            reply(routingId, WireProtocol.error(code, reason: reason), into: &actions)
        }
    }
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
        switch admit(header, body: body, party: party) {
        case .refused(let failure):
            reply(routingId, .error(failure), into: &actions)
        case .accepted(let recipients):
            hold(PendingSubmission(routingId: routingId, party: party, header: header, recipients: recipients, body: body))
        }
    }

    /// A submission's checks passed (its recipients), or the ERROR it gets.
    enum Admission {
        case accepted([String])
        case refused(WireError)
    }

    /// The checks of a submission (PROTOCOL.md section 4, from `correlation_id` on): its
    /// recipients, or the ERROR it gets. A refusal is logged at debug level (refusals can
    /// come by the thousand from one misbehaving client, so never louder).
    func admit(_ header: WireHeader, body: any RouterBody, party: String) -> Admission {
        let refusal: (code: HubErrorCode, reason: String)
        if settings.readOnly {
            let reason = "the hub runs read-only over a damaged journal (salvage) and journals nothing; submit again later"
            refusal = (.readOnly, reason)
        } else if header.correlationID.utf8.count > Self.maxCorrelationIdBytes {
            let reason = "correlation_id has \(header.correlationID.utf8.count) bytes; at most \(Self.maxCorrelationIdBytes) are allowed"
            refusal = (.headerTooLarge, reason)
        } else {
            switch routing.route(from: party, header: header, bodyBytes: body.count) {
            case .failure(let failure):
                refusal = (failure.code, failure.reason)
            case .success(let recipients):
                if let failure = body.withUnsafeBytes({ policy.validate(type: header.type, body: $0) }) {
                    refusal = (failure.code, failure.reason)
                } else if let failure = admitFlow(header: header, body: body, party: party) {
                    refusal = (failure.code, failure.reason)
                } else if draining {
                    refusal = (.shuttingDown, "the hub is shutting down; resubmit later")
                } else if ingressFull {
                    refusal = (.hubBusy, "\(pending) submissions (\(pendingBytes >> 20) MiB) are waiting for the journal; resubmit later")
                } else {
                    return .accepted(recipients)
                }
            }
        }
        logger.debug(
            "submission refused",
            metadata: [
                "party": "\(party)", "message_id": "\(Self.echo(header.id).prefix(200))", "type": "\(header.type.prefix(100))",
                "code": "\(refusal.code)",
            ])
        return .refused(WireProtocol.errorMessage(refusal.code, reason: refusal.reason, id: Self.echo(header.id)))
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
        welcome.protocolVersion = WireProtocol.batchVersion
        welcome.maxBatchEntries = UInt32(WireProtocol.maxBatchEntries)
        welcome.maxBatchBytes = UInt32(clamping: WireProtocol.maxBatchBytes(maxBodyBytes: settings.maxBodyBytes))
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
        session.batchEntries = min(Int(hello.batchDeliveries), WireProtocol.maxBatchEntries)
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
