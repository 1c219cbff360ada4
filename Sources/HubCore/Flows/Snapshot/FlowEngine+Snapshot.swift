import HubProtocol

/// The engine's state as a value, and an engine from it: a hub taking over the flows
/// loads the last snapshot and reads only the journal after its seq.
extension FlowEngine {
    /// Everything of the engine that influences what it emits or admits later; not its
    /// config, policy or settings, which come with the engine it is restored into.
    struct State: Codable, Sendable {
        var nowUs: Int64
        var registrations: [FlowKey: RegistrationFlow]
        var registrationIndex: [String: FlowKey]
        var partyRegistration: [String: FlowKey]
        var partyCreditCode: [String: String]
        var customsCodes: [String: String]
        /// Sorted, as every set here: the same state, the same bytes.
        var registered: [String]
        var finishedRegistrations: [FlowKey: FinishedRegistration]
        var nextRegistrationDeadline: Int64
        var linker: DeclarationLinker
        var declarations: [FlowKey: DeclarationFlow]
        var receipts: ReceiptMatcher<FlowKey>
        var released: [SummaryAggregator.Released]
        var releasedPayers: [String: String]
        var summarized: [String]
        var summaryCount: Int
        var summaryPayers: [String: [String]]
        var summaryBySumNo: [String: String]
        var lastScheduledDay: String
        var held: [HeldRecord]
        var heldRecent: AgingQueue<HeldRecord>
        /// By type, sorted (absent in a snapshot of an older build, whose held records know
        /// all their fields).
        var queriedFields: [String: [String]]?
        var credit: CreditRegistry
        var pendingQueries: [String: PendingQuery]
        var nextQueryDeadline: Int64
        var tally: FlowTally
        var finishedBriefs: [FlowKey: FlowBrief]
        var traces: AgingQueue<Trace>
        /// Declarations waiting for documents (absent in a snapshot of an older build,
        /// whose waiting inventories get their deadline when a document of theirs next
        /// arrives).
        var waitingDeclarations: [FlowKey: WaitingDeclaration]?
        /// Who is told about summaries (absent in a snapshot of an older build).
        var releasedFilers: [String: String]?
        var summaryFilers: [String: [String]]?
        /// Orders, payments and waybills no inventory named yet (absent in a snapshot of an
        /// older build, whose such documents wait without a deadline).
        var unlinkedDocuments: [FlowKey: UnlinkedDocument]?
        /// Arrivals, departures, waybill statuses and released parcels (absent in a
        /// snapshot of an older build, which knew none).
        var parcels: ParcelLedger?
        /// The risk rules' memory and the hits' dispositions (absent in a snapshot of an
        /// older build).
        var risk: RiskRules?
        var riskLedger: RiskLedger?
        /// Released inventories, cancellations and returns waiting for customs (absent in a
        /// snapshot of an older build).
        var afterRelease: AfterReleaseBook?
    }

    /// The engine's state now, with `seq` (the last journal seq it read) and what the
    /// caller still owes the journal of the engine's emissions (see
    /// ``FlowSnapshot/owed``).
    ///
    /// - Parameter owed: Emissions the engine asked for that the caller has not yet seen
    ///   journaled; a hub that takes the snapshot between journal turns has none.
    /// - Returns: A value to encode and keep.
    public func snapshot(owed: [FlowEmission] = []) -> FlowSnapshot {
        FlowSnapshot(
            seq: seq,
            state: State(
                nowUs: nowUs, registrations: registrations, registrationIndex: registrationIndex,
                partyRegistration: partyRegistration, partyCreditCode: partyCreditCode, customsCodes: customsCodes,
                registered: registered.sorted(), finishedRegistrations: finishedRegistrations,
                nextRegistrationDeadline: nextRegistrationDeadline, linker: linker,
                declarations: declarations, receipts: receipts, released: released, releasedPayers: releasedPayers,
                summarized: summarized.sorted(), summaryCount: summaryCount, summaryPayers: summaryPayers,
                summaryBySumNo: summaryBySumNo, lastScheduledDay: lastScheduledDay, held: held, heldRecent: heldRecent,
                queriedFields: queriedFields.isEmpty
                    ? nil : Dictionary(uniqueKeysWithValues: queriedFields.map { ($0.key.rawValue, $0.value.sorted()) }),
                credit: credit,
                pendingQueries: pendingQueries, nextQueryDeadline: nextQueryDeadline, tally: tally,
                finishedBriefs: finishedBriefs, traces: traces, waitingDeclarations: waitingDeclarations,
                releasedFilers: releasedFilers, summaryFilers: summaryFilers,
                unlinkedDocuments: unlinkedDocuments.isEmpty ? nil : unlinkedDocuments, parcels: parcels, risk: risk,
                riskLedger: riskLedger, afterRelease: afterRelease),
            owed: owed)
    }

