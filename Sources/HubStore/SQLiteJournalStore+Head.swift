import Foundation
import GRDB
import Logging

/// Opening checks against the head record (``HeadRecord``): the journal must hold every
/// record the hub last recorded as committed.
extension SQLiteJournalStore {
    /// What the head check found.
    enum HeadCheck {
        /// No head record (a new journal, or one written before head records).
        case missing(journalHead: UInt64)
        /// The journal holds what the head record says; `slot` is the record's valid slot.
        case agrees(HeadRecord.Mark, slot: Int)
        /// The journal is behind its head record, or the record is unreadable.
        case failed(StoreError)
    }

    /// Compares the journal in `pool` with its head record at `headPath`.
    static func checkHead(pool: DatabasePool, journal: String, headPath: String) throws -> HeadCheck {
        let content = try HeadRecord.read(path: headPath)
        let (storedHead, chainThere) = try pool.read { db -> (Int64, [UInt8]?) in
            // A new file has no tables yet (the migrator makes them after this check).
            guard try db.tableExists("messages") else { return (0, nil) }
            let head = try Int64.fetchOne(db, sql: JournalSQL.selectHead) ?? 0
            guard case .found(let mark, _) = content, mark.seq > 0, mark.seq <= UInt64(max(head, 0)) else { return (head, nil) }
            // A journal too old to have chain values cannot match a head record.
            let chain = try? Data.fetchOne(db, sql: "SELECT chain FROM messages WHERE seq = ?", arguments: [Int64(mark.seq)])
            return (head, chain.flatMap { $0 }.map { [UInt8]($0) })
        }
        let head = UInt64(max(storedHead, 0))
        let rescue =
            "`swhub verify --journal \(journal)` shows the damage; `swhub serve --salvage` starts the hub read-only to deliver what is left; "
            + "if this journal was put back on purpose and the loss is accepted, remove \(headPath) and the hub starts from it"
        switch content {
        case .missing:
            return .missing(journalHead: head)
        case .unreadable:
            return .failed(
                StoreError(
                    code: .corrupt,
                    reason: "the head record \(headPath) is damaged (neither of its two slots is valid), so the journal "
                        + "\(journal) cannot be checked against what was committed. If the journal is intact "
                        + "(`swhub verify --journal \(journal)`), move \(headPath) away and the hub creates it anew; "
                        + "`swhub serve --salvage` starts the hub read-only meanwhile"))
        case .found(let mark, let slot):
            if mark.seq > head {
                let missing = mark.seq - head
                let seqs = missing == 1 ? "seq \(mark.seq)" : "seqs \(head + 1)…\(mark.seq)"
                return .failed(
                    StoreError(
                        code: .journalBehind,
                        reason: "the journal \(journal) ends at seq \(head), but its head record \(headPath) says seq "
                            + "\(mark.seq) was committed: \(missing) committed record(s) are missing (\(seqs)); the journal "
                            + "was restored from an older copy or its disk lost writes. \(rescue)"))
            }
            if mark.seq > 0 && chainThere != mark.chain {
                return .failed(
                    StoreError(
                        code: .journalBehind,
                        reason: "the journal \(journal) does not hold the record committed at seq \(mark.seq) (its chain "
                            + "value differs from the head record \(headPath)): the journal was replaced or rewritten, and "
                            + "committed records up to seq \(mark.seq) may be missing. \(rescue)",
                        seq: mark.seq))
            }
            return .agrees(mark, slot: slot)
        }
    }

    /// The head record to write after each commit, created when missing and brought up to
    /// the journal's head when the last commit's record did not land.
    static func openHeadRecord(_ check: HeadCheck, path: String, mark: HeadRecord.Mark, logger: Logger) throws -> HeadRecord {
        switch check {
        case .missing(let journalHead):
            if journalHead > 0 {
                logger.notice(
                    "the journal had no head record (written by an earlier version): created it",
                    metadata: ["head_record": "\(path)", "head": "\(journalHead)"])
            }
            try HeadRecord.create(path: path, mark: mark)
            return try HeadRecord(path: path, current: 0)
        case .agrees(let recorded, let slot):
            let record = try HeadRecord(path: path, current: slot)
            if mark.seq > recorded.seq { try record.write(mark) }
            return record
        case .failed(let error):
            throw error
        }
    }

    /// A read-only open only reports what the head check found.
    static func logReadOnly(_ check: HeadCheck, logger: Logger) {
        switch check {
        case .missing:
            logger.warning("the journal has no head record: not checked for lost records")
        case .agrees(let mark, _):
            logger.notice("the journal holds every record its head record says was committed", metadata: ["recorded_head": "\(mark.seq)"])
        case .failed(let error):
            logger.critical("the journal is damaged; serving what is left, read-only", metadata: ["error": "\(error)"])
        }
    }
}
