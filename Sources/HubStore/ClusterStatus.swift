/// What an operator sees of a hub cluster (`swhub status --cluster`): the nodes, which one
/// runs the flows, and the database's replication.
public struct ClusterStatus: Sendable, Equatable, Codable {
    /// One standby of the database primary, as the primary sees it (`pg_stat_replication`).
    public struct Standby: Sendable, Equatable, Codable {
        /// Its `application_name`.
        public var name: String
        /// Its address, when the primary shows it.
        public var address: String
        /// Streaming, catchup, …
        public var state: String
        /// `sync` (commits wait for it), `potential`, `quorum` or `async`.
        public var syncState: String
        /// How far its replay is behind the primary, milliseconds (nil: unknown, or none).
        public var replayLagMs: Int64?

        public init(name: String, address: String, state: String, syncState: String, replayLagMs: Int64?) {
            self.name = name
            self.address = address
            self.state = state
            self.syncState = syncState
            self.replayLagMs = replayLagMs
        }
    }

    /// The database server the hub writes to (`HOST:PORT`).
    public var primary: String
    /// Its standbys.
    public var standbys: [Standby]
    /// The setting commits wait for standbys by (`synchronous_standby_names`; empty: none).
    public var synchronousStandbyNames: String
    /// The hub nodes.
    public var nodes: [ClusterNode]
    /// The node holding the flows' lease, nil when the lease has expired.
    public var flowLeader: String?
    /// When the lease runs out, milliseconds from now (negative: expired).
    public var flowLeaseExpiresInMs: Int64?

    public init(
        primary: String, standbys: [Standby], synchronousStandbyNames: String, nodes: [ClusterNode], flowLeader: String?,
        flowLeaseExpiresInMs: Int64?
    ) {
        self.primary = primary
        self.standbys = standbys
        self.synchronousStandbyNames = synchronousStandbyNames
        self.nodes = nodes
        self.flowLeader = flowLeader
        self.flowLeaseExpiresInMs = flowLeaseExpiresInMs
    }
}
