import DepartmentFormats
import HubProtocol
import SwiftProtobuf

/// A department (customs, tax, forex, post or a bank) as a pure value: a delivered message
/// in, the department's answers out, following `Schemas/PROTOCOL.md` section 13. No I/O and
/// no clock: times come in as parameters.
///
/// Every decision is drawn from a ``StableHash`` of the seed, the party and the delivered
/// message's id, and every reply id is derived from the delivered id, so a rerun (or a
/// redelivery after a restart) gives the same outcome under the same ids, which the hub's
/// deduplication keeps once.
///
/// - Every department answers `reg.Registration` with one `reg.Result`.
/// - Customs answers `ceb.Inventory` with receipts (120, [500,] 800, 899; or 100 when
///   refused) and `ceb.SummaryDeclaration` with a `ceb.SummaryResult`; a `ceb.Cancellation`
///   with a CEB606/624 receipt and a `ceb.ReturnRequest` with a CEB214/626 receipt, which
///   approve it when customs numbered the inventory it names.
/// - The post files the departure (CEB509) of each released export parcel whose release
///   notice reaches it.
/// - Every department keeps the business messages it receives (the latest
///   ``Options/retention``) and answers a `flow.Query` relayed to it from them.
/// - ``startup(nowUs:)`` publishes a `credit.Notice` per enterprise on ``Options/blacklist``.
public struct SimulatedDepartment: Sendable {
    /// Which department is simulated.
    public enum Kind: String, CaseIterable, Sendable {
        case customs, tax, forex, post, bank

        /// Prefix of the registration codes it assigns (customs assigns a bare customs code).
        var codePrefix: String {
            switch self {
            case .customs: ""
            case .tax: "TAX-"
            case .forex: "FX-"
            case .post: "POST-"
            case .bank: "BANK-"
            }
        }
    }

    /// How the simulation decides.
    public struct Options: Sendable, Equatable {
        /// Share of registrations and inventories refused, 0...1.
        public var refusalRate: Double
        /// Share of accepted inventories customs inspects (status 500) before release, 0...1.
        public var inspectionRate: Double
        /// Seed of every decision; the same seed decides the same way for the same ids.
        public var seed: UInt64
        /// Social credit codes this department blacklists at start.
        public var blacklist: [String]
        /// Pause between the receipts of one inventory, ms (0: one after the other).
        public var receiptDelayMs: Int
        /// Most received messages kept for answering queries.
        public var retention: Int
        /// Most records in one answer when the query gives no limit.
        public var defaultQueryLimit: Int

        public init(
            refusalRate: Double = 0.05, inspectionRate: Double = 0.1, seed: UInt64 = 1, blacklist: [String] = [],
            receiptDelayMs: Int = 0, retention: Int = 10_000, defaultQueryLimit: Int = 100
        ) {
            self.refusalRate = refusalRate
            self.inspectionRate = inspectionRate
            self.seed = seed
            self.blacklist = blacklist
            self.receiptDelayMs = receiptDelayMs
            self.retention = retention
            self.defaultQueryLimit = defaultQueryLimit
        }
    }

    /// A message the department submits in answer.
    public struct Reply: Sendable, Equatable {
        /// Hub message type, e.g. `"reg.Result"`.
        public var type: String
        /// The protobuf-serialized body.
        public var body: [UInt8]
        /// The id of the message answered (`Header.correlation_id`).
        public var correlationId: String
        /// Explicit recipients; empty: the hub routes it (flows, subscriptions).
        public var recipients: [String]
        /// The message id, derived from what caused the reply.
        public var id: String
        /// Wait this long after the previous reply of the same batch before submitting, ms.
        public var delayMs: Int
    }

    /// What the department has done so far.
    public struct Stats: Sendable, Equatable {
        /// Deliveries handled, by hub message type.
        public var handled: [String: Int] = [:]
        /// Replies produced.
        public var replies = 0
        /// Registrations and inventories refused.
        public var refused = 0
        /// Inventories sent to inspection.
        public var inspected = 0
        /// Queries answered.
        public var queries = 0
        /// Deliveries whose body could not be read as their type's message.
        public var malformed = 0

