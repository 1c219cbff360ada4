import GRDB

/// Whether a recipient's inbox holds a seq, for ``RowScan``, which asks in seq order: in
/// the runs layout each recipient's run is read once and kept while the scan is inside it.
struct InboxLookup {
    private let layout: InboxTable.Layout
    /// Each recipient's last run read.
    private var runs: [String: InboxRun] = [:]

    /// - Parameter db: The journal, whose inbox layout is read once.
    init(_ db: Database) throws {
        layout = try InboxTable.layout(db)
    }

    /// Whether `recipient`'s inbox holds `seq`.
    /// - Throws: ``StoreError`` `corrupt` for a damaged inbox row; the database's errors.
    mutating func contains(recipient: String, seq: Int64, _ db: Database) throws -> Bool {
        switch layout {
        case .rows:
            return try Int.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM inbox WHERE recipient = ? AND seq = ?"), arguments: [recipient, seq]) != nil
        case .runs:
            if let run = runs[recipient], run.firstSeq <= seq, seq <= run.lastSeq { return run.contains(seq) }
            guard let run = try InboxTable.firstRun(of: recipient, after: seq - 1, db) else { return false }
            runs[recipient] = run
            return run.contains(seq)
        }
    }

    /// The highest seq the inbox names (the head when the messages cannot be read).
    static func maxSeq(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: try InboxTable.layout(db) == .runs ? "SELECT MAX(last_seq) FROM inbox_runs" : "SELECT MAX(seq) FROM inbox")
    }
}
