import HubProtocol

/// One enterprise registration (备案) on its way through the departments, as a value:
/// events in, actions out. It starts by sharing the filing with every department the
/// registration concerns, collects each department's `RegistrationResult`, and gives the
/// enterprise a unified `Feedback` at every change and a final one when all have answered
/// or the deadline passes (naming who is still pending).
///
/// Feedback is a function of the state, and the state only changes on a new answer, so
/// the same events always yield the same feedback: replaying a flow after a restart emits
/// nothing different from what was already sent.
public struct RegistrationFlow: Sendable, Equatable {
    /// What the hub must do.
    public enum Action: Sendable, Equatable {
        /// Deliver the registration to these departments.
        case share(to: [String])
        /// Send this feedback to the enterprise.
        case feedback(BizFeedback)
    }

    /// Header id of the registration message.
    public let subjectId: String
    /// The enterprise's unified social credit code.
    public let subjectKey: String
    /// The registering party.
    public let enterprise: String
    /// The departments that must answer, in sharing order.
    public let departments: [String]
    /// When the final feedback is due if someone is still silent, µs since the epoch.
    public let deadlineUs: Int64
    /// Each department's answer so far.
    public private(set) var statuses: [String: BizDepartmentStatus] = [:]
    /// True once the final feedback was emitted.
    public private(set) var isFinal = false
    /// When the state last changed, µs since the epoch.
    public private(set) var updatedAtUs: Int64
    /// Warnings the hub attached while the flow was in progress (e.g. a blacklisting).
    public private(set) var flags: [String] = []

    /// Starts a flow for a journaled registration.
    /// - Parameters:
    ///   - registration: the filing.
    ///   - id: its header id.
    ///   - enterprise: the sending party.
    ///   - departments: the departments it concerns (customs, tax, forex, post, its banks).
    ///   - journaledAtUs: when it was journaled.
    ///   - timeoutUs: how long departments have to answer.
    public static func start(
        registration: BizRegistration, id: String, enterprise: String, departments: [String], journaledAtUs: Int64,
        timeoutUs: Int64
    ) -> (RegistrationFlow, [Action]) {
        var unique: [String] = []
        for department in departments where !unique.contains(department) { unique.append(department) }
        let flow = RegistrationFlow(
            subjectId: id, subjectKey: registration.socialCreditCode, enterprise: enterprise, departments: unique,
            deadlineUs: journaledAtUs + timeoutUs, updatedAtUs: journaledAtUs)
        return (flow, [.share(to: unique), .feedback(flow.feedback)])
    }

    private init(subjectId: String, subjectKey: String, enterprise: String, departments: [String], deadlineUs: Int64, updatedAtUs: Int64) {
        self.subjectId = subjectId
        self.subjectKey = subjectKey
        self.enterprise = enterprise
        self.departments = departments
        self.deadlineUs = deadlineUs
        self.updatedAtUs = updatedAtUs
    }

    /// A department answered. Answers from parties the flow did not ask, answers after the
    /// final feedback, and repeats of the same answer change nothing.
    public mutating func result(_ result: BizRegistrationResult, from department: String, atUs: Int64) -> [Action] {
        guard !isFinal, departments.contains(department) else { return [] }
        var status = BizDepartmentStatus()
        status.department = department
        status.decision = result.decision == .accepted || result.decision == .refused ? result.decision : .pending
        status.status = Self.word(status.decision)
        status.code = result.code
        status.reason = result.reason
        var previous = statuses[department]
        previous?.updatedAtUs = 0
        var comparable = status
        comparable.updatedAtUs = 0
        guard previous != comparable else { return [] }
        status.updatedAtUs = atUs
        statuses[department] = status
        updatedAtUs = atUs
        if pending.isEmpty { isFinal = true }
        return [.feedback(feedback)]
    }

