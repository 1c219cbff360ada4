import HubCore
import HubRouting
import HubStore

extension Hub {
    /// The flows' engine of a hub on `store`. One hub on SQLite reads the release notices
    /// its flows hold for queries back from the journal, so that they leave memory
    /// (``FlowEngine/heldBodies``), unless the config archives records sooner than the
    /// flows hold them (`archive.live_for` under `flows.keep_finished_hours`): an archived
    /// record is read from its segment, a slow scan. A cluster's nodes keep them in memory.
    ///
    /// - Parameters:
    ///   - config: The hub's config, whose `flows` must be set.
    ///   - policy: Its sharing policy.
    ///   - store: The hub's journal.
    ///   - seal: Opens the personal fields sealed in the journal's bodies; nil when none are.
    /// - Returns: A fresh engine, to restore and bring up to date (``Router``).
    public static func flowEngine(
        config: HubConfig, policy: RedactionPolicy, store: any JournalStore, seal: PersonalDataSeal? = nil
    ) -> FlowEngine {
        var engine = FlowEngine(config: config, policy: policy)
        let keptUs = engine.flowSettings.keepFinishedMs * 1000
        let archivedSooner = config.archive.map { $0.liveForUs < keptUs } ?? false
        if store is any FlowSnapshotStore, !(store is any ClusterCoordination), !archivedSooner {
            engine.heldBodies = JournalHeldBodies(store: store, seal: seal)
        }
        return engine
    }
}
