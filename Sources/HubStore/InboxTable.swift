import Foundation
import GRDB

/// The journal's inbox, the index of each recipient's messages, as stored.
///
/// From schema v8 on it is `inbox_runs`: one row per recipient and commit (``InboxRun``),
/// keyed by recipient and last seq, so a recipient that was offline for hours is still
/// served by one range scan, and a commit writes one row per recipient instead of one per
/// recipient and message. A journal no hub has upgraded yet (read by `swhub verify`,
/// `stats`, `trace` read-only) has the v1 table `inbox`: one row per (recipient, seq).
/// Readers ask ``layout(_:)`` which one they have.
enum InboxTable {
    /// Which table holds the inbox.
    enum Layout: Sendable {
        /// `inbox (recipient, seq)`, before v8.
        case rows
        /// `inbox_runs`, v8 on.
        case runs
    }

    /// The table `db` has.
    static func layout(_ db: Database) throws -> Layout {
        try db.tableExists("inbox_runs") ? .runs : .rows
    }

    /// The v8 table.
    static let createRuns = """
        CREATE TABLE inbox_runs (
            recipient TEXT NOT NULL,
            last_seq INTEGER NOT NULL,
            first_seq INTEGER NOT NULL,
            count INTEGER NOT NULL,
            ranges BLOB NOT NULL,
            PRIMARY KEY (recipient, last_seq)
        ) WITHOUT ROWID
        """

    /// The columns ``run(from:)`` decodes, in order.
    static let runColumns = "recipient, first_seq, last_seq, count, ranges"

    /// A recipient's runs that hold seqs after one, in seq order.
    static let selectRunsAfter = "SELECT \(runColumns) FROM inbox_runs WHERE recipient = ? AND last_seq > ? ORDER BY last_seq"

    /// `recipient`'s first run that holds seqs after `after` (the one that holds `after + 1`
    /// if any does), or nil.
    /// - Throws: ``StoreError`` `corrupt` when that row is not a run.
    static func firstRun(of recipient: String, after: Int64, _ db: Database) throws -> InboxRun? {
        try Row.fetchOne(db.cachedStatement(sql: selectRunsAfter + " LIMIT 1"), arguments: [recipient, after]).map { try run(from: $0) }
    }

    /// Adds runs, in the writer's transaction.
    static func insert(_ runs: [InboxRun], in db: Database) throws {
        guard !runs.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO inbox_runs (recipient, last_seq, first_seq, count, ranges) VALUES (?, ?, ?, ?, ?)")
        for run in runs {
            let bytes = run.encoded
            try bytes.withUnsafeBytes { ranges in
                try SQLiteRowWrite.run(statement, in: db) { row in
                    row.text(1, run.recipient)
                    row.int(2, run.lastSeq)
                    row.int(3, run.firstSeq)
                    row.int(4, Int64(run.count))
                    row.blob(5, ranges)
                }
            }
        }
    }

    /// The run a row of ``runColumns`` holds.
    /// - Throws: ``StoreError`` `corrupt` when the row is not a run.
    static func run(from row: Row) throws -> InboxRun {
        let recipient = try? row.decode(String.self, atIndex: 0)
        let lastSeq = try? row.decode(Int64.self, atIndex: 2)
        let decoded: InboxRun? =
            if let recipient, let first = try? row.decode(Int64.self, atIndex: 1), let lastSeq,
                let count = try? row.decode(Int64.self, atIndex: 3)
            {
                try? row.withUnsafeData(atIndex: 4) { data in
                    (data ?? Data()).withUnsafeBytes { bytes in
                        InboxRun.decode(recipient: recipient, firstSeq: first, lastSeq: lastSeq, count: count, bytes: bytes)
                    }
                }
            } else {
                nil
            }
        guard let decoded else {
            let which = lastSeq.map { "ending at seq \($0)" } ?? "with an unreadable key"
            throw StoreError(
                code: .corrupt, reason: "the inbox row of \(recipient ?? "an unreadable recipient") \(which) is damaged",
                seq: lastSeq.map { UInt64(max($0, 0)) })
        }
        return decoded
    }

