import HubLifecycle
import HubStore
import NIOCore
import PostgresNIO

/// The cluster's coordination in the journal's database: the nodes and the flows' lease
/// (the flows' snapshots: `PostgresJournalStore+FlowSnapshots.swift`).
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
}
