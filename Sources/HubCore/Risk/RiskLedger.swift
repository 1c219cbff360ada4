import HubProtocol

/// Where the risk hits stand (their disposition, 处置): each hold open until a reviewer
/// decides it, each declaration held until all of its holds are released or one is refused,
/// and how many hits reached each disposition. A value the flows keep in their snapshot.
public struct RiskLedger: Sendable, Equatable, Codable {
    /// An open hold.
    public struct Hold: Sendable, Equatable, Codable {
        /// The rule that hit.
        public var rule: String
        /// The held declaration (its inventory).
        public var subject: FlowKey
        /// The departments that may decide it.
        public var reviewers: [String]
        /// When the hold was opened (journal time, µs); nil in the state of a hub that
        /// kept holds before it was recorded.
        public var openedAtUs: Int64?
    }

    /// What a reviewer's decision does to the held declaration.
    public enum Outcome: Sendable, Equatable {
        /// Other holds of the declaration are still open.
        case stillHeld
        /// Every hold was released: forward the declaration.
        case release(FlowKey)
        /// Refused: the declaration is refused.
        case refuse(FlowKey)
    }

    /// Open holds by notice id.
    public private(set) var open: [String: Hold] = [:]
    /// The open notice ids of each held declaration.
    private var held: [FlowKey: [String]] = [:]
    /// Hits by disposition: `open` now; `notified`, `released`, `refused`, `closed` since
    /// the journal began.
    public private(set) var counts: [String: Int] = [:]

    public init() {}

    /// Whether `subject` is held.
    public func isHeld(_ subject: FlowKey) -> Bool { held[subject] != nil }

    /// A hit of a rule that only notifies.
    mutating func notified() { counts["notified", default: 0] += 1 }

    /// A hit that holds its declaration, under notice `id`.
    mutating func opened(_ id: String, _ hold: Hold) {
        open[id] = hold
        held[hold.subject, default: []].append(id)
        counts["open", default: 0] += 1
    }

    /// A reviewer decided the hold of notice `id` (which must be open).
    mutating func decide(_ id: String, release: Bool) -> Outcome? {
        guard let hold = open.removeValue(forKey: id) else { return nil }
        counts["open", default: 0] -= 1
        counts[release ? "released" : "refused", default: 0] += 1
        var others = held[hold.subject] ?? []
        others.removeAll { $0 == id }
        if !release {
            close(hold.subject, keeping: others)
            return .refuse(hold.subject)
        }
        held[hold.subject] = others.isEmpty ? nil : others
        return others.isEmpty ? .release(hold.subject) : .stillHeld
    }

    /// The declaration ended otherwise (withdrawn, refused): its holds still open close.
    mutating func close(_ subject: FlowKey) { close(subject, keeping: held[subject] ?? []) }

    private mutating func close(_ subject: FlowKey, keeping ids: [String]) {
        for id in ids where open.removeValue(forKey: id) != nil {
            counts["open", default: 0] -= 1
            counts["closed", default: 0] += 1
        }
        held[subject] = nil
    }
}
