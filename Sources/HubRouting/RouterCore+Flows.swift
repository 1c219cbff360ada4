import HubCore
import HubProtocol
import HubStore

/// The hub's flows (PROTOCOL.md section 13) as the router drives them: submissions are
/// admitted against the flows' state, every committed message of a flow type is handed to
/// the `FlowEngine`, and what it emits is journaled under the sender `hub` like any
/// submission, without a reply.
extension RouterCore {
    /// How far behind the wall clock the flows' timers run, so that a message stamped by the
    /// journal before a deadline has always reached the engine before that deadline fires
    /// (the engine's clock never goes back, and a restart replays the same order).
    public static var flowClockLagUs: Int64 { 1_000_000 }

    /// Reads the journal's flow messages into an engine and returns what it still has to
    /// emit: everything it asks for, minus what the journal already holds from `hub`. A
    /// fresh engine reads the whole journal; one restored from a snapshot (``FlowSnapshot``)
    /// reads after the snapshot's seq, owing the snapshot's `owed` emissions as well.
    ///
    /// A damaged record is skipped (reported to `damaged`, never read into the flows); a
    /// damaged page with no seq ends the reading there (reported too): the flows start from
    /// what could be read rather than the hub not starting.
    ///
    /// - Parameters:
    ///   - engine: A fresh or restored engine, brought up to date.
    ///   - store: The journal.
    ///   - start: Read the records after this seq (a restored engine's snapshot seq).
    ///   - initiallyOwed: Emissions owed before reading (a snapshot's `owed`).
    ///   - seal: Opens the personal fields sealed in the journal; nil when none are.
    ///   - damaged: Told of each damaged record or page met.
    /// - Returns: The emissions still owed, to hand to `emit(_:)` once the router runs.
    public static func rebuild(
        _ engine: inout FlowEngine, from store: any JournalStore, after start: UInt64 = 0, owed initiallyOwed: [FlowEmission] = [],
        seal: PersonalDataSeal? = nil, damaged: (StoreError) -> Void = { _ in }
    ) throws -> [FlowEmission] {
        let types = HubConfig.flowTypes.keys.sorted()
        var emitted = Set<String>()
        var owed = initiallyOwed
        var after = start
        var reading = true
        while reading {
            var page: [JournalRecord]
            var skip: UInt64?  // a damaged seq to read on after
            do {
                page = try store.records(types: types, after: after, limit: 2000)
            } catch {
                guard let damage = DamagedReads.damage(in: error) else { throw error }
                damaged(damage)
                let from = after
                page = DamagedReads.readablePrefix(limit: 2000) { try store.records(types: types, after: from, limit: $0) }
                if let seq = damage.seq, seq > (page.last?.seq ?? after) {
                    skip = seq
                } else {
                    reading = false
                }
            }
            if let skip {
                after = skip
            } else if let last = page.last {
                after = last.seq
            } else {
                reading = false
            }
            for stored in page {
                // The flows read bodies as submitted: personal fields opened.
                let record = seal?.opened(stored).record ?? stored
                if record.sender == HubConfig.hubParty {
                    emitted.insert(record.id)
                    continue
                }
                owed += engine.journaled(
                    FlowInput(record))
            }
            // What the journal already holds is owed no more: dropped page by page, so that
            // reading a long journal holds the emissions in flight, not all it ever asked
            // for (bodies included: 50 MB of the hub's memory after reading 100,000 records).
            if !owed.isEmpty && !emitted.isEmpty {
                var matched = Set<String>()
                owed.removeAll { emission in
                    guard emitted.contains(emission.id) else { return false }
                    matched.insert(emission.id)
                    return true
                }
                emitted.subtract(matched)
            }
        }
        owed += engine.tick(nowUs: WallClock.nowMicroseconds() - flowClockLagUs)
        var seen = Set<String>()
        return owed.filter { !emitted.contains($0.id) && seen.insert($0.id).inserted }
    }

    /// Nil if the flows let `party` submit this message.
    func admitFlow(header: WireHeader, body: any RouterBody, party: String) -> HubFailure? {
        guard let flows, FlowEngine.reads(type: header.type) else { return nil }
        return flows.admit(type: header.type, from: party, recipients: header.recipients, body: body.bytes)
    }

    /// A message was journaled: the flows read it if it is one of theirs.
    mutating func flowsRead(_ submit: PendingSubmission, _ outcome: AppendOutcome) {
        guard flows != nil, submit.party != HubConfig.hubParty, FlowEngine.reads(type: submit.header.type) else { return }
        let input = FlowInput(
            seq: outcome.seq, sender: submit.party, id: submit.header.id, type: submit.header.type,
            recipients: outcome.recipients, correlationId: submit.header.correlationID,
            journaledAtUs: outcome.journaledAtUs, body: submit.body.bytes)
        flowReadsSinceSnapshot += 1
        guard let emissions = flows?.journaled(input) else { return }
        emit(emissions)
    }

    /// A record journaled elsewhere, for the flows if they read its type (as
    /// ``flowsRead(_:_:)`` for this hub's own commits).
    mutating func flowsRead(_ record: JournalRecord) {
        guard flows != nil, record.sender != HubConfig.hubParty, FlowEngine.reads(type: record.type) else { return }
        let input = FlowInput(record)
        flowReadsSinceSnapshot += 1
        guard let emissions = flows?.journaled(input) else { return }
        emit(emissions)
    }

