import HubLifecycle

/// A journal that several writers append to at once: the hub nodes of a cluster sharing
/// one PostgreSQL database.
///
/// Each node's writer learns what the others journaled in two ways, and hands those
/// records to its router in seq order before its own, so every recipient still gets its
/// messages in seq order, each once:
/// - after each of its own appends, from ``appendReportingHead(_:acks:progress:)``'s
///   `previousHead`: the seqs between the head it knew and that one are the others';
/// - while idle, from the head watcher (``headWatcher(_:)``), which reports each new head
///   another writer committed.
/// It reads those seqs with ``records(after:through:limit:)``.
public protocol SharedJournal: JournalStore {
    /// ``JournalStore/append(_:acks:progress:)``, also returning the committed head just
    /// before this batch's first seq (nil when the batch journaled nothing new and took no
    /// position in the sequence).
    ///
    /// - Parameters:
    ///   - batch: The messages to journal, in order.
    ///   - acks: Acknowledgement positions to save, by party.
    ///   - progress: Progress marks to log.
    /// - Returns: One outcome per entry, and the head before the batch.
    func appendReportingHead(
        _ batch: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]
    ) throws -> (outcomes: [AppendOutcome], previousHead: UInt64?)

    /// Every record with `after < seq <= through`, in seq order, at most `limit`, checked
    /// against its checksum: a damaged one ends the result (``FetchResult/damaged``).
    ///
    /// - Parameters:
    ///   - after: Only records with a greater seq.
    ///   - through: Only records up to this seq.
    ///   - limit: The most records to return.
    /// - Returns: The records and the journal's head as seen by the same read.
    func records(after: UInt64, through: UInt64, limit: Int) throws -> FetchResult

    /// A thread that watches the journal's head and calls `onAdvance` with each head seq it
    /// sees (soon after any writer commits; values may repeat or skip ahead), until stopped.
    ///
    /// - Parameters:
    ///   - onAdvance: Called on the watcher's thread.
    /// - Returns: The watcher, to run before the parts it reports to.
    func headWatcher(_ onAdvance: @escaping @Sendable (UInt64) -> Void) -> ThreadLoopService
}

/// What a node reports about itself to the cluster, each second.
public struct ClusterReport: Sendable, Equatable {
    /// The parties with a receiving session on this node.
    public var parties: [String]
    /// The journal's head as handed to this node's router.
    public var headSeq: UInt64

    public init(parties: [String], headSeq: UInt64) {
        self.parties = parties
        self.headSeq = headSeq
    }
}

/// The coordination of hub nodes sharing a journal: who they are, and which one runs the
/// single-window flows (a lease in the database, renewed each second by its holder; a node
/// that cannot renew it steps down before it expires, and another takes it over once it
/// has expired). The flow leader saves the flows' snapshots in the shared journal
/// (``FlowSnapshotStore``), so a new leader reads only the journal after the newest.
public protocol ClusterCoordination: SharedJournal, FlowSnapshotStore {
    /// A thread that registers this node, reports it each second (`report` is called on
    /// that thread), and, when `wantsFlows`, holds or takes over the flows' lease, calling
    /// `onLeadership` on each change (true: this node now runs the flows; false: it must
    /// stop at once).
    func membership(
        node: String, endpoint: String, wantsFlows: Bool, report: @escaping @Sendable () -> ClusterReport,
        onLeadership: @escaping @Sendable (Bool) -> Void
    ) -> ThreadLoopService

    /// Every node that ever registered, with how long each has been silent.
    func clusterNodes() throws -> [ClusterNode]

    /// The nodes, the flows' lease and the database's replication.
    func clusterStatus() throws -> ClusterStatus
}
