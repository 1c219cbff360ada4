import HubProtocol

/// One declaration (an inventory and its order, payment and waybill) after 三单对碰, as a
/// value: the matching outcome, then customs receipts, in; unified feedback for its filers
/// out. Feedback is a function of the state, so the same events give the same feedback.
public struct DeclarationFlow: Sendable, Equatable {
    /// What the hub must do.
    public enum Action: Sendable, Equatable {
        /// Send this feedback to every filer.
        case feedback(BizFeedback)
        /// Customs released the goods: send the release notice.
        case released
    }

    /// The inventory that anchors the declaration.
    public let key: FlowKey
    /// The linked documents.
    public let declaration: DeclarationLinker.Declaration
    /// Every party that filed one of the four documents, each once.
    public let filers: [String]
    /// The customs party the declaration went to.
    public let customs: String
    /// Rule failures, when the documents did not agree.
    public let failures: [MatchFailure]
    public private(set) var customsStatus = CustomsStatusMachine()
    /// The inventory number customs assigned (from its receipts), or the filed one.
    public private(set) var invtNo: String
    private var statusInfo = ""
    private var errors: [String] = []
    private var flags: [String] = []
    /// When the state last changed, µs since the epoch.
    public internal(set) var updatedAtUs: Int64
    /// Customs' status of the order, payment and waybill, by document, from receipts of
    /// their own kinds (nil before any: absent from a snapshot of an older build).
    private var documentReceipts: [String: DocumentReceipts]?
    /// Why the declaration was withdrawn (nil while it was not).
    public private(set) var withdrawal: String?
    /// Why the declaration is held for pre-review by risk rules (nil while it is not;
    /// DeclarationFlow+Risk.swift).
    public internal(set) var hold: [String]?
    /// Why a reviewer refused the held declaration (nil unless one did).
    public internal(set) var reviewRefusal: String?

    /// Customs' status of one of the declaration's other documents (order, payment,
    /// waybill), moved by its own receipts as ``CustomsStatusMachine`` moves the
    /// inventory's; it never changes the declaration's state.
    public struct DocumentReceipts: Sendable, Equatable, Codable {
        /// The document's status.
        public internal(set) var status = CustomsStatusMachine()
        /// The latest status change's receipt text.
        public internal(set) var info = ""
        /// Processing errors customs reported for the document.
        public internal(set) var errors: [String] = []
        /// When the status last changed, µs since the epoch.
        public internal(set) var updatedAtUs: Int64 = 0
    }

    /// Starts the flow when the fourth document arrived: matched (forwarded to customs,
    /// waiting for its receipts) or not (refused, final).
    public static func start(
        key: FlowKey, declaration: DeclarationLinker.Declaration, failures: [MatchFailure], customs: String, atUs: Int64
    ) -> (DeclarationFlow, [Action]) {
        var filers: [String] = []
        for party in [declaration.inventory.sender, declaration.order.sender, declaration.payment.sender, declaration.waybill.sender]
        where !filers.contains(party) {
            filers.append(party)
        }
        let flow = DeclarationFlow(
            key: key, declaration: declaration, filers: filers, customs: customs, failures: failures, updatedAtUs: atUs)
        return (flow, [.feedback(flow.feedback)])
    }

    private init(
        key: FlowKey, declaration: DeclarationLinker.Declaration, filers: [String], customs: String, failures: [MatchFailure],
        updatedAtUs: Int64
    ) {
        self.key = key
        self.declaration = declaration
        self.filers = filers
        self.customs = customs
        self.failures = failures
        self.updatedAtUs = updatedAtUs
        invtNo = declaration.inventory.document.invtNo
    }

    /// True once nothing can change any more: refused by the rules, or customs reached a
    /// terminal status (100, 700, 899).
    public var isFinal: Bool { !failures.isEmpty || customsStatus.isFinished || withdrawal != nil || reviewRefusal != nil }

    /// Customs' status of one of the declaration's documents from its own receipts, nil
    /// before any (for the inventory: ``customsStatus``).
    public func documentStatus(_ document: DeclarationDocument) -> DocumentReceipts? {
        documentReceipts?[document.rawValue]
    }

    /// A customs receipt for one of the declaration's documents: the inventory's moves the
    /// declaration (``receipt(status:info:invtNo:atUs:)``); an order's, payment's or
    /// waybill's moves only that document's status, which the feedback shows.
    public mutating func receipt(
        document: DeclarationDocument, status: CustomsStatus, info: String, invtNo number: String, atUs: Int64
    ) -> [Action] {
        guard document != .inventory else { return receipt(status: status, info: info, invtNo: number, atUs: atUs) }
        guard failures.isEmpty, !isFinal else { return [] }
        var receipts = documentReceipts?[document.rawValue] ?? DocumentReceipts()
        var changed = false
        for action in receipts.status.receipt(status: status, info: info) {
            switch action {
            case .statusChanged(_, let text):
                receipts.info = text
                changed = true
            case .processingError(let code, let text):
                receipts.errors.append("customs \(code): \(text.isEmpty ? "processing error" : text)")
                changed = true
            case .released:
                break  // only the inventory's release releases the goods
            }
        }
        guard changed else { return [] }
        receipts.updatedAtUs = atUs
        documentReceipts = (documentReceipts ?? [:]).merging([document.rawValue: receipts]) { $1 }
        updatedAtUs = max(updatedAtUs, atUs)
        return [.feedback(feedback)]
    }

