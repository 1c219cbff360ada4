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
        try reading("read the cluster's nodes") { link in
            try link.rows(
                """
                SELECT name, endpoint, started_at_us, (extract(epoch FROM seen_at) * 1000000)::bigint,
                    (extract(epoch FROM clock_timestamp() - seen_at) * 1000)::bigint, parties, head_seq, leads_flows
                FROM cluster_nodes ORDER BY name
                """
            ).map { row in
                let (name, endpoint, started, seen, silent, parties, head, leads) = try row.decode(
                    (String, String, Int64, Int64, Int64, [String], Int64, Bool).self)
                return ClusterNode(
                    name: name, endpoint: endpoint, startedAtUs: started, seenAtUs: seen, silentMs: silent, parties: parties,
                    headSeq: UInt64(max(head, 0)), leadsFlows: leads)
            }
        }
    }

    public func clusterStatus() throws -> ClusterStatus {
        let nodes = try clusterNodes()
        return try reading("read the cluster's state") { link in
            let lease = try link.rows(
                """
                SELECT holder, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint
                FROM flow_lease WHERE id = 1 AND expires_at > '-infinity'
                """
            ).first.map { try $0.decode((String, Int64).self) }
            let standbys = try link.rows(
                """
                SELECT application_name, COALESCE(host(client_addr), ''), COALESCE(state, ''), COALESCE(sync_state, ''),
                    (extract(epoch FROM replay_lag) * 1000)::bigint
                FROM pg_stat_replication ORDER BY application_name
                """
            ).map { row in
                let (name, address, state, sync, lag) = try row.decode((String, String, String, String, Int64?).self)
                return ClusterStatus.Standby(name: name, address: address, state: state, syncState: sync, replayLagMs: lag)
            }
            let names = try link.rows("SELECT current_setting('synchronous_standby_names')").first.map { try $0.decode(String.self) }
            let live = lease.flatMap { $0.1 > 0 ? $0.0 : nil }
            return ClusterStatus(
                primary: link.host.description, standbys: standbys, synchronousStandbyNames: names ?? "", nodes: nodes,
                flowLeader: live.map { String($0.split(separator: "/").first ?? Substring($0)) }, flowLeaseExpiresInMs: lease?.1)
        }
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
