import Foundation
import Testing
import ZeroMQ

/// `swhub serve` runs the hub's parts and the web monitor in one `ServiceGroup`; a part that
/// ends unexpectedly shuts the others down in order and the process exits non-zero (the
/// group's behaviour is tested in HubLifecycleTests with real loops). A monitor that could
/// not listen used to be that part here; the start-up checks now find its port taken before
/// anything is opened.
@Suite("swhub serve: a monitor port in use", .serialized, .timeLimit(.minutes(2)))
struct ServeLifecycleTests {
    /// The monitor's port is taken by another listener: `swhub serve` names it and exits
    /// with a failure before it opens the journal or binds anything.
    @Test func aMonitorPortInUseStopsStartUpNamingIt() async throws {
        let hub = try TestHub(parties: [.init(id: "a")])
        let context = try ZMQContext()
        defer { context.shutdown() }
        let squatter = try ZMQSocket(context: context, type: .router)
        defer { squatter.close() }
        try squatter.linger(ms: 0)
        let port = try TestHub.freePort()
        try squatter.bind("tcp://127.0.0.1:\(port)")
        let config = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        try (config + "monitor:\n  listen: \"127.0.0.1:\(port)\"\n").write(toFile: hub.configPath, atomically: true, encoding: .utf8)

        try? await hub.start()
        let status = try await withTimeout(.seconds(60), "swhub serve to exit") { await hub.waitForExit() }
        let log = hub.log()
        #expect(status != 0, "swhub serve exited with status 0; log:\n\(log.suffix(3000))")
        #expect(log.contains("monitor.listen tcp://127.0.0.1:\(port) cannot be bound"), "log:\n\(log.suffix(3000))")
        #expect(!FileManager.default.fileExists(atPath: hub.journalPath), "the journal was opened")
    }
}

/// `swhub config check` says the journal's folder "can be made"; `swhub serve` makes it.
@Suite("swhub serve: the journal's folder", .timeLimit(.minutes(2)))
struct ServeJournalFolderTests {
    @Test func aMissingJournalFolderIsMade() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])])
        let config = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "  journal: journal.sqlite\n", with: "  journal: var/new/journal.sqlite\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        #expect(try await sender.submit(type: "demo.Note", body: Array("made".utf8), id: "m-1").seq == 1)
        #expect(FileManager.default.fileExists(atPath: hub.directory.appendingPathComponent("var/new/journal.sqlite").path))
        #expect(await hub.terminate() == 0)
    }
}

/// A hub secret key file others than its owner can read is warned about at start (it was
/// accepted without a word; keygen writes 0600).
@Suite("swhub serve: the hub's key file", .timeLimit(.minutes(2)))
struct ServeKeyFileModeTests {
    @Test func aSecretKeyFileReadableByOthersIsWarnedAbout() async throws {
        let hub = try TestHub(parties: [.init(id: "enterprise")])
        let keyFile = hub.directory.appendingPathComponent("hub.key_secret").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile)
        try await hub.start()  // returns once the hub listens, after its start-up checks
        _ = await hub.terminate()
        #expect(hub.log().contains("the hub's secret key file can be read by other users than its owner"), "\(hub.log().suffix(2000))")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        let before = hub.log().components(separatedBy: "can be read by other users").count
        try await hub.start()
        _ = await hub.terminate()
        #expect(hub.log().components(separatedBy: "can be read by other users").count == before, "warned about a 0600 key file")
    }
}