        /// Deliveries handled in all.
        public var total: Int { handled.values.reduce(0, +) }
    }

    public let kind: Kind
    /// The department's hub party id, used in the bodies and ids of its replies.
    public let party: String
    public let options: Options
    /// Counters since start.
    public internal(set) var stats = Stats()
    /// The received messages kept for queries.
    public private(set) var kept: KeptRecords

    /// - Parameters:
    ///   - kind: which department to simulate.
    ///   - party: its party id in the hub's configuration.
    ///   - options: rates, seed and the rest.
    public init(kind: Kind, party: String, options: Options = Options()) {
        self.kind = kind
        self.party = party
        self.options = options
        kept = KeptRecords(capacity: options.retention)
    }

    /// What the department sends when it starts: one `credit.Notice` per blacklisted
    /// enterprise, id `credit:<party>:<social credit code>`.
    public func startup(nowUs: Int64) -> [Reply] {
        options.blacklist.map { code in
            var notice = BizCreditNotice()
            notice.socialCreditCode = code
            notice.department = party
            notice.level = .dishonest
            notice.blacklisted = true
            notice.reason = "simulated blacklisting"
            notice.documentNo = "SIM-\(party)-\(StableHash(seed: options.seed, "document", party, code).digits(8))"
            notice.effectiveDate = CEBTime.date(nowUs)
            return reply(.creditNotice, notice, correlationId: "", id: "credit:\(party):\(code)")
        }
    }

    /// Handles one delivered message and returns the replies to submit, in order.
    /// - Parameters:
    ///   - type: the hub message type (`header.type`).
    ///   - header: the delivered header (id, sender, correlation id).
    ///   - body: the delivered body.
    ///   - nowUs: the current time, µs since the Unix epoch; stamps the replies.
    public mutating func handle(type: String, header: WireHeader, body: [UInt8], nowUs: Int64) -> [Reply] {
        stats.handled[type, default: 0] += 1
        let replies: [Reply]
        switch type {
        case MessageType.registration:
            let filing = decode(BizRegistration.self, body, keepAs: type)
            replies = filing.map { [registrationResult($0, header: header, nowUs: nowUs)] } ?? []
        case MessageType.inventory where kind == .customs:
            // Kept inside, with the numbers customs assigns.
            replies = decode(BizInventory.self, body).map { inventoryReceipts($0, header: header, nowUs: nowUs) } ?? []
        case MessageType.summaryDeclaration where kind == .customs:
            let summary = decode(BizSummaryDeclaration.self, body, keepAs: type)
            replies = summary.map { [summaryResult($0, header: header, nowUs: nowUs)] } ?? []
        case MessageType.releaseNotice where kind == .post:
            // Kept like any other; the post files what happens to the released parcel.
            let notice = decode(BizReleaseNotice.self, body, keepAs: type)
            replies = notice.map { parcelFilings($0, header: header, nowUs: nowUs) } ?? []
        case MessageType.cancellation where kind == .customs:
            let cancellation = decode(BizCancellation.self, body, keepAs: type)
            replies = cancellation.map { [cancellationReceipt($0, header: header, nowUs: nowUs)] } ?? []
        case MessageType.returnRequest where kind == .customs:
            let request = decode(BizReturnRequest.self, body, keepAs: type)
            replies = request.map { [returnReceipt($0, header: header, nowUs: nowUs)] } ?? []
        case MessageType.query:
            replies = [answer(body, header: header)]
        default:
            if BusinessTypes.message(for: type) != nil, !Self.notKept.contains(MessageType(type)) {
                keep(MessageType(type), body)
            }
            replies = []
        }
        stats.replies += replies.count
        return replies
    }

    /// Hub-side messages that are no one's data to answer queries with.
    private static let notKept: Set<MessageType> = [.query, .answer, .feedback, .summaryRequest]

    // MARK: registration

