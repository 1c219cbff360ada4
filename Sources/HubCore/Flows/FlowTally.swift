import HubProtocol

/// What the flows' monitoring needs, kept as feedback is emitted (every state change of a
/// registration or declaration emits one): each subject's feedback count (which numbers
/// its feedback ids) and latest unified state, the number of flows in each state, and the
/// subjects started most recently. Updated in O(1) per feedback; read once a second.
public struct FlowTally: Sendable {
    /// A flow's kind, from its feedback's subject type.
    public enum Kind: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
        case registration, declaration
    }

    /// One (kind, state) pair, as the `swhub_flows{kind,state}` gauge names it.
    public struct StateKey: Hashable, Sendable, Codable {
        /// registration or declaration.
        public var kind: Kind
        /// The unified state, lower case: pending, accepted, partially_accepted, refused,
        /// expired, waiting, incomplete, withdrawn.
        public var state: String

        /// The key of `state` (lower case) for flows of `kind`.
        public init(kind: Kind, state: String) {
            self.kind = kind
            self.state = state
        }
    }

    struct Entry: Sendable, Equatable, Codable {
        var feedbacks: Int
        var state: StateKey?
    }

    /// How many recently started subjects of each kind are remembered.
    public static let recentLimit = 20

    var entries: [FlowKey: Entry] = [:]
    /// Flows by kind and current state.
    public private(set) var counts: [StateKey: Int] = [:]
    /// The latest started subjects of each kind, oldest first.
    public private(set) var recent: [Kind: [FlowKey]] = [:]

    /// Nothing counted yet.
    public init() {}

    /// A feedback about `subject` is being emitted; returns its number (1 for the first).
    mutating func note(_ feedback: BizFeedback, subject: FlowKey) -> Int {
        var entry = entries[subject] ?? Entry(feedbacks: 0, state: nil)
        entry.feedbacks += 1
        if let kind = Self.kind(of: feedback.subjectType) {
            let key = StateKey(kind: kind, state: Self.name(feedback.state))
            if entry.state != key {
                if let old = entry.state { counts[old, default: 0] -= 1 }
                counts[key, default: 0] += 1
                entry.state = key
            }
            if entry.feedbacks == 1 {
                var list = recent[kind] ?? []
                list.append(subject)
                if list.count > Self.recentLimit { list.removeFirst(list.count - Self.recentLimit) }
                recent[kind] = list
            }
        }
        entries[subject] = entry
        return entry.feedbacks
    }

    /// A subject finished (no feedback about it can follow): its count and state go; the
    /// counts by state and the recent subjects stay.
    mutating func forget(_ subject: FlowKey) {
        entries[subject] = nil
    }

    /// The kind of a feedback's subject type, nil for others.
    public static func kind(of subjectType: String) -> Kind? {
        switch subjectType {
        case MessageType.registration: .registration
        case MessageType.inventory: .declaration
        default: nil
        }
    }

    /// The lower-case name of a unified state.
    public static func name(_ state: BizFeedbackState) -> String {
        switch state {
        case .pending: "pending"
        case .accepted: "accepted"
        case .partiallyAccepted: "partially_accepted"
        case .refused: "refused"
        case .expired: "expired"
        case .waiting: "waiting"
        case .incomplete: "incomplete"
        case .withdrawn: "withdrawn"
        case .held: "held"
        default: "unspecified"
        }
    }
}

/// The counts, for a snapshot (``FlowSnapshot``): feedback numbers go on from where they
/// were.
extension FlowTally: Codable, Equatable {}

extension FlowTally.StateKey: CodingKeyRepresentable {
    public var codingKey: any CodingKey { SnapshotKey(parts: [kind.rawValue, state]) }

    public init?<T: CodingKey>(codingKey: T) {
        guard let parts = SnapshotKey.parts(of: codingKey.stringValue, count: 2), let kind = FlowTally.Kind(rawValue: parts[0]) else {
            return nil
        }
        self.init(kind: kind, state: parts[1])
    }
}