    /// How many messages `recipient` has after `after`.
    static func pendingCount(recipient: String, after: Int64, _ db: Database) throws -> Int {
        switch try layout(db) {
        case .rows:
            return try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM inbox WHERE recipient = ? AND seq > ?"), arguments: [recipient, after])
                ?? 0
        case .runs:
            // Whole runs by their count; only the one that straddles `after` is decoded.
            let whole =
                try Int.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT SUM(count) FROM inbox_runs WHERE recipient = ? AND last_seq > ? AND first_seq > ?"),
                    arguments: [recipient, after, after]) ?? 0
            guard let run = try firstRun(of: recipient, after: after, db), run.firstSeq <= after else { return whole }
            return whole + run.count(after: after)
        }
    }

    /// `recipient`'s first seq after `after`, if any.
    static func firstPending(recipient: String, after: Int64, _ db: Database) throws -> Int64? {
        switch try layout(db) {
        case .rows:
            return try Int64.fetchOne(
                db, sql: "SELECT MIN(seq) FROM inbox WHERE recipient = ? AND seq > ?", arguments: [recipient, after])
        case .runs:
            return try firstRun(of: recipient, after: after, db)?.ranges(after: after).first?.lowerBound
        }
    }

    /// Every recipient with an inbox entry, in order, one index seek each (a skip scan).
    static func recipients(_ db: Database) throws -> [String] {
        let table = try layout(db) == .runs ? "inbox_runs" : "inbox"
        var recipients: [String] = []
        var next = try String.fetchOne(db, sql: "SELECT recipient FROM \(table) ORDER BY recipient LIMIT 1")
        while let recipient = next {
            recipients.append(recipient)
            next = try String.fetchOne(
                db, sql: "SELECT recipient FROM \(table) WHERE recipient > ? ORDER BY recipient LIMIT 1", arguments: [recipient])
        }
        return recipients
    }

    /// Entries by recipient (messages owed to it), in recipient order.
    static func countsByRecipient(_ db: Database) throws -> [JournalCount] {
        let sql =
            try layout(db) == .runs
            ? "SELECT recipient, SUM(count) FROM inbox_runs GROUP BY recipient ORDER BY recipient"
            : "SELECT recipient, count(*) FROM inbox GROUP BY recipient ORDER BY recipient"
        return try Row.fetchAll(db, sql: sql).map { JournalCount(key: $0[0] ?? "", count: $0[1] ?? 0) }
    }

    /// Every entry as (recipient, seq), in recipient then seq order, handed to `body`.
    /// - Returns: The errors of the rows that cannot be read, or that overlap the run before
    ///   them (whose entries are handed over all the same).
    @discardableResult
    static func forEachEntry(_ db: Database, _ body: (_ recipient: String, _ seq: Int64) throws -> Void) throws -> [StoreError] {
        var damaged: [StoreError] = []
        switch try layout(db) {
        case .rows:
            let cursor = try Row.fetchCursor(db, sql: "SELECT recipient, seq FROM inbox ORDER BY recipient, seq")
            while let row = try cursor.next() {
                guard let recipient = try? row.decode(String.self, atIndex: 0), let seq = try? row.decode(Int64.self, atIndex: 1)
                else {
                    damaged.append(StoreError(code: .corrupt, reason: "an inbox row cannot be read"))
                    continue
                }
                try body(recipient, seq)
            }
        case .runs:
            let cursor = try Row.fetchCursor(db, sql: "SELECT \(runColumns) FROM inbox_runs ORDER BY recipient, last_seq")
            var previous: InboxRun?
            while let row = try cursor.next() {
                let run: InboxRun
                do { run = try Self.run(from: row) } catch let error as StoreError {
                    damaged.append(error)
                    continue
                }
                if let previous, previous.recipient == run.recipient, run.firstSeq <= previous.lastSeq {
                    damaged.append(
                        StoreError(
                            code: .corrupt,
                            reason: "the inbox row of \(run.recipient) ending at seq \(run.lastSeq) overlaps the one before it",
                            seq: UInt64(max(run.lastSeq, 0))))
                }
                previous = run
                for range in run.ranges {
                    for seq in range { try body(run.recipient, seq) }
                }
            }
        }
        return damaged
    }

    /// Takes the seqs of `cut` out of every recipient's runs (the archiver, once it has
    /// sealed them), in the writer's transaction: runs inside it are deleted, the one or
    /// two that reach across an end are rewritten with what is left.
    static func remove(_ cut: ClosedRange<Int64>, _ db: Database) throws {
        let delete = try db.cachedStatement(sql: "DELETE FROM inbox_runs WHERE recipient = ? AND last_seq = ?")
        for recipient in try recipients(db) {
            var straddling: [InboxRun] = []
            if let run = try firstRun(of: recipient, after: cut.lowerBound - 1, db), run.firstSeq < cut.lowerBound {
                straddling.append(run)
            }
            try db.execute(
                sql: "DELETE FROM inbox_runs WHERE recipient = ? AND last_seq BETWEEN ? AND ? AND first_seq >= ?",
                arguments: [recipient, cut.lowerBound, cut.upperBound, cut.lowerBound])
            if let run = try firstRun(of: recipient, after: cut.upperBound, db), run.firstSeq <= cut.upperBound, run != straddling.first {
                straddling.append(run)
            }
            for run in straddling {
                try delete.execute(arguments: [recipient, run.lastSeq])
                let (before, after) = run.removing(cut)
                try insert([before, after].compactMap { $0 }, in: db)
            }
        }
    }

    /// The v8 upgrade: every `inbox` row into `inbox_runs`, each recipient's seqs cut into
    /// runs of at most ``InboxRun/maxSeqs``, and `inbox` dropped.
    static func upgrade(_ db: Database) throws {
        try db.execute(sql: createRuns)
        var builder = InboxRunBuilder()
        let cursor = try Row.fetchCursor(db, sql: "SELECT recipient, seq FROM inbox ORDER BY recipient, seq")
        var current: String?
        while let row = try cursor.next() {
            let recipient: String = try row.decode(String.self, atIndex: 0)
            let seq: Int64 = try row.decode(Int64.self, atIndex: 1)
            guard seq > 0 else { continue }
            if recipient != current, current != nil {
                try insert(builder.runs(), in: db)
                builder = InboxRunBuilder()
            }
            current = recipient
            builder.add(seq, recipient: recipient)
        }
        try insert(builder.runs(), in: db)
        try db.execute(sql: "DROP TABLE inbox")
    }
}
