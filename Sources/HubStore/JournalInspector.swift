import Foundation
import GRDB

/// Read-only access to a journal file for operators' commands (`swhub status`,
/// `swhub stats`), safe beside a running hub: SQLite in WAL mode lets readers in while the
/// hub writes, and this never writes, checkpoints or migrates.
public final class JournalInspector: Sendable {
    private let queue: DatabaseQueue
    /// The journal file's path.
    private let path: String

    /// Counts of messages grouped by one or two columns.
    public struct Count: Sendable, Equatable {
        public var key: String
        public var count: Int
    }

    /// Opens `path` read-only.
    /// - Throws: ``StoreError`` `openFailed` when the file is missing or not a journal.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .openFailed, reason: "no journal at \(path)")
        }
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "HubStore.inspector"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM messages LIMIT 1") }
        } catch {
            throw StoreError(code: .openFailed, reason: "\(path) is not a readable journal: \(error)")
        }
    }

    /// The messages of `sender` whose ids start with `prefix`, in seq order.
    public func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        try read {
            try JournalSQL.fetchRecords($0, sql: JournalSQL.selectBySenderAndIdPrefix, arguments: [sender, prefix, prefix + "\u{10FFFF}"])
        }
    }

    /// Every message of `type`, in seq order, from `after` on, at most `limit`.
    public func records(type: String, after: UInt64, limit: Int) throws -> [JournalRecord] {
        try read {
            try JournalSQL.fetchRecords($0, sql: JournalSQL.selectByTypes(count: 1), arguments: [Int64(clamping: after), type, limit])
        }
    }

    /// Messages by type.
    public func countsByType() throws -> [Count] {
        try counts("SELECT type, count(*) FROM messages GROUP BY type ORDER BY type")
    }

    /// Messages by sender.
    public func countsBySender() throws -> [Count] {
        try counts("SELECT sender, count(*) FROM messages GROUP BY sender ORDER BY sender")
    }

    /// Deliveries owed, by recipient (one per message addressed to it).
    public func countsByRecipient() throws -> [Count] {
        try counts("SELECT recipient, count(*) FROM inbox GROUP BY recipient ORDER BY recipient")
    }

    /// Messages by UTC day (YYYY-MM-DD) of journaling.
    public func countsByDay() throws -> [Count] {
        try counts("SELECT date(journaled_at_us / 1000000, 'unixepoch'), count(*) FROM messages GROUP BY 1 ORDER BY 1")
    }

    /// Every party's acknowledgement position.
    public func ackPositions() throws -> [Count] {
        try counts("SELECT party, acked_seq FROM cursors ORDER BY party")
    }

    /// What `verify` found.
    public struct ChainReport: Sendable, Equatable {
        /// Rows checked.
        public var records: Int
        /// The last row's seq and its link of the chain, hex: keep it (an anchor) to detect
        /// later a rewrite of the whole chain or rows removed from the end.
        public var headSeq: UInt64
        public var headChain: String
        /// The first row where the chain breaks, nil when it holds.
        public var problem: String?
    }

    /// Walks the hash chain (`JournalChain`) from the first row and names the first row that
    /// was altered, or the first seq that was removed; then checks the journal against its
    /// head record (`<journal>-head`, when there is one): committed records missing at the
    /// end, or a journal other than the one the hub committed to, are named too.
    public func verify() throws -> ChainReport {
        // Read before the journal: the hub writes the record only after a commit, so the
        // journal read next holds at least what it says.
        let headPath = HeadRecord.path(journal: path)
        let content = try HeadRecord.read(path: headPath)
        var recorded: HeadRecord.Mark?
        if case .found(let mark, _) = content { recorded = mark }
        var report = try walkChain(checking: recorded)
        if report.problem == nil && content == .unreadable {
            report.problem =
                "the head record \(headPath) is damaged (neither of its two slots is valid): records missing at the end "
                + "cannot be found"
        }
        if report.problem == nil, let recorded {
            if recorded.seq > report.headSeq {
                let missing = recorded.seq - report.headSeq
                let seqs = missing == 1 ? "seq \(recorded.seq)" : "seqs \(report.headSeq + 1)…\(recorded.seq)"
                report.problem =
                    "\(missing) committed record(s) are missing at the end (\(seqs)): the head record \(headPath) says seq "
                    + "\(recorded.seq) was committed"
            }
        }
        return report
    }

    /// The chain walk of ``verify()``; `recorded` is the head record's mark, whose chain
    /// value must be the journal's at its seq.
    private func walkChain(checking recorded: HeadRecord.Mark?) throws -> ChainReport {
        try read { db in
            var previous = JournalChain.genesis
            var lastSeq: Int64 = 0
            var records = 0
            while true {
                let rows = try Row.fetchAll(db, sql: JournalSQL.selectChained, arguments: [lastSeq, 5000])
                guard !rows.isEmpty else { break }
                for row in rows {
                    let seq = try row.decode(Int64.self, atIndex: 0)
                    let sender = (try? row.decode(String.self, atIndex: 1)) ?? "?"
                    let id = (try? row.decode(String.self, atIndex: 2)) ?? "?"
                    let who = "seq \(seq) (sender \(sender), id \(id))"
                    if seq != lastSeq + 1 {
                        let missing = seq - 1 == lastSeq + 1 ? "seq \(lastSeq + 1) is" : "seqs \(lastSeq + 1)…\(seq - 1) are"
                        return ChainReport(
                            records: records, headSeq: UInt64(lastSeq), headChain: JournalChain.hex(previous),
                            problem: "\(missing) missing: removed before \(who)")
                    }
                    guard let link = try? JournalChain.link(previous: previous, row: row) else {
                        return ChainReport(
                            records: records, headSeq: UInt64(lastSeq), headChain: JournalChain.hex(previous),
                            problem: "\(who) cannot be read: a value cannot be decoded")
                    }
                    let stored = row.hasNull(atIndex: 9) ? nil : (try? row.decode(Data.self, atIndex: 9)).map { [UInt8]($0) }
                    guard stored == link else {
                        return ChainReport(
                            records: records, headSeq: UInt64(lastSeq), headChain: JournalChain.hex(previous),
                            problem: stored == nil
                                ? "\(who) has no chain value" : "\(who) was altered: its content no longer gives its chain value")
                    }
                    if let recorded, recorded.seq == UInt64(seq), recorded.chain != link {
                        return ChainReport(
                            records: records, headSeq: UInt64(lastSeq), headChain: JournalChain.hex(previous),
                            problem: "\(who) is not the record the hub committed there (its chain value differs from the head "
                                + "record \(HeadRecord.path(journal: path))): the journal was replaced or rewritten")
                    }
                    previous = link
                    lastSeq = seq
                    records += 1
                }
            }
            return ChainReport(records: records, headSeq: UInt64(lastSeq), headChain: JournalChain.hex(previous), problem: nil)
        }
    }

    /// The journal's head seq.
    public func headSeq() throws -> UInt64 {
        try read { UInt64(try Int64.fetchOne($0, sql: JournalSQL.selectHead) ?? 0) }
    }

    private func counts(_ sql: String) throws -> [Count] {
        try read { db in
            try Row.fetchAll(db, sql: sql).map { Count(key: $0[0] ?? "", count: $0[1] ?? 0) }
        }
    }

    func read<R>(_ body: (Database) throws -> R) throws -> R {
        do {
            return try queue.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .readFailed, reason: "\(error)")
        }
    }
}
