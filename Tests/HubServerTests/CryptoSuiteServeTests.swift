import Foundation
import GRDB
import HubClient
import HubStore
import HubTestSupport
import Testing

/// `crypto: sm` through the real `swhub serve`: the journal it writes records the suite and
/// verifies (`swhub verify` names SM3, in text and JSON); a tampered row is found; archive
/// segments and a backup of it verify and restore; a config whose `crypto:` is not the
/// journal's is refused by `swhub config check` and by `swhub serve`, naming both.
@Suite("crypto: sm through swhub serve", .serialized, .timeLimit(.minutes(3)))
struct CryptoSuiteServeTests {
    static let parties: [TestHub.PartySpec] = [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])]

    static func swhub(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await ConfigCheckTests.run(arguments)
    }

    /// Sets the config's top-level `crypto:` (nil: no such line, the default).
    static func setCrypto(_ hub: TestHub, _ suite: String?) throws {
        let lines = try String(contentsOfFile: hub.configPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { !$0.hasPrefix("crypto:") }.joined(separator: "\n")
        try ((suite.map { "crypto: \($0)\n" } ?? "") + kept).write(toFile: hub.configPath, atomically: true, encoding: .utf8)
    }

    /// Runs SQL on the journal behind the hub's back.
    static func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    @Test func anSMJournalWrittenByServeVerifiesAndAnotherSuiteIsRefused() async throws {
        let hub = try TestHub(parties: Self.parties)
        try Self.setCrypto(hub, "sm")
        #expect(try await Self.swhub(["config", "check", hub.configPath]).status == 0)
        try await hub.start()
        let platform = try hub.client("platform")
        for index in 1...20 { _ = try await platform.submit(type: "demo.Note", body: Array("note \(index)".utf8), id: "n-\(index)") }
        platform.close()
        #expect(await hub.terminate() == 0)
        #expect(try JournalSuiteRecord.read(journalPath: hub.journalPath) == .sm)

        let text = try await Self.swhub(["verify", "--config", hub.configPath])
        #expect(text.status == 0, "\(text)")
        #expect(text.output.contains("crypto: sm (chain SM3, per-record checksum SM3-64)"), "\(text.output)")
        #expect(text.output.contains("journal intact: 20 records"), "\(text.output)")
        let json = try await Self.swhub(["verify", "--config", hub.configPath, "--json"])
        #expect(json.status == 0, "\(json)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["crypto"] as? String == "sm" && object["chain_hash"] as? String == "SM3", "\(json.output)")
        #expect(object["intact"] as? Bool == true && object["head_seq"] as? Int == 20, "\(json.output)")

        // A restarted hub goes on with the same suite.
        try await hub.start()
        let again = try hub.client("platform")
        #expect(try await again.submit(type: "demo.Note", body: Array("after".utf8), id: "after").seq == 21)
        again.close()
        #expect(await hub.terminate() == 0)
        #expect(try await Self.swhub(["verify", "--config", hub.configPath]).status == 0)

        // The config without crypto: sm (the standard default): refused, naming both suites.
        try Self.setCrypto(hub, nil)
        let check = try await Self.swhub(["config", "check", hub.configPath])
        #expect(check.status == 78, "\(check)")
        #expect(check.errors.contains("suiteMismatch") && check.errors.contains("crypto: sm"), "\(check)")
        let serve = try hub.startSwhub(["serve", "--config", hub.configPath], logName: "refused.log")
        let status = try await withTimeout(.seconds(60), "swhub serve to refuse") {
            try await onThread {
                serve.waitUntilExit()
                return serve.terminationStatus
            }
        }
        let refused = hub.log(named: "refused.log")
        #expect(status == 78, "\(refused)")
        #expect(refused.contains("suiteMismatch"), "\(refused)")
        #expect(refused.contains("crypto: sm") && refused.contains("crypto: standard"), "\(refused)")
        #expect(!refused.contains("starting hub"), "\(refused)")
        // An unknown value is refused by the config's own check.
        try Self.setCrypto(hub, "sha1")
        let unknown = try await Self.swhub(["config", "check", hub.configPath])
        #expect(unknown.status == 78 && unknown.errors.contains("crypto 'sha1' is not one of standard, sm"), "\(unknown)")

        // A row changed behind the hub's back is found.
        try Self.setCrypto(hub, "sm")
        try Self.tamper(hub.journalPath, "UPDATE messages SET created_at_us = created_at_us + 1 WHERE seq = 7")
        let damaged = try await Self.swhub(["verify", "--config", hub.configPath])
        #expect(damaged.status == 1, "\(damaged)")
        #expect(damaged.output.contains("seq 7 altered"), "\(damaged.output)")
    }

    @Test func archivesAndBackupsOfAnSMJournalVerifyAndRestore() async throws {
        let hub = try TestHub(parties: Self.parties)
        try Self.setCrypto(hub, "sm")
        try
            (String(contentsOfFile: hub.configPath, encoding: .utf8)
            + "archive: {dir: archive, live_for: 0s, segment_records: 5, check_every: 1s}\nretention: {\"demo.*\": 5y}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        let customs = try hub.client("customs", receive: true)
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        let platform = try hub.client("platform")
        for index in 1...12 { _ = try await platform.submit(type: "demo.Note", body: Array("note \(index)".utf8), id: "n-\(index)") }
        platform.close()
        _ = try await inbox.wait(for: 12, within: .seconds(30))
        customs.close()
        try await waitUntil(.seconds(60), "two archive segments, found \(ArchiveTests.segments(hub))") {
            ArchiveTests.segments(hub).count == 2
        }

        let archive = try await Self.swhub(["archive", "verify", "--config", hub.configPath])
        #expect(archive.status == 0 && archive.output.contains("archive intact: 2 segments"), "\(archive)")
        let backupDirectory = hub.directory.appendingPathComponent("backup").path
        let backup = try await Self.swhub(["backup", "--config", hub.configPath, "--to", backupDirectory])
        #expect(backup.status == 0, "\(backup)")
        #expect(await hub.terminate() == 0)
        let manifest = try BackupManifest.read(directory: backupDirectory)
        #expect(manifest.crypto == "sm" && manifest.archive?.count == 2)
        let verify = try await Self.swhub(["verify", "--config", hub.configPath])
        #expect(verify.status == 0 && verify.output.contains("crypto: sm"), "\(verify)")

        // Restored beside a new hub of the same config: it verifies, reading SM3 segments.
        let restored = try TestHub(parties: Self.parties, keysOf: hub)
        try Self.setCrypto(restored, "sm")
        try
            (String(contentsOfFile: restored.configPath, encoding: .utf8)
            + "archive: {dir: archive, live_for: 0s, segment_records: 5, check_every: 1s}\nretention: {\"demo.*\": 5y}\n")
            .write(toFile: restored.configPath, atomically: true, encoding: .utf8)
        let restore = try await Self.swhub(["restore", "--config", restored.configPath, "--from", backupDirectory])
        #expect(restore.status == 0, "\(restore)")
        let after = try await Self.swhub(["verify", "--config", restored.configPath, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(after.output.utf8)) as? [String: Any])
        #expect(after.status == 0 && object["crypto"] as? String == "sm", "\(after)")
        try await restored.start()
        let platformAgain = try restored.client("platform")
        #expect(try await platformAgain.submit(type: "demo.Note", body: Array("later".utf8), id: "later").seq == 13)
        platformAgain.close()
        #expect(await restored.terminate() == 0)
    }
}
