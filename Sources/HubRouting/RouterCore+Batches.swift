import HubCore
import HubProtocol
import HubStore

/// SUBMIT_BATCH (PROTOCOL.md section 16): the batch is read as a whole, each entry is
/// checked as a SUBMIT, the accepted ones go to the journal together (the writer commits
/// them in one transaction) and one ACCEPTED_BATCH answers them all.
extension RouterCore {
    /// A SUBMIT_BATCH with its bodies frame.
    mutating func handleSubmitBatch(
        _ batch: WireSubmitBatch, bodies: any RouterBody, routingId: [UInt8], party: String, into actions: inout [RouterAction]
    ) {
        let count = batch.headers.count
        guard count >= 1, count <= WireProtocol.maxBatchEntries else {
            let reason = "a SUBMIT_BATCH carries 1 to \(WireProtocol.maxBatchEntries) entries, this one \(count)"
            return refuseBatch(routingId, batch.batch, .badBatch, reason, into: &actions)
        }
        guard batch.bodySizes.count == count else {
            let reason = "a SUBMIT_BATCH has one body size per header: \(count) headers, \(batch.bodySizes.count) sizes"
            return refuseBatch(routingId, batch.batch, .badBatch, reason, into: &actions)
        }
        let total = batch.bodySizes.reduce(0) { $0 + Int($1) }
        guard total == bodies.count else {
            let reason = "the body sizes add up to \(total) bytes, the bodies frame has \(bodies.count)"
            return refuseBatch(routingId, batch.batch, .badBatch, reason, into: &actions)
        }
        let limit = WireProtocol.maxBatchBytes(maxBodyBytes: settings.maxBodyBytes)
        guard total <= limit else {
            let reason = "the bodies frame has \(total) bytes; at most \(limit) are allowed (Welcome.max_batch_bytes)"
            return refuseBatch(routingId, batch.batch, .bodyTooLarge, reason, into: &actions)
        }
        let token = nextBatchToken
        nextBatchToken &+= 1
        var open = OpenBatch(routingId: routingId, number: batch.batch, results: [])
        open.results.reserveCapacity(count)
        let shared = BatchBodies(bodies)
        var start = 0
        var held = 0
        for (index, header) in batch.headers.enumerated() {
            let body = BatchBody(bodies: shared, start: start, count: Int(batch.bodySizes[index]))
            start += body.count
            var result = WireBatchResult()
            switch admit(header, body: body, party: party) {
            case .refused(let failure):
                result.error = failure
            case .accepted(let recipients):
                hold(
                    PendingSubmission(
                        routingId: routingId, party: party, header: header, recipients: recipients, body: body,
                        batch: BatchSlot(token: token, index: index)))
                held += 1
            }
            open.results.append(result)
        }
        guard held > 0 else {
            reply(routingId, open.answer, into: &actions)
            return
        }
        // The writer takes a batch's entries up to the last one together: one transaction.
        toJournal[toJournal.count - 1].batch?.last = true
        open.waiting = held
        batches[token] = open
    }

    /// Refuses a SUBMIT_BATCH as a whole: one ERROR naming its number.
    func refuseBatch(
        _ routingId: [UInt8], _ number: UInt64, _ code: HubErrorCode, _ reason: String, into actions: inout [RouterAction]
    ) {
        logger.debug("batch refused", metadata: ["batch": "\(number)", "code": "\(code)"])
        var error = WireProtocol.errorMessage(code, reason: reason)
        error.batch = number
        reply(routingId, .error(error), into: &actions)
    }

    /// Answers one submission the journal has dealt with: an ACCEPTED or ERROR of its own,
    /// or its entry of a SUBMIT_BATCH, whose ACCEPTED_BATCH goes out with its last entry.
    mutating func answer(_ submit: PendingSubmission, _ result: WireBatchResult.OneOf_Result, into actions: inout [RouterAction]) {
        guard let slot = submit.batch else {
            switch result {
            case .accepted(let accepted): reply(submit.routingId, .accepted(accepted), into: &actions)
            case .error(let error): reply(submit.routingId, .error(error), into: &actions)
            }
            return
        }
        guard var open = batches.removeValue(forKey: slot.token) else { return }
        open.results[slot.index].result = result
        open.waiting -= 1
        if open.waiting > 0 {
            batches[slot.token] = open
        } else {
            reply(open.routingId, open.answer, into: &actions)
        }
    }
}
