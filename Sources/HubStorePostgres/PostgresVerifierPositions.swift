import HubStore
import PostgresNIO

/// Acknowledgement positions and the progress log's highest marks of a PostgreSQL journal,
/// for ``PostgresJournalVerifier``: none may be beyond the head.
struct PostgresVerifierPositions {
    typealias Problem = VerifyReport.Problem

    var acks: [(party: String, seq: Int64)] = []
    var marks: [(party: String, kind: String, seq: Int64)] = []
    var unreadable: [Problem] = []

    /// Reads them (party by party, bytewise).
    static func read(_ link: PostgresLink) throws -> PostgresVerifierPositions {
        var positions = PostgresVerifierPositions()
        for row in try link.rows(#"SELECT party, acked_seq FROM cursors ORDER BY party COLLATE "C""#) {
            guard let (party, seq) = try? row.decode((String, Int64).self) else {
                positions.unreadable.append(Problem(.ackBeyondHead, "an acknowledgement position cannot be read"))
                continue
            }
            positions.acks.append((party, seq))
        }
        let marks = try link.rows(
            #"SELECT party, kind, max(seq) FROM progress GROUP BY party, kind ORDER BY party COLLATE "C", kind COLLATE "C""#)
        for row in marks {
            guard let (party, kind, seq) = try? row.decode((String, String, Int64).self) else {
                positions.unreadable.append(Problem(.progressBeyondHead, "a progress mark cannot be read"))
                continue
            }
            positions.marks.append((party, kind, seq))
        }
        return positions
    }

    /// Those beyond `head`, and those that could not be read.
    func problems(head: UInt64) -> [Problem] {
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