    private mutating func registrationResult(_ filing: BizRegistration, header: WireHeader, nowUs: Int64) -> Reply {
        let key = Self.subjectKey(header)
        var result = BizRegistrationResult()
        result.copNo = filing.copNo
        result.socialCreditCode = filing.socialCreditCode
        result.department = party
        result.decidedAtUs = nowUs
        if options.blacklist.contains(filing.socialCreditCode) {
            result.decision = .refused
            result.reason = "blacklisted by \(party): simulated blacklisting"
        } else if decides("refuse", key, rate: options.refusalRate) {
            result.decision = .refused
            result.reason = "simulated refusal: documents incomplete"
        } else {
            result.decision = .accepted
            result.code = registrationCode(filing)
        }
        if result.decision == .refused { stats.refused += 1 }
        return reply(.registrationResult, result, correlationId: header.id, id: "result:\(key)")
    }

    /// The department's code for an accepted enterprise: customs keeps the customs code
    /// the filing gives or derives a 10-character one from the social credit code (its
    /// administrative division digits, then 6 digits of a hash); the others prefix 10 hash
    /// digits with their name.
    func registrationCode(_ filing: BizRegistration) -> String {
        let scc = filing.socialCreditCode
        let hash = StableHash(seed: 0, "code", kind.rawValue, scc)
        guard kind == .customs else { return kind.codePrefix + hash.digits(10) }
        if !filing.customsCode.isEmpty { return filing.customsCode }
        let region = String(scc.dropFirst(2).prefix(4))
        let isDivision = region.count == 4 && region.allSatisfy { $0.isASCII && $0.isNumber }
        return (isDivision ? region : StableHash(seed: 0, "region", scc).digits(4)) + hash.digits(6)
    }

    // MARK: shared helpers

    /// Decodes a delivered body; counts it as malformed when it is not `M`, and keeps it
    /// for queries under `keepAs` when given.
    mutating func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ body: [UInt8], keepAs: String? = nil) -> M? {
        guard let message = try? M(serializedBytes: body) else {
            stats.malformed += 1
            return nil
        }
        if let keepAs { keep(MessageType(keepAs), body) }
        return message
    }

    mutating func keep(_ type: MessageType, _ body: [UInt8]) {
        kept.append(KeptRecords.Record(type: type.rawValue, body: body))
    }

    /// True for the share `rate` of keys: the decision `purpose` about `key`, drawn from
    /// the seed and this party, so departments decide independently of each other.
    func decides(_ purpose: String, _ key: String, rate: Double) -> Bool {
        StableHash(seed: options.seed, purpose, party, key).fraction < rate
    }

    /// What reply ids and decisions are derived from: the delivered id when the hub sent
    /// it (its ids are unique: `share:…`, `fwd:…`), otherwise `<sender>:<id>`, since ids
    /// are only unique per sender.
    static func subjectKey(_ header: WireHeader) -> String {
        header.sender.isEmpty || header.sender == hubParty ? header.id : "\(header.sender):\(header.id)"
    }

    /// The party id under which the hub itself submits (PROTOCOL.md section 13).
    static let hubParty = "hub"

    func reply(
        _ type: MessageType, _ message: some SwiftProtobuf.Message, correlationId: String, recipients: [String] = [],
        id: String, delayMs: Int = 0
    ) -> Reply {
        // Serializing a message built here from known fields cannot fail.
        let body: [UInt8] = (try? message.serializedBytes()) ?? []
        return Reply(
            type: type.rawValue, body: body, correlationId: correlationId, recipients: recipients, id: Self.boundedId(id),
            delayMs: delayMs)
    }

    /// `id` itself when it fits the protocol's 128 bytes, else its first 100 bytes (whole
    /// characters) followed by `~` and a hash of all of it: still unique and repeatable.
    static func boundedId(_ id: String) -> String {
        guard id.utf8.count > WireProtocol.maxIdBytes else { return id }
        var prefix = ""
        for character in id {
            if prefix.utf8.count + character.utf8.count > 100 { break }
            prefix.append(character)
        }
        return prefix + "~" + StableHash(seed: 0, id).hex
    }
}
