import GRDB

/// ``JournalQueries`` inside one read of a SQLite journal file (`DatabaseQueue.read`): the
/// SQL behind ``SQLiteJournalQueries``, which makes one per call, or one for a whole
/// ``JournalQueries/snapshot(_:)``.
///
/// It is valid only during the read that made it, on that read's thread: it is
/// `@unchecked Sendable` only to be handed to a snapshot's body, which runs inside the read.
struct SQLiteJournalSnapshot: JournalQueries, @unchecked Sendable {
    private let db: Database
    /// Whether the journal has checksums (schema v4 on): the records of an older journal are
    /// read unchecked.
    private let checked: Bool
    /// The journal's suite's hash functions (``JournalSuiteRecord``).
    private let hashing: JournalHashing
    /// Whether the journal has the progress log (schema v3 on).
    private let hasProgressLog: Bool

    /// The queries of the read `db` is in; the journal's schema is read once, here.
    init(_ db: Database) throws {
        self.db = db
        checked = try JournalSQL.hasChecksums(db)
        hashing = try JournalHashing(try JournalSuiteRecord.suite(db))
        hasProgressLog =
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'progress'") == 1
    }

    func record(sender: String, id: String) throws -> JournalRecord? {
        try fetch(JournalSQL.selectBySenderAndId, [sender, id]).first
    }

    func seq(sender: String, id: String) throws -> UInt64? {
        try Int64.fetchOne(db.cachedStatement(sql: JournalSQL.selectOriginalSeq), arguments: [sender, id]).map(JournalSQL.seq)
    }

    func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        // Every id starting with `prefix` sorts in [prefix, prefix + U+10FFFF).
        try fetch(JournalSQL.selectBySenderAndIdPrefix, [sender, prefix, prefix + "\u{10FFFF}"])
    }

    func nextSender(after sender: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: JournalSQL.selectNextSender), arguments: [sender])
    }

    func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        guard !types.isEmpty, limit > 0, let after = Int64(exactly: after) else { return [] }
        return try fetch(
            JournalSQL.selectByTypes(count: types.count),
            StatementArguments([after]) + StatementArguments(types) + StatementArguments([limit]))
    }

    func records(correlationId: String) throws -> [JournalRecord] {
        try fetch(JournalSQL.selectByCorrelation, [correlationId])
    }

    func progressMark(party: String, kind: ProgressMark.Kind, atOrAfter seq: UInt64) throws -> ProgressMark? {
        guard hasProgressLog,
            let row = try Row.fetchOne(
                db.cachedStatement(sql: JournalSQL.selectProgress), arguments: [party, kind.rawValue, Int64(clamping: seq)])
        else { return nil }
        return ProgressMark(party: party, kind: kind, seq: try JournalSQL.seq(row[0]), atUs: row[1])
    }

    /// Key, count, in key order (SQLite's `BINARY` collation: bytewise); deliveries by
    /// recipient come from the inbox in whichever layout the journal has.
    func counts(by grouping: JournalCount.Grouping) throws -> [JournalCount] {
        let sql: String
        switch grouping {
        case .type: sql = "SELECT type, count(*) FROM messages GROUP BY type ORDER BY type"
        case .sender: sql = "SELECT sender, count(*) FROM messages GROUP BY sender ORDER BY sender"
        case .recipient: return try InboxTable.countsByRecipient(db)
        case .day: sql = "SELECT date(journaled_at_us / 1000000, 'unixepoch'), count(*) FROM messages GROUP BY 1 ORDER BY 1"
        }
        return try Row.fetchAll(db, sql: sql).map { JournalCount(key: $0[0] ?? "", count: $0[1] ?? 0) }
    }

    func ackPositions() throws -> [String: UInt64] {
        var positions: [String: UInt64] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: JournalSQL.selectAcks)) {
            positions[try row.decode(String.self, atIndex: 0)] = try JournalSQL.seq(row.decode(Int64.self, atIndex: 1))
        }
        return positions
    }

    func headSeq() throws -> UInt64 {
        try JournalSQL.seq(Int64.fetchOne(db.cachedStatement(sql: JournalSQL.selectHead)) ?? 0)
    }

    /// Runs `body` with these queries: they read one state already.
    func snapshot<R>(_ body: (any JournalQueries) throws -> R) throws -> R {
        try body(self)
    }

    /// The records `sql` (selecting `JournalSQL`'s record columns) finds, checked against
    /// their checksums when the journal has them.
    private func fetch(_ sql: String, _ arguments: StatementArguments) throws -> [JournalRecord] {
        try Row.fetchAll(db.cachedStatement(sql: JournalSQL.compatible(sql, hasChecksums: checked)), arguments: arguments)
            .map { try JournalSQL.record(from: $0, checked: checked, hashing: hashing) }
    }
}