    /// Time passed; at or after the deadline a final feedback names the silent departments.
    public mutating func tick(nowUs: Int64) -> [Action] {
        guard !isFinal, nowUs >= deadlineUs else { return [] }
        isFinal = true
        updatedAtUs = deadlineUs
        return [.feedback(feedback)]
    }

    /// The hub flags the flow (e.g. its enterprise was blacklisted meanwhile): the feedback
    /// carries `reason` from now on. Nothing changes after the final feedback or for a
    /// flag already attached.
    public mutating func flag(_ reason: String, atUs: Int64) -> [Action] {
        guard !isFinal, !flags.contains(reason) else { return [] }
        flags.append(reason)
        updatedAtUs = max(updatedAtUs, atUs)
        return [.feedback(feedback)]
    }

    /// Departments that have not given a final decision.
    public var pending: [String] {
        departments.filter { department in
            guard let decision = statuses[department]?.decision else { return true }
            return decision != .accepted && decision != .refused
        }
    }

    /// The unified feedback for the current state.
    public var feedback: BizFeedback {
        var feedback = BizFeedback()
        feedback.subjectType = MessageType.registration.rawValue
        feedback.subjectID = subjectId
        feedback.subjectKey = subjectKey
        feedback.departments = departments.map { department in
            statuses[department]
                ?? {
                    var status = BizDepartmentStatus()
                    status.department = department
                    status.decision = .pending
                    status.status = Self.word(.pending)
                    return status
                }()
        }
        feedback.pendingDepartments = pending
        feedback.reasons =
            departments.compactMap { department in
                guard let status = statuses[department], status.decision == .refused else { return nil }
                return "\(department): \(status.reason.isEmpty ? "refused" : status.reason)"
            } + flags
        let decisions = departments.compactMap { statuses[$0]?.decision }
        let accepted = decisions.filter { $0 == .accepted }.count
        let refused = decisions.filter { $0 == .refused }.count
        if !pending.isEmpty {
            feedback.state = isFinal ? .expired : .pending
        } else if refused == 0 {
            feedback.state = .accepted
        } else if accepted == 0 {
            feedback.state = .refused
        } else {
            feedback.state = .partiallyAccepted
        }
        feedback.updatedAtUs = updatedAtUs
        feedback.final = isFinal
        return feedback
    }

    private static func word(_ decision: BizDecision) -> String {
        switch decision {
        case .accepted: "accepted"
        case .refused: "refused"
        default: "pending"
        }
    }
}

/// The flow's whole state, for a snapshot (``FlowSnapshot``); the departments' statuses
/// as their protobuf bytes.
extension RegistrationFlow: Codable {
    private enum CodingKeys: String, CodingKey {
        case subjectId, subjectKey, enterprise, departments, deadlineUs, statuses, isFinal, updatedAtUs, flags
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            subjectId: try container.decode(String.self, forKey: .subjectId),
            subjectKey: try container.decode(String.self, forKey: .subjectKey),
            enterprise: try container.decode(String.self, forKey: .enterprise),
            departments: try container.decode([String].self, forKey: .departments),
            deadlineUs: try container.decode(Int64.self, forKey: .deadlineUs),
            updatedAtUs: try container.decode(Int64.self, forKey: .updatedAtUs))
        statuses = try container.decode([String: ProtoCoded<BizDepartmentStatus>].self, forKey: .statuses).mapValues(\.message)
        isFinal = try container.decode(Bool.self, forKey: .isFinal)
        flags = try container.decode([String].self, forKey: .flags)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subjectId, forKey: .subjectId)
        try container.encode(subjectKey, forKey: .subjectKey)
        try container.encode(enterprise, forKey: .enterprise)
        try container.encode(departments, forKey: .departments)
        try container.encode(deadlineUs, forKey: .deadlineUs)
        try container.encode(statuses.mapValues(ProtoCoded.init), forKey: .statuses)
        try container.encode(isFinal, forKey: .isFinal)
        try container.encode(updatedAtUs, forKey: .updatedAtUs)
        try container.encode(flags, forKey: .flags)
    }
}