    /// A customs receipt for the inventory.
    public mutating func receipt(status: CustomsStatus, info: String, invtNo number: String, atUs: Int64) -> [Action] {
        guard failures.isEmpty else { return [] }
        if !number.isEmpty && !customsStatus.isFinished { invtNo = number }
        var actions: [Action] = []
        var changed = false
        for action in customsStatus.receipt(status: status, info: info) {
            switch action {
            case .statusChanged(_, let text):
                statusInfo = text
                changed = true
            case .processingError(let code, let text):
                errors.append("customs \(code): \(text.isEmpty ? "processing error" : text)")
                changed = true
            case .released:
                actions.append(.released)
            }
        }
        guard changed else { return actions }
        updatedAtUs = max(updatedAtUs, atUs)
        return [.feedback(feedback)] + actions
    }

    /// The filer withdrew the declaration (a document of it with `appType` 3) before its
    /// release: final, state WITHDRAWN with `reason`.
    public mutating func withdraw(_ reason: String, atUs: Int64) -> [Action] {
        guard !isFinal else { return [] }
        withdrawal = reason
        updatedAtUs = max(updatedAtUs, atUs)
        return [.feedback(feedback)]
    }

    /// The hub flags the declaration (e.g. its enterprise was blacklisted meanwhile).
    public mutating func flag(_ reason: String, atUs: Int64) -> [Action] {
        guard !isFinal, !flags.contains(reason) else { return [] }
        flags.append(reason)
        updatedAtUs = max(updatedAtUs, atUs)
        return [.feedback(feedback)]
    }

    /// The unified feedback for the current state.
    public var feedback: BizFeedback {
        var feedback = BizFeedback()
        feedback.subjectType = MessageType.inventory.rawValue
        feedback.subjectID = key.id
        feedback.subjectKey = declaration.inventory.document.orderNo
        var status = BizDepartmentStatus()
        status.department = customs
        let code = customsStatus.status
        status.status = failures.isEmpty ? (code == .unspecified ? "forwarded" : code.description) : "not forwarded"
        status.code = invtNo
        status.reason = statusInfo
        status.updatedAtUs = updatedAtUs
        feedback.reasons = failures.map(\.description) + errors + flags + (withdrawal.map { [$0] } ?? [])
        feedback.reasons += (hold ?? []) + (reviewRefusal.map { [$0] } ?? [])
        switch code {
        case _ where withdrawal != nil:
            status.decision = .refused
            feedback.state = .withdrawn
        case _ where reviewRefusal != nil:
            (status.status, status.decision, feedback.state) = ("not forwarded", .refused, .refused)
        case _ where hold != nil:
            (status.status, status.decision, feedback.state) = ("held", .pending, .held)
        case _ where !failures.isEmpty:
            status.decision = .refused
            feedback.state = .refused
        case .rejected, .returned:
            status.decision = .refused
            feedback.state = .refused
        case .released, .closed:
            status.decision = .accepted
            feedback.state = .accepted
        default:
            status.decision = .pending
            feedback.state = .pending
            feedback.pendingDepartments = [customs]
        }
        feedback.departments = [status]
        feedback.documents = DeclarationDocument.allCases.map { documentFeedback($0, inventory: status) }
        feedback.updatedAtUs = updatedAtUs
        feedback.final = isFinal
        return feedback
    }
}

extension DeclarationFlow {
    /// One document's line of the feedback: customs' status of it from its own receipts.
    func documentFeedback(_ document: DeclarationDocument, inventory: BizDepartmentStatus) -> BizDocumentStatus {
        var line = BizDocumentStatus()
        line.document = document.messageType.rawValue
        switch document {
        case .order: (line.id, line.filer) = (declaration.order.id, declaration.order.sender)
        case .payment: (line.id, line.filer) = (declaration.payment.id, declaration.payment.sender)
        case .waybill: (line.id, line.filer) = (declaration.waybill.id, declaration.waybill.sender)
        case .inventory: (line.id, line.filer) = (declaration.inventory.id, declaration.inventory.sender)
        }
        if document == .inventory {
            line.status = inventory.status
            line.decision = inventory.decision
            line.reason = inventory.reason
            line.updatedAtUs = inventory.updatedAtUs
            return line
        }
        guard failures.isEmpty, reviewRefusal == nil else {
            line.status = "not forwarded"
            line.decision = .refused
            return line
        }
        if hold != nil {
            line.status = "held"
            line.decision = .pending
            return line
        }
        guard let receipts = documentStatus(document) else {
            line.status = "forwarded"
            line.decision = .pending
            return line
        }
        let code = receipts.status.status
        line.status = code == .unspecified ? "forwarded" : code.description
        line.decision = Self.decision(code)
        line.reason = ([receipts.info] + receipts.errors).filter { !$0.isEmpty }.joined(separator: "; ")
        line.updatedAtUs = receipts.updatedAtUs
        return line
    }

    /// What a document's customs status means for it: refused (100, 700), accepted (120
    /// and on), pending before.
    static func decision(_ code: CustomsStatus) -> BizDecision {
        switch code {
        case .rejected, .returned: .refused
        case .accepted, .approved, .released, .closed: .accepted
        default: .pending
        }
    }
}

/// The flow's whole state, for a snapshot (``FlowSnapshot``).
extension DeclarationFlow: Codable {}
