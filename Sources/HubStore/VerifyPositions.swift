/// A journal's acknowledgement positions and its progress log's highest marks, as a
/// verifier read them (SQLite's ``JournalVerifier``, and PostgreSQL's): none may be beyond
/// the journal's head.
public struct VerifyPositions: Sendable {
    public typealias Problem = VerifyReport.Problem

    /// Each party's acknowledgement position.
    public var acks: [(party: String, seq: Int64)] = []
    /// Each party's highest progress mark of each kind.
    public var marks: [(party: String, kind: String, seq: Int64)] = []
    /// What could not be read.
    public var unreadable: [Problem] = []

    public init() {}

    /// Those beyond `head`, and those that could not be read.
    public func problems(head: UInt64) -> [Problem] {
        var problems = unreadable
        for (party, acked) in acks where acked > 0 && UInt64(acked) > head {
            problems.append(
                Problem(
                    .ackBeyondHead, seq: head + 1, through: UInt64(acked), subject: party,
                    "beyond the head: \(party) acknowledged up to seq \(acked), the journal ends at \(head)"))
        }
        for (party, kind, seq) in marks where seq > 0 && UInt64(seq) > head {
            problems.append(
                Problem(
                    .progressBeyondHead, seq: head + 1, through: UInt64(seq), subject: "\(party) \(kind)",
                    "beyond the head: \(party)'s progress log has '\(kind)' up to seq \(seq), the journal ends at \(head)"))
        }
        return problems
    }
}
