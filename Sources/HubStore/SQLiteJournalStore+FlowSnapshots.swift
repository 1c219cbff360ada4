import Foundation
import GRDB

/// The flows' saved states in the `flow_snapshots` table (migration v6).
extension SQLiteJournalStore: FlowSnapshotStore {
    public func saveFlowSnapshot(seq: UInt64, bytes: [UInt8]) throws {
        try refuseIfReadOnly("save the flows' snapshot")
        let stored = try JournalSQL.storable(seq, what: "flows' snapshot seq", code: .writeFailed)
        try writing("save the flows' snapshot") {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO flow_snapshots (seq, saved_at_us, bytes) VALUES (?, ?, ?)",
                    arguments: [stored, WallClock.nowMicroseconds(), Data(bytes)])
                try db.execute(
                    sql: "DELETE FROM flow_snapshots WHERE seq NOT IN (SELECT seq FROM flow_snapshots ORDER BY seq DESC LIMIT ?)",
                    arguments: [keptFlowSnapshots])
            }
        }
    }

    public func flowSnapshotSeqs() throws -> [UInt64] {
        try reading("list the flows' snapshots") {
            try pool.read { db in
                guard try db.tableExists("flow_snapshots") else { return [] }
                return try Int64.fetchAll(db, sql: "SELECT seq FROM flow_snapshots ORDER BY seq DESC").map { UInt64(max($0, 0)) }
            }
        }
    }

    public func flowSnapshot(seq: UInt64) throws -> [UInt8]? {
        let stored = try JournalSQL.storable(seq, what: "flows' snapshot seq", code: .readFailed)
        return try reading("read the flows' snapshot") {
            try pool.read { db in
                guard try db.tableExists("flow_snapshots") else { return nil }
                return try Data.fetchOne(db, sql: "SELECT bytes FROM flow_snapshots WHERE seq = ?", arguments: [stored]).map { [UInt8]($0) }
            }
        }
    }

    /// The seq of the newest saved flows' state (nil when none): the archiver keeps the
    /// journal after it, which a restart reads.
    public func latestFlowSnapshotSeq() throws -> UInt64? {
        try flowSnapshotSeqs().first
    }
}
