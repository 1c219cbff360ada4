import Foundation
import HubClient
import HubProtocol
import HubStore
import Logging
import Testing
import ZeroMQ

/// A journal that comes back behind what the hub committed (restored from an older copy):
/// `swhub serve` refuses it with exit status 78 before binding anything, and
/// `swhub serve --salvage` serves what is left read-only.
@Suite("Salvage of a journal behind its head record", .serialized, .timeLimit(.minutes(3)))
struct SalvageTests {
    static let parties: [TestHub.PartySpec] = [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])]

    /// Journals n1…n3, copies the journal files aside, journals n4 and n5, stops the hub
    /// and puts the copies back beside the head record that says 5.
    private func journalBehind(_ hub: TestHub) async throws {
        try await hub.start()
        let sender = try hub.client("enterprise")
        for id in ["n1", "n2", "n3"] { _ = try await sender.submit(type: "demo.Note", body: Array(id.utf8), id: id) }
        sender.close()
        #expect(await hub.terminate() == 0)
        let saved = hub.directory.appendingPathComponent("saved")
        try FileManager.default.createDirectory(at: saved, withIntermediateDirectories: true)
        let files = ["journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"]
        for file in files where FileManager.default.fileExists(atPath: hub.directory.appendingPathComponent(file).path) {
            try FileManager.default.copyItem(at: hub.directory.appendingPathComponent(file), to: saved.appendingPathComponent(file))
        }
        try await hub.start()
        let later = try hub.client("enterprise")
        for id in ["n4", "n5"] { _ = try await later.submit(type: "demo.Note", body: Array(id.utf8), id: id) }
        later.close()
        #expect(await hub.terminate() == 0)
        for file in files {
            try? FileManager.default.removeItem(at: hub.directory.appendingPathComponent(file))
            let copy = saved.appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: copy.path) {
                try FileManager.default.copyItem(at: copy, to: hub.directory.appendingPathComponent(file))
            }
        }
    }

    @Test func serveRefusesAJournalBehindItsHeadRecord() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await journalBehind(hub)
        let serve = try hub.startSwhub(["serve", "--config", hub.configPath], logName: "refused.log")
        let status = try await withTimeout(.seconds(60), "swhub serve to refuse") {
            try await onThread {
                serve.waitUntilExit()
                return serve.terminationStatus
            }
        }
        let output = hub.log(named: "refused.log")
        #expect(status == 78, "\(output)")
        #expect(output.contains("2 committed record(s) are missing (seqs 4…5)"), "\(output)")
        #expect(output.contains("swhub serve --salvage"), "\(output)")
        #expect(!output.contains("starting hub"), "\(output)")
    }

    @Test func salvageDeliversWhatIsLeftAndRefusesSubmissions() async throws {
        let hub = try TestHub(parties: Self.parties, heartbeatMs: 10_000)
        try await journalBehind(hub)
        try await hub.start(arguments: ["--salvage"])
        #expect(hub.log().contains("SALVAGE MODE"))

        let context = try ZMQContext()
        let receiver = try RawPeer(hub, context: context, party: "customs")
        defer { receiver.close() }
        let delivered = try await receiver.io { peer in
            _ = try peer.hello(credit: 100)
            let delivered = try peer.receiveDelivers(withinMs: 10_000, ackEach: true) { $0.contains { $0.header.id == "n3" } }
            return (delivered, try peer.ackPosition())
        }
        #expect(delivered.0.map(\.header.id) == ["n1", "n2", "n3"])
        #expect(delivered.0.map(\.seq) == [1, 2, 3])
        #expect(delivered.1 == 3, "acknowledgements are kept in memory")

        let sender = try hub.client("enterprise")
        defer { sender.close() }
        do {
            _ = try await sender.submit(type: "demo.Note", body: Array("new".utf8), id: "n6")
            Issue.record("a SUBMIT was accepted in salvage mode")
        } catch let error as HubClientError {
            #expect(error.hubCode == .readOnly, "\(error)")
            #expect(error.hubCode?.errorClass == .hubFailure)
        }
        #expect(await hub.terminate() == 0)
        let log = hub.log()
        #expect(log.contains("acknowledgements are kept in memory and not saved"), "\(log)")
        // Nothing was written: the journal still ends at seq 3, with no acknowledgement saved.
        let journal = try SQLiteJournalStore(
            path: hub.journalPath, logger: Logger(label: "test.journal", factory: { _ in SwiftLogNoOpLogHandler() }), readOnly: true)
        #expect(try journal.headSeq() == 3)
        #expect(try journal.ackPositions()["customs"] == nil)
    }
}
