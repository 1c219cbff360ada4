import HubStore
import NIOCore
import PostgresNIO

/// The flows' saved states in the `flow_snapshots` table: one hub on PostgreSQL starts from
/// the newest usable one as a SQLite hub does (``FlowSnapshotLoader``), and in a cluster the
/// flow leader saves them so a new leader reads only the journal after the newest.
extension PostgresJournalStore: FlowSnapshotStore {
    public func saveFlowSnapshot(seq: UInt64, bytes: [UInt8]) throws {
        let stored = try PostgresRecords.storable(seq, what: "snapshot seq", code: .writeFailed)
        try writing("save the flows' snapshot") { link in
            try link.transaction {
                var binds = PostgresBindings()
                binds.append(stored)
                binds.append(WallClock.nowMicroseconds())
                binds.append(ByteBuffer(bytes: bytes))
                try link.execute(
                    """
                    INSERT INTO flow_snapshots (seq, taken_at_us, state) VALUES ($1, $2, $3)
                    ON CONFLICT (seq) DO UPDATE SET taken_at_us = $2, state = $3
                    """, binds)
                // The newest few are kept: a damaged newest one still leaves an older one.
                try link.execute(
                    "DELETE FROM flow_snapshots WHERE seq < ALL (SELECT seq FROM flow_snapshots ORDER BY seq DESC LIMIT \(keptFlowSnapshots))"
                )
            }
        }
    }

    public func flowSnapshotSeqs() throws -> [UInt64] {
        try reading("list the flows' snapshots") { link in
            try link.rows("SELECT seq FROM flow_snapshots ORDER BY seq DESC").map { try PostgresRecords.seq($0.decode(Int64.self)) }
        }
    }

    public func flowSnapshot(seq: UInt64) throws -> [UInt8]? {
        let stored = try PostgresRecords.storable(seq, what: "snapshot seq", code: .readFailed)
        return try reading("read the flows' snapshot") { link in
            var binds = PostgresBindings()
            binds.append(stored)
            return try link.rows("SELECT state FROM flow_snapshots WHERE seq = $1", binds).first.map {
                Array(try $0.decode(ByteBuffer.self).readableBytesView)
            }
        }
    }

    /// The seq of the newest saved flows' state (nil when none): the archiver keeps the
    /// journal after it, which a restart reads.
    public func latestFlowSnapshotSeq() throws -> UInt64? {
        try flowSnapshotSeqs().first
    }
}
