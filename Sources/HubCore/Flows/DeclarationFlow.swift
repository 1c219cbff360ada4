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
    public private(set) var updatedAtUs: Int64

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
    public var isFinal: Bool { !failures.isEmpty || customsStatus.isFinished }

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
        feedback.reasons = failures.map(\.description) + errors + flags
        switch code {
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
        feedback.updatedAtUs = updatedAtUs
        feedback.final = isFinal
        return feedback
    }
}

/// The flow's whole state, for a snapshot (``FlowSnapshot``).
extension DeclarationFlow: Codable {}
