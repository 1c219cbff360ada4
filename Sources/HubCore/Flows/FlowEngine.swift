import Foundation
import HubProtocol
import SwiftProtobuf

/// The single window's business flows (PROTOCOL.md section 13) as one value owned by the
/// hub's router thread: journaled messages and the passing of time in, messages to emit
/// out. No sockets, no disk.
///
/// Its state is a function of the journaled messages it was given, in journal order, and
/// its clock is the journal's (`journaledAtUs`, never going back), so feeding it the
/// journal again after a restart rebuilds the same state and asks for the same emissions,
/// with the same ids, which the journal deduplicates. `admit` answers, from the same
/// state, whether a new submission may enter the journal at all. Its state can be kept as
/// a ``FlowSnapshot``: an engine restored from one (``init(config:policy:snapshot:)``)
/// and given the journal after the snapshot's seq emits what this one would.
public struct FlowEngine: Sendable {
    // What the configuration says; a reload replaces it (`reconfigure`, FlowEngine+Reload.swift).
    var config: HubConfig
    var settings: HubConfig.Flows
    var policy: RedactionPolicy
    /// Departments by role, in config order.
    var customsParties: [String]
    var departments: [String]
    /// Where parked held records' bodies are read back from (``heldBodies``).
    var bodySource: (any HeldBodySource)?
    /// The held records' lists of recipients, one array per distinct list (``sharedList(_:)``).
    var recipientLists: [[String]: [String]] = [:]

    // Every stored var from here to `tally` is state a snapshot must carry: a new one goes
    // into `FlowEngine.State` (FlowEngine+Snapshot.swift) too.

    /// The flows' clock: the latest journal time seen, µs since the epoch.
    public internal(set) var nowUs: Int64 = 0
    /// The highest journal seq of the messages it was given (0 before any): a snapshot's
    /// engine has read the journal up to there.
    public internal(set) var seq: UInt64 = 0

    // Registration
    var registrations: [FlowKey: RegistrationFlow] = [:]
    var registrationIndex: [String: FlowKey] = [:]  // share id, filing id, social credit code → flow
    var partyRegistration: [String: FlowKey] = [:]  // filer → latest registration
    var partyCreditCode: [String: String] = [:]  // filer → social credit code
    var customsCodes: [String: String] = [:]  // customs code → social credit code
    var registered: Set<String> = []  // parties whose registration customs accepted
    var finishedRegistrations: [FlowKey: FinishedRegistration] = [:]  // left memory (FlowEngine+Finished.swift)
    var nextRegistrationDeadline: Int64 = .max

    // Declarations
    var linker = DeclarationLinker()
    var declarations: [FlowKey: DeclarationFlow] = [:]
    var receipts = ReceiptMatcher<FlowKey>()  // which declaration a customs receipt belongs to
    var waitingDeclarations: [FlowKey: WaitingDeclaration] = [:]  // inventories waiting for documents (FlowEngine+Waiting.swift)
    var nextLinkDeadline: Int64 = .max  // no later than the earliest waiting deadline
    var unlinkedDocuments: [FlowKey: UnlinkedDocument] = [:]  // orders, payments, waybills no inventory named (FlowEngine+Unlinked.swift)
    var nextUnlinkedDeadline: Int64 = .max  // no later than the earliest of theirs

    // Release, summaries, shared records for queries
    var released: [SummaryAggregator.Released] = []
    var releasedPayers: [String: String] = [:]  // invt_no → payment filer
    var releasedFilers: [String: String] = [:]  // invt_no → inventory filer (told about its summary)
    var summaryFilers: [String: [String]] = [:]  // summary id → the parties told about it (FlowEngine+SummaryFeedback.swift)
    var summarized: Set<String> = []  // invt_no already in a summary
    var summaryCount = 0
    var summaryPayers: [String: [String]] = [:]  // summary id → payment filers of its inventories
    var summaryBySumNo: [String: String] = [:]  // customs' sum_no (from its 702 receipt) → summary id
    var lastScheduledDay = ""
    var parcels = ParcelLedger()  // arrivals, departures, waybill statuses, released parcels (FlowEngine+Parcels.swift)
    var held: [HeldRecord] = []  // registrations and credit notices, for good
    var heldRecent = AgingQueue<HeldRecord>()  // release notices and summary results, for flows.keep_finished_hours
    /// The field names queries asked about so far, by the held type asked about: a held
    /// record keeps the values of these (``HeldRecord/knownFields``), not all of its fields.
    var queriedFields: [MessageType: Set<String>] = [:]

