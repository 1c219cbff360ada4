import HubProtocol

/// The client's side of the wire (PROTOCOL.md), as frame sets a `RouterHarness` takes.
extension RouterHarness {
    /// The frames of a SUBMIT: the command, then the body.
    ///
    /// - Parameters:
    ///   - id: The message id.
    ///   - type: The message type.
    ///   - recipients: Explicit recipients.
    ///   - correlationId: The correlation id.
    ///   - body: The body frame; nil for none (a malformed SUBMIT).
    ///   - version: The protocol version the command claims.
    /// - Returns: The frames.
    public static func submitFrames(
        id: String, type: String = "demo.Note", to recipients: [String] = [], correlationId: String = "",
        body: [UInt8]? = Array("body".utf8), version: UInt32 = WireProtocol.version
    ) -> [[UInt8]] {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.recipients = recipients
        header.correlationID = correlationId
        var submit = WireSubmit()
        submit.header = header
        var command = WireCommand()
        command.version = version
        command.kind = .submit(submit)
        let frame = (try? command.serializedBytes()) ?? []
        return body.map { [frame, $0] } ?? [frame]
    }

    /// Sends SUBMIT.
    ///
    /// - Parameters:
    ///   - peer: The connection.
    ///   - id: The message id.
    ///   - type: The message type.
    ///   - recipients: Explicit recipients.
    ///   - body: The body.
    public func submit(
        _ peer: HarnessPeer, id: String, type: String = "demo.Note", to recipients: [String] = [], body: [UInt8] = Array("body".utf8)
    ) {
        send(peer, Self.submitFrames(id: id, type: type, to: recipients, body: body))
    }

    /// Sends HELLO.
    ///
    /// - Parameters:
    ///   - peer: The connection.
    ///   - credit: The credit asked for (0: the hub's default).
    ///   - receive: Whether to open a receiving session.
    ///   - ackedSeq: The position the client already processed.
    ///   - batchDeliveries: The most messages the client takes in one DELIVER_BATCH (0: one DELIVER each).
    public func hello(
        _ peer: HarnessPeer, credit: UInt32 = 0, receive: Bool = true, ackedSeq: UInt64 = 0, batchDeliveries: UInt32 = 0
    ) {
        var hello = WireHello()
        hello.credit = credit
        hello.batchDeliveries = batchDeliveries
        hello.receive = receive
        hello.ackedSeq = ackedSeq
        hello.client = "router-harness"
        send(peer, [WireProtocol.frame(.hello(hello))])
    }

    /// Sends ACK.
    ///
    /// - Parameters:
    ///   - peer: The connection.
    ///   - seq: The cumulative position.
    public func ack(_ peer: HarnessPeer, _ seq: UInt64) {
        var ack = WireAck()
        ack.seq = seq
        send(peer, [WireProtocol.frame(.ack(ack))])
    }

    /// Sends PING.
    ///
    /// - Parameters:
    ///   - peer: The connection.
    ///   - nonce: Echoed in the PONG.
    public func ping(_ peer: HarnessPeer, nonce: UInt64 = 1) {
        var ping = WirePing()
        ping.nonce = nonce
        send(peer, [WireProtocol.frame(.ping(ping))])
    }

    /// The frames of a SUBMIT_BATCH (PROTOCOL.md section 16): the command, then the bodies
    /// back to back.
    ///
    /// - Parameters:
    ///   - batch: The batch number.
    ///   - entries: Each entry's header and body.
    ///   - version: The protocol version the command claims.
    /// - Returns: The frames.
    public static func submitBatchFrames(
        batch: UInt64, _ entries: [(header: WireHeader, body: [UInt8])], version: UInt32 = WireProtocol.batchVersion
    ) -> [[UInt8]] {
        var submit = WireSubmitBatch()
        submit.batch = batch
        submit.headers = entries.map(\.header)
        submit.bodySizes = entries.map { UInt32($0.body.count) }
        var command = WireCommand()
        command.version = version
        command.kind = .submitBatch(submit)
        return [(try? command.serializedBytes()) ?? [], entries.flatMap(\.body)]
    }

    /// A header for a batch entry.
    ///
    /// - Parameters:
    ///   - id: The message id.
    ///   - type: The message type.
    ///   - recipients: Explicit recipients.
    /// - Returns: The header.
    public static func header(id: String, type: String = "demo.Note", to recipients: [String] = []) -> WireHeader {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.recipients = recipients
        return header
    }

    /// Sends SUBMIT_BATCH.
    ///
    /// - Parameters:
    ///   - peer: The connection.
    ///   - batch: The batch number.
    ///   - entries: Each entry's header and body.
    public func submitBatch(_ peer: HarnessPeer, batch: UInt64, _ entries: [(header: WireHeader, body: [UInt8])]) {
        send(peer, Self.submitBatchFrames(batch: batch, entries))
    }

    /// Sends REPLAY.
    ///
    /// - Parameters:
    ///   - peer: The connection.
    ///   - request: The replay asked for.
    public func replay(_ peer: HarnessPeer, _ request: WireReplay) {
        send(peer, [WireProtocol.frame(.replay(request))])
    }
}
