import HubLifecycle
import HubStore
import NIOCore
import PostgresNIO

/// The cluster's coordination in the journal's database: the nodes, the flows' lease and
/// the flows' snapshots.
extension PostgresJournalStore: ClusterCoordination {
    public func membership(
        node: String, endpoint: String, wantsFlows: Bool, report: @escaping @Sendable () -> ClusterReport,
        onLeadership: @escaping @Sendable (Bool) -> Void
    ) -> ThreadLoopService {
        PostgresClusterMember(
            pool: pool, name: node, endpoint: endpoint, wantsFlows: wantsFlows, report: report, onLeadership: onLeadership,
            logger: logger
        ).service
    }

    public func clusterNodes() throws -> [ClusterNode] {
        try reading("read the cluster's nodes") { try $0.clusterNodes() }
    }

    public func clusterStatus() throws -> ClusterStatus {
        try reading("read the cluster's state") { try $0.clusterStatus() }
    }

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
                // The last three are kept: a damaged newest one still leaves an older one.
                try link.execute(
                    "DELETE FROM flow_snapshots WHERE seq < ALL (SELECT seq FROM flow_snapshots ORDER BY seq DESC LIMIT 3)")
            }
        }
    }

    public func latestFlowSnapshot() throws -> (seq: UInt64, bytes: [UInt8])? {
        try reading("read the flows' snapshot") { link in
            guard let row = try link.rows("SELECT seq, state FROM flow_snapshots ORDER BY seq DESC LIMIT 1").first else { return nil }
            let (seq, state) = try row.decode((Int64, ByteBuffer).self)
            return (try PostgresRecords.seq(seq), Array(state.readableBytesView))
        }
    }
}