    // Interchange and credit
    var credit = CreditRegistry()
    var pendingQueries: [String: PendingQuery] = [:]  // "asker|query id" → query
    var nextQueryDeadline: Int64 = .max

    // Risk control (FlowEngine+Risk.swift)
    var risk = RiskRules()
    var riskLedger = RiskLedger()
    /// Released inventories by invt_no, and cancellations and returns waiting for customs
    /// (FlowEngine+AfterRelease.swift).
    var afterRelease = AfterReleaseBook()

    /// Feedback numbers, states by subject, counts by state, recently started subjects.
    public internal(set) var tally = FlowTally()
    /// The last brief of finished flows still among the recently started ones.
    var finishedBriefs: [FlowKey: FlowBrief] = [:]
    /// What finished flows leave behind for a while, oldest first.
    var traces = AgingQueue<Trace>()

    /// A record the hub holds for answering queries, with who may see it and the values
    /// of the fields queries ask about (by proto field name), worked out by the first query
    /// that names a field of its type (``workOutFields(_:)``), so that later queries compare
    /// strings instead of decoding every record. Not when it is kept: every registration
    /// and release is kept, few are ever asked about, and working the fields out cost a
    /// tenth of the router's time in the flow benchmarks. Only the fields asked about: all
    /// of a release notice's would take more memory than its body.
    struct HeldRecord: Sendable {
        var type: MessageType
        /// The message's body; empty once parked (``FlowEngine/parkHeldBodies(except:)``).
        var body: [UInt8]
        var recipients: [String]
        /// The values of the fields worked out (nil before), by name; a field the record
        /// leaves empty is absent.
        var knownFields: KnownFields?
        /// The message in the journal, when the body can be read back from there.
        var ref: HeldRef?
        /// Whether the body left memory for the journal (``FlowEngine/heldBodies``).
        var parked = false

        init(type: MessageType, body: [UInt8], recipients: [String], ref: HeldRef? = nil) {
            self.type = type
            self.body = body
            self.recipients = recipients
            self.ref = ref
        }

        /// Works the values of the fields `names` out of `body` (the record's, read back
        /// when parked) and keeps them (those of other names go).
        mutating func workOutFields(_ names: Set<String>, body: [UInt8]) {
            guard knownFields == nil else { return }
            knownFields = KnownFields(FlowEngine.fields(type: type, body: body).filter { names.contains($0.key) })
        }
    }

    struct PendingQuery: Sendable, Codable {
        var asker: String
        var id: String
        var relayedTo: [String]
        var deadlineUs: Int64
    }

    /// The engine for `config`, whose `flows` must be set.
    public init(config: HubConfig, policy: RedactionPolicy) {
        self.config = config
        settings = config.flows ?? HubConfig.Flows()
        self.policy = policy
        customsParties = config.parties(withRole: .customs).map(\.id)
        departments = config.parties.filter { $0.roles.contains { $0.isDepartment } }.map(\.id)
    }

    /// The flows' settings (deadlines, schedule, snapshots, how long finished flows leave traces).
    public var flowSettings: HubConfig.Flows { settings }

    /// Whether `type` is one the flows read.
    public static func reads(type: String) -> Bool { HubConfig.flowTypes[type] != nil }

