import HubCore
import HubServer
import HubTestSupport
import Testing

/// Where a hub's flows read back the release notices they hold for queries
/// (``FlowEngine/heldBodies``): from the journal of one hub, unless it archives records
/// sooner than the flows hold them.
@Suite("Hub: held release notices read back from the journal")
struct HubHeldBodiesTests {
    @Test func oneHubReadsThemFromItsJournalUnlessItArchivesSooner() throws {
        let hub = try TestHub(parties: FlowWorld.cast, types: ["demo.Note"], flows: [])
        var config = try HubConfig.load(path: hub.configPath)
        let policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        let store = InMemoryJournalStore()
        #expect(Hub.flowEngine(config: config, policy: policy, store: store).heldBodies != nil)
        // Archived after an hour, held for 24: the notices stay in memory.
        config.archive = HubConfig.Archive(directory: "/nonexistent/archive", liveForUs: 3_600_000_000)
        #expect(Hub.flowEngine(config: config, policy: policy, store: store).heldBodies == nil)
        config.archive = HubConfig.Archive(directory: "/nonexistent/archive", liveForUs: 2 * 86_400_000_000)
        #expect(Hub.flowEngine(config: config, policy: policy, store: store).heldBodies != nil)
    }
}
