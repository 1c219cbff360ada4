import HubStore
import PostgresNIO

/// The cluster's state as one connection reads it: for the store (a running node) and for
/// ``PostgresJournalQueries`` (`swhub status --cluster`, which neither migrates nor writes).
extension PostgresLink {
    /// Every node that ever registered, with how long each has been silent.
    func clusterNodes() throws -> [ClusterNode] {
        try rows(
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

    /// The nodes, the flows' lease and the replication of the server this link reached.
    func clusterStatus() throws -> ClusterStatus {
        let nodes = try clusterNodes()
        let lease = try rows(
            """
            SELECT holder, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint
            FROM flow_lease WHERE id = 1 AND expires_at > '-infinity'
            """
        ).first.map { try $0.decode((String, Int64).self) }
        let standbys = try rows(
            """
            SELECT application_name, COALESCE(host(client_addr), ''), COALESCE(state, ''), COALESCE(sync_state, ''),
                (extract(epoch FROM replay_lag) * 1000)::bigint
            FROM pg_stat_replication ORDER BY application_name
            """
        ).map { row in
            let (name, address, state, sync, lag) = try row.decode((String, String, String, String, Int64?).self)
            return ClusterStatus.Standby(name: name, address: address, state: state, syncState: sync, replayLagMs: lag)
        }
        let names = try rows("SELECT current_setting('synchronous_standby_names')").first.map { try $0.decode(String.self) }
        let live = lease.flatMap { $0.1 > 0 ? $0.0 : nil }
        return ClusterStatus(
            primary: host.description, standbys: standbys, synchronousStandbyNames: names ?? "", nodes: nodes,
            flowLeader: live.map { String($0.split(separator: "/").first ?? Substring($0)) }, flowLeaseExpiresInMs: lease?.1)
    }
}
