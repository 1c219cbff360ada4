import Foundation
import GRDB

/// ``ArchiveStorage`` on a SQLite journal through a GRDB writer (the hub's pool, or a queue
/// of its own for `swhub archive run`). SQLite's locks serialize commits, and the seal's
/// transaction checks the manifest's end, so no lock of its own is needed.
public struct SQLiteArchiveStorage: ArchiveStorage {
    let writer: any DatabaseWriter

    /// - Parameters:
    ///   - writer: The journal's writer.
    public init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    public func archiveEntries() throws -> [ArchiveManifest.Entry] {
        try writer.read { db in try ArchiveManifest.entries(db) }
    }

    public func archiveHeadSeq() throws -> UInt64 {
        try writer.read { db in UInt64(max(try Int64.fetchOne(db, sql: JournalSQL.selectHead) ?? 0, 0)) }
    }

    public func archiveJournaledAtUs(seq: UInt64) throws -> Int64? {
        guard let stored = Int64(exactly: seq) else { return nil }
        return try writer.read { db in try Int64.fetchOne(db.cachedStatement(sql: JournalSQL.selectJournaledAt), arguments: [stored]) }
    }

    public func archiveFirstUnacknowledged() throws -> [String: UInt64] {
        try writer.read { db in
            var acks: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: JournalSQL.selectAcks) {
                let party: String = row[0]
                let seq: Int64 = row[1]
                acks[party] = seq
            }
            var pending: [String: UInt64] = [:]
            for party in try InboxTable.recipients(db) {
                if let first = try InboxTable.firstPending(recipient: party, after: acks[party] ?? 0, db), first > 0 {
                    pending[party] = UInt64(first)
                }
            }
            return pending
        }
    }

    public func archiveNewestFlowSnapshotSeq() throws -> UInt64? {
        try writer.read { db in
            guard try db.tableExists("flow_snapshots") else { return nil }
            return try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM flow_snapshots").map { UInt64(max($0, 0)) }
        }
    }

    public func archiveLiveRecords(first: UInt64, last: UInt64) throws -> [ArchiveSegment.Record] {
        try writer.read { db in
            var records: [ArchiveSegment.Record] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain, crc
                    FROM messages WHERE seq BETWEEN ? AND ? ORDER BY seq
                    """, arguments: [Int64(first), Int64(last)])
            while let row = try rows.next() {
                let fields = try JournalChain.Fields(row)
                let chain: Data? = row[9]
                let crc: Int64? = row[10]
                guard let chain, let crc else {
                    throw StoreError(
                        code: .corrupt, reason: "journal record seq \(fields.seq) has no chain link or checksum",
                        seq: UInt64(max(fields.seq, 0)))
                }
                let record = JournalRecord(
                    seq: UInt64(max(fields.seq, 0)), sender: fields.sender, id: fields.id, type: fields.type,
                    recipients: JournalSQL.splitRecipients(fields.recipients), correlationId: fields.correlationId,
                    createdAtUs: fields.createdAtUs, journaledAtUs: fields.journaledAtUs, body: [UInt8](fields.body))
                records.append(ArchiveSegment.Record(record: record, recipients: fields.recipients, chain: [UInt8](chain), crc: crc))
            }
            return records
        }
    }

    public func archiveCommit(_ entry: ArchiveManifest.Entry, archivedUpTo: UInt64) throws {
        try writer.write { db in
            guard try ArchiveManifest.archivedUpTo(db) == archivedUpTo else {
                throw StoreError(code: .writeFailed, reason: "another archiver sealed seqs after \(archivedUpTo) meanwhile")
            }
            try ArchiveManifest.insert(entry, db)
            try db.execute(
                sql: "DELETE FROM messages WHERE seq BETWEEN ? AND ?", arguments: [Int64(entry.firstSeq), Int64(entry.lastSeq)])
            try InboxTable.remove(Int64(entry.firstSeq)...Int64(entry.lastSeq), db)
        }
    }

    public func archiveMarkDeleted(firstSeq: UInt64, atUs: Int64) throws {
        try writer.write { db in try ArchiveManifest.markDeleted(firstSeq: firstSeq, atUs: atUs, db) }
    }

    public func archiveExclusively<R>(_ body: () throws -> R) throws -> R? {
        try body()
    }
}
