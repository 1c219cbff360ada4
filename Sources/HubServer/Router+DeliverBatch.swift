import HubCore
import HubProtocol
import HubRouting
import ZeroMQ

/// DELIVER_BATCH (PROTOCOL.md section 16): a session that asked for batches gets its sends
/// as frame sets of up to `DeliveryWork.batchEntries` messages, their bodies back to back
/// in one frame. Two frames per batch instead of two per message: CURVE's cost is per frame.
extension Router {
    /// The sends gathered for one DELIVER_BATCH.
    struct PendingBatch {
        var frame = DeliverBatchFrame()
        var seqs: [UInt64] = []
        var types: [String] = []
        var bodies: [UInt8] = []

        var isEmpty: Bool { seqs.isEmpty }

        mutating func reset() {
            frame.removeAll()
            seqs.removeAll(keepingCapacity: true)
            types.removeAll(keepingCapacity: true)
            bodies.removeAll(keepingCapacity: true)
        }
    }

    /// The body view of the last type a work's sends had: one work has one observer and
    /// stream, and its messages mostly one type, so the policy is looked up once per run.
    struct ViewOfType {
        private var type: String?
        private var last: ObserverPolicy.BodyView = .whole

        mutating func view(of type: String, _ lookUp: (String) -> ObserverPolicy.BodyView) -> ObserverPolicy.BodyView {
            if type != self.type {
                last = lookUp(type)
                self.type = type
            }
            return last
        }
    }

    /// Performs a session's steps with batched sends; fills `report` as the single-send path does.
    func performBatched(_ delivery: DeliveryWork, _ report: inout DeliveryReport) {
        var pending = PendingBatch()
        var views = ViewOfType()
        let limit = WireProtocol.maxBatchBytes(maxBodyBytes: settings.maxBodyBytes)
        for step in delivery.steps {
            switch step {
            case .fetch(let after, let limit):
                guard flushBatch(&pending, delivery, &report) else { return }
                let request = JournalReader.Request(
                    session: delivery.session, party: delivery.stream, after: after, limit: limit, types: delivery.types)
                (delivery.kind == .replay ? replayReader : reader).enqueue(request)
            case .send(let seq, let payload):
                append(payload, seq: seq, to: &pending, delivery, views: &views)
                if pending.seqs.count >= delivery.batchEntries || pending.bodies.count >= limit {
                    guard flushBatch(&pending, delivery, &report) else { return }
                }
            }
        }
        _ = flushBatch(&pending, delivery, &report)
    }

    /// Adds one message to the batch: its delivery header addressed to the session's party
    /// alone, and its body as the session's observer may see it (an empty body, logged, if
    /// redaction ever failed). The header is written straight into the frame's bytes
    /// (`DeliverBatchFrame`), not copied per recipient; for a live message to several
    /// recipients, from the bytes written once for all of them (`LiveMessage.sharedHeader`).
    private func append(
        _ payload: Outgoing, seq: UInt64, to pending: inout PendingBatch, _ delivery: DeliveryWork, views: inout ViewOfType
    ) {
        // The live message's header is read in place, never copied: a copy retains and
        // releases each of its strings, per recipient of each message.
        let type = payload.type
        let view = views.view(of: type) { observers.view(observer: delivery.observer, stream: delivery.stream, type: $0) }
        let before = pending.bodies.count
        do {
            try withBody(payload) { bytes in
                if case .whole = view {
                    pending.bodies.append(contentsOf: bytes)
                } else {
                    pending.bodies.append(contentsOf: try view.apply(to: bytes))
                }
            }
        } catch {
            pending.bodies.removeSubrange(before...)
            logger.error(
                "redaction failed; delivering an empty body",
                metadata: ["seq": "\(seq)", "party": "\(delivery.stream)", "observer": "\(delivery.observer)", "error": "\(error)"])
        }
        let bodySize = UInt32(pending.bodies.count - before)
        switch payload {
        case .live(let message):
            if let shared = message.sharedHeader {
                pending.frame.append(shared, recipient: delivery.stream, bodySize: bodySize)
            } else {
                pending.frame.append(message.header, recipient: delivery.stream, bodySize: bodySize)
            }
        case .stored(let record):
            pending.frame.append(record.deliveryHeader, recipient: delivery.stream, bodySize: bodySize)
        }
        pending.seqs.append(seq)
        if delivery.kind == .receiving { pending.types.append(type) }
    }

    private func withBody<R>(_ payload: Outgoing, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch payload {
        case .live(let message): try message.body.withUnsafeBytes(body)
        case .stored(let record): try record.body.withUnsafeBytes(body)
        }
    }

    /// Sends the gathered batch; false (with the failure in `report`) when the peer's queue
    /// is full or the peer is gone, so the work stops there.
    private func flushBatch(_ pending: inout PendingBatch, _ delivery: DeliveryWork, _ report: inout DeliveryReport) -> Bool {
        guard !pending.isEmpty else { return true }
        defer { pending.reset() }
        do {
            guard try socket.send(bytes: delivery.connection, more: true, dontWait: true) else {
                report.failure = (pending.seqs[0], .peerFull)
                return false
            }
            _ = try socket.send(bytes: pending.frame.bytes, more: true, dontWait: true)
            _ = try socket.send(bytes: pending.bodies, dontWait: true)
        } catch let error as ZMQError where error.isHostUnreachable {
            report.failure = (pending.seqs[0], .peerGone)
            return false
        } catch {
            logger.warning(
                "delivery failed", metadata: ["party": "\(delivery.stream)", "session": "\(delivery.session)", "error": "\(error)"])
            report.failure = (pending.seqs[0], .peerFull)
            return false
        }
        report.sent += pending.seqs.count
        report.lastSent = pending.seqs.last
        // Counted by runs of one type (a batch usually holds one or two).
        var run = (type: "", count: 0)
        for type in pending.types {
            if type != run.type && run.count > 0 {
                monitoring.delivered(type: run.type, party: delivery.stream, count: run.count)
                run.count = 0
            }
            run = (type, run.count + 1)
        }
        if run.count > 0 { monitoring.delivered(type: run.type, party: delivery.stream, count: run.count) }
        return true
    }
}
