import HubProtocol
import Logging
import SwiftProtobuf
import Synchronization
import ZeroMQ

extension ClientConnection {
    /// One frame set from the hub.
    func handle(_ frames: [ZMQMessage]) {
        guard let first = frames.first, let command = try? WireCommand(serializedBytes: first.bytes) else {
            logger.warning("undecodable frame from the hub ignored")
            return
        }
        switch command.kind {
        case .accepted(let accepted):
            complete(id: accepted.id, with: .success(SubmitReceipt(accepted)))
        case .acceptedBatch(let batch):
            ioBatches[batch.batch] = nil
            for result in batch.results {
                switch result.result {
                case .accepted(let accepted):
                    complete(id: accepted.id, with: .success(SubmitReceipt(accepted)))
                case .error(let error):
                    complete(id: error.id, with: .failure(HubClientError(wire: error)))
                case nil:
                    break
                }
            }
        case .error(let error) where error.batch != 0:
            // A SUBMIT_BATCH refused as a whole: each of its submissions gets the error.
            for id in ioBatches.removeValue(forKey: error.batch) ?? [] {
                complete(id: id, with: .failure(HubClientError(wire: error)))
            }
        case .error(let error) where error.code == HubErrorCode.keyRevoked.rawValue:
            if !error.id.isEmpty { complete(id: error.id, with: .failure(HubClientError(wire: error))) }
            keyRevoked(error)
        case .error(let error):
            if error.id.isEmpty {
                let refusedHello = error.code == HubErrorCode.badAck.rawValue || error.code == HubErrorCode.badReplay.rawValue
                if refusedHello && shared.withLock({ $0.welcome == nil }) {
                    // The hub refused the HELLO (an acknowledged seq it never delivered: it
                    // may have lost records): waiting for a WELCOME would only time out.
                    logger.error(
                        "the hub refused this client's HELLO", metadata: ["code": "\(error.code)", "reason": "\(error.reason)"])
                    fail(HubClientError(wire: error), closing: false)
                    return
                }
                logger.warning("hub error", metadata: ["code": "\(error.code)", "name": "\(error.name)", "reason": "\(error.reason)"])
                if error.code == HubErrorCode.noSession.rawValue { reopenSession() }
            } else {
                complete(id: error.id, with: .failure(HubClientError(wire: error)))
            }
        case .welcome(let welcome):
            if let party = configuration.party, party != welcome.party {
                // One identity: the key decides who this client is; a config naming another
                // party is a mistake to stop at, before anything is submitted.
                let reason = "the hub knows this client's key as '\(welcome.party)', but the configuration says party: \(party)"
                logger.error("\(reason)")
                failConfiguration(HubClientError(.configuration, reason))
                return
            }
            shared.withLock { state in
                state.welcome = welcome
                if state.failure?.code == .authenticationFailed { state.failure = nil }
            }
            logger.debug("welcome", metadata: ["party": "\(welcome.party)", "acked_seq": "\(welcome.ackedSeq)"])
        case .deliver(let deliver):
            guard frames.count == 2 else {
                logger.warning("DELIVER without exactly one body frame ignored")
                return
            }
            let seq = deliver.header.seq
            // After a reconnect the hub resends from our last ack: pass each seq on once.
            guard seq > ioDelivered else { return }
            ioDelivered = seq
            deliveries.yield(Delivery(header: deliver.header, body: frames[1].bytes))
        case .deliverBatch(let batch):
            guard frames.count == 2, let unpacked = Delivery.unpack(batch, bodies: frames[1].bytes) else {
                logger.warning("DELIVER_BATCH whose body sizes do not match its bodies frame ignored")
                return
            }
            for delivery in unpacked where delivery.seq > ioDelivered {
                ioDelivered = delivery.seq
                deliveries.yield(delivery)
            }
        case .pong(let pong):
            // Our session expired or was replaced while the connection stayed up.
            if !pong.receiving && shared.withLock({ $0.welcome != nil }) { reopenSession() }
        case .replayStatus:
            break  // this connection never asks for a replay
        case .none, .hello, .submit, .ack, .ping, .replay, .submitBatch:
            break
        }
    }

    private func complete(id: String, with result: Result<SubmitReceipt, HubClientError>) {
        guard let pending = shared.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.complete(result)
    }
}
