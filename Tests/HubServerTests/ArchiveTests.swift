import Foundation
import HubClient
import HubTestSupport
import Testing

/// Archives against the real `swhub serve`: the hub's archiver seals acknowledged old
/// ranges into segment files while it runs; `swhub trace`, `swhub replay` (through the
/// hub) and `swhub verify` read across the boundary; `swhub archive list|verify|restore`;
/// a damaged segment makes `swhub verify` and `swhub archive verify` fail naming its file.
/// On either store: Scripts/test.sh runs the suite again with the journal in PostgreSQL.
@Suite("Archives", .serialized, .timeLimit(.minutes(5)))
struct ArchiveTests {
    static func swhub(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await ConfigCheckTests.run(arguments)
    }

    static func segments(_ hub: TestHub) -> [String] {
        let folder = hub.directory.appendingPathComponent("archive").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".swarc.gz") }.sorted()
    }

    /// The seals the hub logged: each once its manifest row is committed (its file is in place before).
    static func sealed(_ hub: TestHub) -> Int {
        hub.log().components(separatedBy: "archive segment sealed").count - 1
    }

    @Test func traceReplayAndVerifyReadAcrossSegmentsAndADamagedSegmentIsNamed() async throws {
        let hub = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])])
        // Every acknowledged record is archivable at once, five to a segment, checked every second.
        try
            (String(contentsOfFile: hub.configPath, encoding: .utf8)
            + "archive: {dir: archive, live_for: 0s, segment_records: 5, check_every: 1s}\nretention: {\"demo.*\": 5y}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let check = try await Self.swhub(["config", "check", hub.configPath])
        #expect(check.status == 0, "\(check)")
        try await hub.start()
        let customs = try hub.client("customs", receive: true)
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        let platform = try hub.client("platform")
        defer { platform.close() }
        var seqs: [UInt64] = []
        for index in 1...12 {
            let receipt = try await platform.submit(
                type: "demo.Note", body: Array("note \(index)".utf8), id: "n-\(index)")
            seqs.append(receipt.seq)
        }
        #expect(seqs == Array(1...12))
        _ = try await inbox.wait(for: 12, within: .seconds(30))
        customs.close()
        // Seqs 1-10 go into two segments (the last record always stays live).
        try await waitUntil(.seconds(60), "two archive segments, found \(Self.segments(hub))") {
            Self.segments(hub).count == 2 && Self.sealed(hub) == 2
        }
        #expect(Self.segments(hub) == ["segment-000000000001-000000000005.swarc.gz", "segment-000000000006-000000000010.swarc.gz"])

        let list = try await Self.swhub(["archive", "list", "--config", hub.configPath])
        #expect(list.status == 0 && list.output.contains("2 segments; archived up to seq 10"), "\(list)")

        // An archived message and its answer, journaled live after the archiving.
        let answerer = try hub.client("customs")
        defer { answerer.close() }
        let answer = try await answerer.submit(
            type: "demo.Note", body: Array("answer".utf8), to: ["platform"], id: "answer-3", correlationId: "n-3")
        #expect(answer.seq == 13)
        let trace = try await Self.swhub(["trace", "--config", hub.configPath, "n-3"])
        #expect(trace.status == 0, "\(trace)")
        #expect(trace.output.contains("2 message(s)"), "\(trace.output)")
        #expect(trace.output.contains("seq 3 ") && trace.output.contains("seq 13 "), "\(trace.output)")
        #expect(trace.output.contains("acknowledged") && trace.output.contains("by customs"), "\(trace.output)")

        // A replay through the hub, from seq 1: archived and live records, in order, as journaled.
        let replayPath = hub.directory.appendingPathComponent("replay.jsonl").path
        let replay = try hub.startSwhub(
            ["replay", "--config", try hub.writeClientConfig("customs"), "--from-seq", "1", "--to", replayPath, "--log-level", "warning"],
            logName: "replay.log")
        try await onThread { replay.waitUntilExit() }
        #expect(replay.terminationStatus == 0, "\(hub.log(named: "replay.log"))")
        let lines = try String(contentsOfFile: replayPath, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["seq"] as? Int } == Array(1...12))
        #expect(objects.map { $0["id"] as? String } == (1...12).map { "n-\($0)" })
        #expect(objects[2]["body_base64"] as? String == Data("note 3".utf8).base64EncodedString())

        let verify = try await Self.swhub(["verify", "--config", hub.configPath])
        #expect(verify.status == 0, "\(verify)")
        #expect(verify.output.contains("archive: seqs 1–10 in 2 segments"), "\(verify.output)")

        // Restore for an auditor: a new journal file that verifies from seq 1 and traces.
        let restored = hub.directory.appendingPathComponent("restored.sqlite").path
        let restore = try await Self.swhub(["archive", "restore", "--config", hub.configPath, "--seq", "7", "--to", restored])
        #expect(restore.status == 0 && restore.output.contains("restored 5 records (seqs 6–10)"), "\(restore)")
        let again = try await Self.swhub(["archive", "restore", "--config", hub.configPath, "--seq", "7", "--to", restored])
        #expect(again.status == 2 && "\(again)".contains("exists"), "a file there already is refused input: \(again)")
        let restoredVerify = try await Self.swhub(["verify", "--journal", restored])
        #expect(restoredVerify.status == 0, "\(restoredVerify)")
        let restoredTrace = try await Self.swhub(["trace", "--journal", restored, "n-7"])
        #expect(restoredTrace.status == 0 && restoredTrace.output.contains("seq 7 "), "\(restoredTrace)")

        // One byte flipped in the first segment.
        let damaged = hub.directory.appendingPathComponent("archive/segment-000000000001-000000000005.swarc.gz").path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: damaged)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: damaged))
        let broken = try await Self.swhub(["verify", "--config", hub.configPath])
        #expect(broken.status == 1, "\(broken)")
        #expect(broken.output.contains(damaged) && broken.output.contains("journal NOT intact"), "\(broken.output)")
        let archiveVerify = try await Self.swhub(["archive", "verify", "--config", hub.configPath])
        #expect(archiveVerify.status == 1 && archiveVerify.output.contains(damaged), "\(archiveVerify)")
        #expect(await hub.terminate() == 0)
    }

    /// `swhub archive run` beside a running hub whose own archiver waits an hour: it seals,
    /// the hub goes on journaling after the archived range, and a replay reads across it.
    @Test func archiveRunBesideARunningHub() async throws {
        let hub = try TestHub(parties: [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])])
        try
            (String(contentsOfFile: hub.configPath, encoding: .utf8)
            + "archive: {dir: archive, live_for: 0s, segment_records: 4, check_every: 1h}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        let customs = try hub.client("customs", receive: true)
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        let platform = try hub.client("platform")
        defer { platform.close() }
        for index in 1...9 { _ = try await platform.submit(type: "demo.Note", body: Array("note \(index)".utf8), id: "n-\(index)") }
        _ = try await inbox.wait(for: 9, within: .seconds(30))
        customs.close()
        // Run until customs' acknowledgements are durable (the hub saves them shortly after they come).
        let deadline = ContinuousClock.now + .seconds(60)
        var run = try await Self.swhub(["archive", "run", "--config", hub.configPath, "--log-level", "warning"])
        while !run.output.contains("archived up to seq 8") {
            #expect(run.status == 0, "\(run)")
            guard ContinuousClock.now < deadline else {
                Issue.record("archive run never sealed seqs 1-8: \(run)")
                return
            }
            run = try await Self.swhub(["archive", "run", "--config", hub.configPath, "--log-level", "warning"])
        }
        #expect(Self.segments(hub).count == 2)
        let receipt = try await platform.submit(type: "demo.Note", body: Array("after".utf8), id: "n-10")
        #expect(receipt.seq == 10)
        let replayPath = hub.directory.appendingPathComponent("replay.jsonl").path
        let replay = try hub.startSwhub(
            ["replay", "--config", try hub.writeClientConfig("customs"), "--from-seq", "3", "--to", replayPath, "--log-level", "warning"],
            logName: "replay.log")
        try await onThread { replay.waitUntilExit() }
        #expect(replay.terminationStatus == 0, "\(hub.log(named: "replay.log"))")
        let lines = try String(contentsOfFile: replayPath, encoding: .utf8).split(separator: "\n")
        let seqs = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["seq"] as? Int }
        #expect(seqs == Array(3...10))
        let verify = try await Self.swhub(["verify", "--config", hub.configPath])
        #expect(verify.status == 0 && verify.output.contains("archive: seqs 1–8 in 2 segments"), "\(verify)")
        #expect(await hub.terminate() == 0)
    }

    /// `swhub backup` of a hub with archive segments copies them with the journal; a restore
    /// into a new directory places them in its archive.dir, and the restored hub verifies
    /// across them and traces an archived message.
    @Test(.enabled(if: SuitePostgres.endpoint == nil, "swhub backup copies a SQLite journal (PostgreSQL's is pg_basebackup's)"))
    func aBackupCarriesTheSegmentsAndTheRestoredHubReadsThem() async throws {
        let parties: [TestHub.PartySpec] = [.init(id: "platform"), .init(id: "customs", subscribes: ["demo.Note"])]
        let hub = try TestHub(parties: parties)
        try
            (String(contentsOfFile: hub.configPath, encoding: .utf8)
            + "archive: {dir: archive, live_for: 0s, segment_records: 5, check_every: 1s}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        let customs = try hub.client("customs", receive: true)
        let inbox = DeliveryInbox(customs)
        try await customs.connect()
        let platform = try hub.client("platform")
        defer { platform.close() }
        for index in 1...12 { _ = try await platform.submit(type: "demo.Note", body: Array("note \(index)".utf8), id: "n-\(index)") }
        _ = try await inbox.wait(for: 12, within: .seconds(30))
        customs.close()
        try await waitUntil(.seconds(60), "two archive segments, found \(Self.segments(hub))") {
            Self.segments(hub).count == 2 && Self.sealed(hub) == 2
        }

        let backupDirectory = hub.directory.appendingPathComponent("backups/first").path
        let noFolder = try await Self.swhub(["backup", "--journal", hub.journalPath, "--to", backupDirectory])
        #expect(noFolder.status == 2 && noFolder.errors.contains("--archive-dir"), "\(noFolder)")
        let backup = try await Self.swhub(["backup", "--config", hub.configPath, "--to", backupDirectory])
        #expect(backup.status == 0 && backup.output.contains("archive: 2 segment files"), "\(backup)")
        let copied = (try? FileManager.default.contentsOfDirectory(atPath: backupDirectory + "/archive"))?.sorted() ?? []
        #expect(copied == Self.segments(hub), "\(copied)")
        #expect(await hub.terminate() == 0)

        // A new directory with the same keys, parties and archive settings.
        let restored = try TestHub(parties: parties, keysOf: hub)
        try
            (String(contentsOfFile: restored.configPath, encoding: .utf8)
            + "archive: {dir: archive, live_for: 0s, segment_records: 5, check_every: 1h}\n")
            .write(toFile: restored.configPath, atomically: true, encoding: .utf8)
        let restore = try await Self.swhub(["restore", "--from", backupDirectory, "--config", restored.configPath])
        #expect(restore.status == 0 && restore.output.contains("archive: 2 segment files"), "\(restore)")
        #expect(Self.segments(restored) == copied)
        let verify = try await Self.swhub(["verify", "--config", restored.configPath])
        #expect(verify.status == 0 && verify.output.contains("archive: seqs 1–10 in 2 segments"), "\(verify)")
        try await restored.start()
        let trace = try await Self.swhub(["trace", "--config", restored.configPath, "n-3"])
        #expect(trace.status == 0 && trace.output.contains("seq 3 "), "\(trace)")
        #expect(await restored.terminate() == 0)
    }

    @Test func aPostgresStoreWithArchivesPassesConfigCheck() async throws {
        let hub = try TestHub(
            parties: [.init(id: "platform")], store: ["kind: postgres", "hosts: [\"127.0.0.1:5432\"]", "database: swhub", "user: hub"])
        try (String(contentsOfFile: hub.configPath, encoding: .utf8) + "archive: {dir: archive}\nretention: {\"*\": 5y}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let check = try await Self.swhub(["config", "check", hub.configPath])
        #expect(check.status == 0, "\(check)")
        // The archive folder must be writable (every node of a cluster shares it).
        try
            (String(contentsOfFile: hub.configPath, encoding: .utf8).replacingOccurrences(
                of: "dir: archive", with: "dir: hub.key_secret/archive"))
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let refused = try await Self.swhub(["config", "check", hub.configPath])
        #expect(refused.status != 0 && (refused.output + refused.errors).contains("archive.dir"), "\(refused)")
    }
}
