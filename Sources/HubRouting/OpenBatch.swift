import HubProtocol

/// A SUBMIT_BATCH the router has not answered yet: each entry's result so far, and how many
/// accepted entries still wait for the journal. Answered with one ACCEPTED_BATCH once none
/// waits (PROTOCOL.md section 16).
struct OpenBatch: Sendable {
    /// The submitter's connection.
    let routingId: [UInt8]
    /// The client's batch number.
    let number: UInt64
    /// One result per entry, in entry order; those of waiting entries are filled on commit.
    var results: [WireBatchResult]
    /// Accepted entries still waiting for the journal.
    var waiting = 0

    /// The ACCEPTED_BATCH answering it.
    var answer: WireCommand.OneOf_Kind {
        var accepted = WireAcceptedBatch()
        accepted.batch = number
        accepted.results = results
        return .acceptedBatch(accepted)
    }
}
