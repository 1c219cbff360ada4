import HubProtocol

/// Where the engine reads back the bodies of held records it no longer keeps in memory:
/// the journal, which holds every message the engine held a record of. HubCore reads no
/// journal itself; the hub gives the engine one of these (``FlowEngine/heldBodies``).
public protocol HeldBodySource: Sendable {
    /// The body of the journaled message `id` of `sender`, nil when the journal does not
    /// have it (any more) or cannot read it.
    func body(sender: String, id: String) -> [UInt8]?
}

/// Release notices the hub answers queries about leave memory once the journal holds
/// them (issue 20: a hub's memory after a restart within 2× of a fresh hub's). A day of
/// them (`flows.keep_finished_hours`) at 335,000 messages a day is 19,000 notices with their
/// item lines; what stays of each is who may see it, the message's id in the journal and
/// the fields queries asked about (``HeldRecord/knownFields``). A query reads back the
/// bodies it needs: to work out a field no query named before, and to answer with the
/// records it matched. The state is the same either way, only where the bytes are kept
/// differs: what the engine emits does not change.
extension FlowEngine {
    /// A held record's message in the journal.
    struct HeldRef: Sendable, Codable, Equatable {
        var sender: String
        var id: String
    }

    /// Where the bodies of parked records are read from; nil (the default) keeps every
    /// body in memory and parks none. Not state: an engine restored from a snapshot with
    /// parked records needs one to answer queries about them.
    public var heldBodies: (any HeldBodySource)? {
        get { bodySource }
        set { bodySource = newValue }
    }

    /// Lets go of the bodies of the held release notices the journal holds: every one but
    /// those in `inFlight` (ids of emissions handed to the journal and not yet seen
    /// committed). Does nothing without ``heldBodies``.
    ///
    /// - Parameter inFlight: Emission ids the journal may not hold yet.
    /// - Returns: How many records were parked now.
    @discardableResult
    public mutating func parkHeldBodies(except inFlight: Set<String> = []) -> Int {
        guard bodySource != nil else { return 0 }
        var parked = 0
        heldRecent.updateEach { record in
            guard !record.parked, let ref = record.ref, !inFlight.contains(ref.id) else { return }
            record.body = []
            record.parked = true
            parked += 1
        }
        return parked
    }

    /// Gives back the room the collections of finished flows grew into beyond what they
    /// hold (arrays double their room as they grow): for a hub once it has started, when
    /// the state read from a snapshot and the journal after it has settled.
    public mutating func releaseSlack() {
        heldRecent.shrinkToFit()
        traces.shrinkToFit()
        var kept: [SummaryAggregator.Released] = []
        kept.reserveCapacity(released.count)
        kept.append(contentsOf: released)
        released = kept
    }

    /// `list`, as the array already kept for an equal one: a day of release notices goes to
    /// a handful of lists of recipients, not 19,000.
    mutating func sharedList(_ list: [String]) -> [String] {
        if let shared = recipientLists[list] { return shared }
        recipientLists[list] = list
        return list
    }

    /// The held records read from a snapshot share their lists of recipients (``sharedList(_:)``).
    mutating func shareRecipientLists() {
        var lists = recipientLists
        heldRecent.updateEach { record in
            if let shared = lists[record.recipients] {
                record.recipients = shared
            } else {
                lists[record.recipients] = record.recipients
            }
        }
        recipientLists = lists
    }

    /// A held record's body: kept, or read back from the journal through `source` (nil
    /// when it cannot be).
    static func body(of record: HeldRecord, from source: (any HeldBodySource)?) -> [UInt8]? {
        guard record.parked else { return record.body }
        guard let ref = record.ref else { return nil }
        return source?.body(sender: ref.sender, id: ref.id)
    }

    /// How many held records keep their body in memory and how many are parked.
    public var heldBodyCounts: (kept: Int, parked: Int) {
        let parked = heldRecent.elements.filter(\.parked).count
        return (held.count + heldRecent.count - parked, parked)
    }
}