    /// The engine of `snapshot` under `config` and `policy`: it goes on as the engine the
    /// snapshot was taken of would, given the journal after ``FlowSnapshot/seq``.
    ///
    /// The snapshot names parties, the config does not travel with it. Under a config
    /// with other parties the state is restored all the same: flows in progress keep the
    /// departments, customs party and filers they started with (their feedback names
    /// them, their deadlines run), held records keep who may see them, and pending
    /// queries wait for the departments they were relayed to; new filings, release notice
    /// and summary result recipients (by role), summaries (the first customs party),
    /// admission (roles) and answers (the policy's redaction) follow the new config. A
    /// full rebuild from the journal would instead start the old flows with the new
    /// config's departments: after a change of parties, rebuild rather than restore if
    /// that matters.
    ///
    /// - Parameters:
    ///   - config: The hub's config, whose `flows` must be set.
    ///   - policy: The sharing policy.
    ///   - snapshot: A snapshot of an engine (decoded with ``FlowSnapshot/init(decoding:)``).
    public init(config: HubConfig, policy: RedactionPolicy, snapshot: FlowSnapshot) {
        self.init(config: config, policy: policy)
        let state = snapshot.state
        nowUs = state.nowUs
        seq = snapshot.seq
        registrations = state.registrations
        registrationIndex = state.registrationIndex
        partyRegistration = state.partyRegistration
        partyCreditCode = state.partyCreditCode
        customsCodes = state.customsCodes
        registered = Set(state.registered)
        finishedRegistrations = state.finishedRegistrations
        nextRegistrationDeadline = state.nextRegistrationDeadline
        linker = state.linker
        declarations = state.declarations
        receipts = state.receipts
        released = state.released
        releasedPayers = state.releasedPayers
        summarized = Set(state.summarized)
        summaryCount = state.summaryCount
        summaryPayers = state.summaryPayers
        summaryBySumNo = state.summaryBySumNo
        lastScheduledDay = state.lastScheduledDay
        held = state.held
        heldRecent = state.heldRecent
        shareRecipientLists()
        queriedFields = Dictionary(uniqueKeysWithValues: (state.queriedFields ?? [:]).map { (MessageType($0.key), Set($0.value)) })
        credit = state.credit
        pendingQueries = state.pendingQueries
        nextQueryDeadline = state.nextQueryDeadline
        tally = state.tally
        finishedBriefs = state.finishedBriefs
        traces = state.traces
        waitingDeclarations = state.waitingDeclarations ?? [:]
        releasedFilers = state.releasedFilers ?? [:]
        summaryFilers = state.summaryFilers ?? [:]
        parcels = state.parcels ?? ParcelLedger()
        promoteWaitingCandidates()  // restored under a config with flows.summary.require_departure off
        risk = state.risk ?? RiskRules()
        riskLedger = state.riskLedger ?? RiskLedger()
        afterRelease = state.afterRelease ?? AfterReleaseBook()
        nextLinkDeadline = waitingDeclarations.values.map(\.deadlineUs).min() ?? .max
        unlinkedDocuments = state.unlinkedDocuments ?? [:]
        nextUnlinkedDeadline = unlinkedDocuments.values.map(\.deadlineUs).min() ?? .max
    }
}

extension FlowEngine {
    /// An engine of this one's config and policy restored from `snapshot` (see
    /// ``init(config:policy:snapshot:)``).
    ///
    /// The restored engine reads parked records' bodies from where this one does
    /// (``heldBodies``).
    public func restored(from snapshot: FlowSnapshot) -> FlowEngine {
        var engine = FlowEngine(config: config, policy: policy, snapshot: snapshot)
        engine.bodySource = bodySource
        return engine
    }
}
