import HubCore
import HubProtocol
import HubTestSupport
import Testing

/// A router over a journal served read-only (`swhub serve --salvage`): deliveries go on,
/// SUBMITs are refused before the journal, acknowledgements stay in memory.
@Suite("RouterCore: read-only (salvage)")
struct ReadOnlyTests {
    @Test func submitsAreRefusedAndNothingIsWritten() throws {
        let writing = try TestConfig.harness()
        let sender = writing.connect("enterprise")
        writing.submit(sender, id: "n1")
        writing.submit(sender, id: "n2")
        #expect(sender.accepted.map(\.seq) == [1, 2])

        var config = try TestConfig.config()
        config.settings.readOnly = true
        let salvage = try RouterHarness(config: config, store: writing.store)
        let receiver = salvage.connect("customs")
        salvage.hello(receiver, credit: 10)
        #expect(receiver.deliveries.map(\.header.id) == ["n1", "n2"])
        salvage.ack(receiver, 2)

        let late = salvage.connect("enterprise")
        salvage.submit(late, id: "n3")
        #expect(late.accepted.isEmpty)
        #expect(late.errors.map(\.code) == [HubErrorCode.readOnly.rawValue])
        #expect(late.errors.first?.id == "n3")
        #expect(salvage.commits.isEmpty, "nothing reaches the journal")

        salvage.advance(by: .seconds(5))
        salvage.ping(receiver)
        #expect(try writing.store.ackPositions()["customs"] == nil, "acknowledgements are not saved")
        #expect(try writing.store.headSeq() == 2)
        #expect(salvage.core.acked["customs"] == 2, "but kept in memory")
    }
}
