import HubStore
import PostgresNIO

/// The acknowledgement positions and the progress log's highest marks of a PostgreSQL
/// journal, for ``PostgresJournalVerifier``.
extension VerifyPositions {
    /// Reads them (party by party, bytewise).
    static func read(_ link: PostgresLink) throws -> VerifyPositions {
        var positions = VerifyPositions()
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
}
