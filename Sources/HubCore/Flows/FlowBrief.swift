import HubProtocol

/// One registration or declaration as the monitor lists it: who filed it, its unified
/// state and which departments still have to answer. Read-only summary of a flow.
public struct FlowBrief: Sendable, Equatable, Codable {
    /// registration or declaration.
    public var kind: FlowTally.Kind
    /// The filing's message id (the registration's, or the declaration's inventory's).
    public var id: String
    /// The party that filed it.
    public var filer: String
    /// The business key: the social credit code, or the order number.
    public var key: String
    /// The unified state, lower case (pending, accepted, partially_accepted, refused, expired).
    public var state: String
    /// True once the state can no longer change.
    public var final: Bool
    /// Departments that still have to answer.
    public var pending: [String]
    /// Each department's status word, by department.
    public var departments: [String: String]
    /// Why it was refused or flagged.
    public var reasons: [String]
    /// When the state last changed, µs since the epoch.
    public var updatedAtUs: Int64

    /// The brief of a flow's current feedback.
    public init(kind: FlowTally.Kind, filer: String, feedback: BizFeedback) {
        self.kind = kind
        id = feedback.subjectID
        self.filer = filer
        key = feedback.subjectKey
        state = FlowTally.name(feedback.state)
        final = feedback.final
        pending = feedback.pendingDepartments
        var departments: [String: String] = [:]
        for status in feedback.departments { departments[status.department] = status.status }
        self.departments = departments
        reasons = feedback.reasons
        updatedAtUs = feedback.updatedAtUs
    }
}