    /// The flows' state to save (a cluster's flow leader does, as its flows' settings say and
    /// at least every ``flowSnapshotInterval``, and one hub saving to its own store (``savesFlowSnapshots``) as its flows' settings
    /// say, so that a hub starting later reads only the journal after it), or nil when none
    /// is due. Emissions handed to the journal but not yet seen committed go with it as owed.
    ///
    /// - Parameters:
    ///   - now: The current time.
    /// - Returns: The snapshot, to encode and save off the router's thread.
    public mutating func flowSnapshotDue(now: ContinuousClock.Instant) -> FlowSnapshot? {
        guard leadsFlows, let settings = flows?.flowSettings else { return nil }
        // Every `snapshot_every` flow messages, or after `snapshot_interval_s` when any were
        // read meanwhile.
        let byCount = settings.snapshotEvery > 0 && flowReadsSinceSnapshot >= settings.snapshotEvery
        let byTime =
            settings.snapshotIntervalSeconds > 0 && flowReadsSinceSnapshot > 0
            && now - lastFlowSnapshot >= .seconds(settings.snapshotIntervalSeconds)
        if savesFlowSnapshots {
            guard byCount || byTime else { return nil }
        } else {
            // A cluster's flow leader: as the settings say, and at least every flowSnapshotInterval.
            guard sharedJournal, byCount || byTime || now - lastFlowSnapshot >= Self.flowSnapshotInterval else { return nil }
        }
        lastFlowSnapshot = now
        flowReadsSinceSnapshot = 0
        // Held release notices the journal holds now leave memory (when the engine has
        // somewhere to read them back from: one hub on SQLite, FlowEngine.heldBodies).
        flows?.parkHeldBodies(except: Set(emissionsInFlight.keys))
        return flows?.snapshot(owed: Array(emissionsInFlight.values).sorted { $0.id < $1.id })
    }

    /// How often the flow leader saves the flows' state.
    public static let flowSnapshotInterval: Duration = .seconds(60)

    /// Most emissions a follower keeps waiting for the leader's copies.
    static let followerOwedMax = 10_000

    /// This node takes the flows over (true: it journals what they emit from now on,
    /// beginning with what it holds as a follower) or hands them back (false: it keeps
    /// following). Ignored without flows.
    ///
    /// - Parameters:
    ///   - leads: Whether this node now holds the flows' lease.
    public mutating func flowLeadership(_ leads: Bool) {
        guard flows != nil, leads != leadsFlows else { return }
        leadsFlows = leads
        logger.notice(leads ? "running the flows" : "following the flows", metadata: ["owed_emissions": "\(followerOwed.count)"])
        if leads {
            let owed = followerOwed
            followerOwed = []
            emit(owed)
        }
    }

    /// A message the flows' leader journaled: a follower no longer owes it.
    mutating func leaderJournaled(id: String) {
        guard !followerOwed.isEmpty, let index = followerOwed.firstIndex(where: { $0.id == id }) else { return }
        followerOwed.remove(at: index)
    }

    /// Timers of the flows (deadlines, schedules), at most every 100 ms.
    mutating func flowsTick(now: ContinuousClock.Instant, into actions: inout [RouterAction]) {
        guard flows != nil, now - lastFlowTick >= .milliseconds(100) else { return }
        lastFlowTick = now
        guard let emissions = flows?.tick(nowUs: WallClock.nowMicroseconds() - Self.flowClockLagUs) else { return }
        emit(emissions)
    }

    /// Queues the flows' messages for the journal (with this turn's submissions), as
    /// submissions of `hub` that nobody waits to be answered.
    ///
    /// - Parameters:
    ///   - emissions: What the flows emitted.
    public mutating func emit(_ emissions: [FlowEmission]) {
        guard !emissions.isEmpty else { return }
        guard leadsFlows else {
            followerOwed += emissions
            if followerOwed.count > Self.followerOwedMax { followerOwed.removeFirst(followerOwed.count - Self.followerOwedMax) }
            return
        }
        let now = WallClock.nowMicroseconds()
        // One info line per flow decision (what one message or timer made the flows emit:
        // shares, forwards, feedback, release notices, answers), so their number follows the
        // filings, not the message traffic; one debug line per emitted message.
        logger.info(
            "flow emitted",
            metadata: [
                "count": "\(emissions.count)", "types": "\(Set(emissions.map(\.type)).sorted().joined(separator: ","))",
                "message_id": "\(emissions[0].id)", "correlation_id": "\(emissions[0].correlationId)",
            ])
        for emission in emissions {
            logger.debug(
                "flow message",
                metadata: [
                    "message_id": "\(emission.id)", "type": "\(emission.type)", "correlation_id": "\(emission.correlationId)",
                    "recipients": "\(emission.recipients.joined(separator: ","))",
                ])
            var header = WireHeader()
            header.id = emission.id
            header.type = emission.type
            header.sender = HubConfig.hubParty
            header.recipients = emission.recipients
            header.correlationID = emission.correlationId
            header.createdAtUs = now
            if sharedJournal || savesFlowSnapshots { emissionsInFlight[emission.id] = emission }
            hold(
                PendingSubmission(
                    routingId: [], party: HubConfig.hubParty, header: header, recipients: emission.recipients, body: emission.body))
        }
    }
}