    /// A message was journaled (live, or read back while rebuilding after a restart).
    /// Returns what the hub must emit, in order.
    public mutating func journaled(_ input: FlowInput) -> [FlowEmission] {
        seq = max(seq, input.seq)
        guard input.sender != HubConfig.hubParty, Self.reads(type: input.type) else { return [] }
        var out = advance(to: input.journaledAtUs)
        if input.type == MessageType.registration.rawValue { noteRiskRegistration(input) }
        do {
            switch input.type {
            case MessageType.registration: out += registration(try BizRegistration(serializedBytes: input.body), input)
            case MessageType.registrationResult: out += registrationResult(try BizRegistrationResult(serializedBytes: input.body), input)
            case MessageType.order: out += filed(try FiledDocument(.order, body: input.body), input)
            case MessageType.payment: out += filed(try FiledDocument(.payment, body: input.body), input)
            case MessageType.waybill: out += filed(try FiledDocument(.waybill, body: input.body), input)
            case MessageType.inventory: out += filed(try FiledDocument(.inventory, body: input.body), input)
            case MessageType.receipt: out += receipt(try BizReceipt(serializedBytes: input.body), input)
            case MessageType.summaryResult: out += summaryResult(input)
            case MessageType.summaryRequest: out += summaryRequest(try BizSummaryRequest(serializedBytes: input.body), input)
            case MessageType.query: out += query(try BizQuery(serializedBytes: input.body), input)
            case MessageType.answer: answer(input)
            case MessageType.creditNotice: out += creditNotice(try BizCreditNotice(serializedBytes: input.body), input)
            case MessageType.departure: out += departure(try BizDeparture(serializedBytes: input.body), input)
            case MessageType.arrival: out += arrival(try BizArrival(serializedBytes: input.body), input)
            case MessageType.waybillStatus: out += waybillStatus(try BizWaybillStatus(serializedBytes: input.body), input)
            case MessageType.riskDisposition: out += riskDisposition(try BizRiskDisposition(serializedBytes: input.body), input)
            case MessageType.cancellation: out += cancellation(try BizCancellation(serializedBytes: input.body), input)
            case MessageType.returnRequest: out += returnRequest(try BizReturnRequest(serializedBytes: input.body), input)
            case MessageType.refundResult: refundResult(try BizRefundResult(serializedBytes: input.body), input)
            case MessageType.taxBill: out += taxBill(invtNo: try BizTaxBill(serializedBytes: input.body).invtNo, input)
            case MessageType.taxStatus: out += taxBill(invtNo: try BizTaxStatus(serializedBytes: input.body).invtNo, input)
            default: break
            }
        } catch {
            // The router validated the body's wire format; a body that is well-formed
            // protobuf but not this message changes nothing.
        }
        return out
    }

    /// Time passed without messages: deadlines and schedules fall due.
    public mutating func tick(nowUs now: Int64) -> [FlowEmission] {
        advance(to: now)
    }

    /// Moves the clock forward (never back) and runs what fell due.
    private mutating func advance(to time: Int64) -> [FlowEmission] {
        guard time > nowUs else { return [] }
        nowUs = time
        var out: [FlowEmission] = []
        if nowUs >= nextRegistrationDeadline { out += expireRegistrations() }
        if nowUs >= nextQueryDeadline { out += expireQueries() }
        if nowUs >= nextLinkDeadline { out += expireWaiting() }
        if nowUs >= nextUnlinkedDeadline { out += expireUnlinked() }
        if settings.dailySummaries { out += scheduledSummaries() }
        dropOldTraces()
        parcels.dropOlder(than: nowUs - settings.afterReleaseMs * 1000)
        return out
    }

    // MARK: emitting

    /// The next feedback about `subject`, to `recipients`.
    mutating func feedback(_ feedback: BizFeedback, subject: FlowKey, to recipients: [String]) -> FlowEmission {
        var feedback = feedback
        if feedback.subjectType == MessageType.inventory.rawValue { feedback.history = history(of: subject) }
        noteRiskFeedback(feedback, subject: subject)
        let n = tally.note(feedback, subject: subject)
        let id = HubMessageId.feedback(subjectId: subject.id, subjectSender: subject.sender, number: n)
        return FlowEmission(id, type: .feedback, recipients: recipients, correlationId: subject.id, body: Self.bytes(feedback))
    }

    static func bytes(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        (try? message.serializedBytes()) ?? []
    }

    /// UTC day YYYYMMDD of a journal time.
    static func day(_ us: Int64) -> String { CivilDay(microseconds: us).compact }

    /// The parties with `role`.
    func parties(_ role: PartyRole) -> [String] { config.parties(withRole: role).map(\.id) }
}
