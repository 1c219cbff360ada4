import Foundation
import HubLifecycle
import HubStore
import HubThreads
import Testing

/// Automatic checkpoints are off on the journal's writer: the WAL is copied into the
/// database file by the store's checkpointer, which runs only as a service (in the hub's
/// group), not by merely opening the store.
@Suite("The store's WAL checkpointer as a service", .timeLimit(.minutes(1)))
struct WALCheckpointerServiceTests {
    @Test func theWALReachesTheDatabaseFileOnlyOnceTheCheckpointerRuns() async throws {
        let journal = try TemporaryJournal()
        defer { journal.remove() }
        let store = try journal.open()
        _ = try store.append((0..<8).map { message(id: "big-\($0)", bodySize: 256 * 1024) }, acks: [:])
        // Two megabytes journaled, all of it still in the WAL.
        #expect(try Self.size(journal.path) < 1_000_000)
        let services = store.services
        #expect(services.map(\.description) == ["swhub-wal"])

        for service in services { service.start() }
        let deadline = ContinuousClock.now + .seconds(20)
        while try Self.size(journal.path) < 2_000_000, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try Self.size(journal.path) >= 2_000_000, "no checkpoint within 20 s")
        for service in services {
            service.loop.requestStop()
            #expect(await service.loop.join() == .requested)
        }
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }
}
