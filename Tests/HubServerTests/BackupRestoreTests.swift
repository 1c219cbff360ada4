import Foundation
import HubClient
import HubStore
import HubTestSupport
import Testing

/// The backup and restore drill against the real `swhub serve`, `swhub backup`,
/// `swhub restore` and `swhub verify`: a sender streams into the hub while a receiver
/// acknowledges, `swhub backup` runs in the middle, the hub stops, the backup is restored
/// into a new directory and a hub started on it; the restored journal verifies, ends at the
/// manifest's head, and the receiver resumes right after the position it had acknowledged
/// at the backup's snapshot. What was accepted after the snapshot is not in the copy.
@Suite("Backup and restore", .serialized, .timeLimit(.minutes(5)))
struct BackupRestoreTests {
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await ConfigCheckTests.run(arguments)
    }

    /// The seq of a submission, resubmitted under its id while the hub says "later" (3xx)
    /// or did not answer in time.
    static func accepted(_ first: Result<SubmitReceipt, HubClientError>, id: String, by sender: HubClient) async throws -> UInt64 {
        var result = first
        while true {
            switch result {
            case .success(let receipt): return receipt.seq
            case .failure(let error) where error.code == .timeout || error.hubCode?.codeClass == 3:
                result = await sender.submit(inOrder: [OutgoingMessage(type: "demo.Note", body: Array("payload \(id)".utf8), id: id)])[0]
            case .failure(let error): throw error
            }
        }
    }

    static let parties: [TestHub.PartySpec] = [.init(id: "enterprise"), .init(id: "customs", subscribes: ["demo.Note"])]

    @Test func backupUnderLoadThenRestoreVerifiesAndResumesAfterTheSavedAckPositions() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        let sender = try hub.client("enterprise")
        let receiver = try hub.client("customs", receive: true, credit: 200)
        defer {
            sender.close()
            receiver.close()
        }
        try await receiver.connect()
        // The receiver acknowledges every 7th delivery as it goes.
        let received = Counter()
        let receiving = Task {
            for await delivery in receiver.deliveries {
                received.increment()
                if received.value % 7 == 0 { receiver.acknowledge(delivery.seq) }
            }
        }

        // The backup starts once 1,000 messages are accepted, while the sender goes on.
        let backupDirectory = hub.directory.appendingPathComponent("backups/first").path
        let accepted = Counter()
        let backupDone = Counter()
        let backup = Task {
            try await waitUntil(.seconds(120), "1,000 accepted before the backup") { accepted.value >= 1000 }
            let result = try await Self.run(["backup", "--config", hub.configPath, "--to", backupDirectory])
            backupDone.increment()
            return result
        }
        // Submits in flights of 20 until the backup is done, then 300 more (accepted after
        // the snapshot for certain); bounded whatever the backup's pace.
        var seqs: [String: UInt64] = [:]
        var index = 0
        var afterBackup = 0
        while afterBackup < 300 && index < 30_000 {
            let done = backupDone.value > 0
            let ids = (index..<index + 20).map { "note-\($0)" }
            index += 20
            let results = await sender.submit(
                inOrder: ids.map { OutgoingMessage(type: "demo.Note", body: Array("payload \($0)".utf8), id: $0) })
            for (id, result) in zip(ids, results) {
                seqs[id] = try await Self.accepted(result, id: id, by: sender)
                accepted.increment()
            }
            if done { afterBackup += 20 }
        }
        let result = try await backup.value
        #expect(result.status == 0, "\(result)")
        #expect(result.output.contains("backup OK"), "\(result.output)")
        let manifest = try BackupManifest.read(directory: backupDirectory)
        let finalHead = seqs.values.max() ?? 0
        #expect(manifest.headSeq >= 1000 && manifest.headSeq < finalHead, "backup head \(manifest.headSeq), final \(finalHead)")
        let ackedAtBackup = manifest.ackPositions["customs"] ?? 0
        #expect(ackedAtBackup <= manifest.headSeq)
        // The receiver gets everything before the hub stops (a clean stop, nothing pending).
        try await waitUntil(.seconds(120), "the receiver got all \(finalHead)") { received.value >= Int(finalHead) }
        receiver.close()
        await receiving.value
        #expect(await hub.terminate() == 0)

        // The manifest's ack positions only describe the copy: edited, the restored journal's
        // own are printed (the ones the hub resumes from), with a warning.
        let manifestFile = URL(fileURLWithPath: backupDirectory).appendingPathComponent("manifest.json")
        let original = try Data(contentsOf: manifestFile)
        var edited = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        edited["ackPositions"] = ["customs": ackedAtBackup + 7]
        try JSONSerialization.data(withJSONObject: edited, options: [.prettyPrinted, .sortedKeys]).write(to: manifestFile)
        let scratch = hub.directory.appendingPathComponent("scratch.sqlite").path
        let described = try await Self.run(["restore", "--from", backupDirectory, "--journal", scratch])
        #expect(described.status == 0, "\(described)")
        let inForce = manifest.ackPositions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        #expect(
            described.output.contains("deliveries resume after: \(inForce.isEmpty ? "nothing acknowledged" : inForce)\n"),
            "\(described.output)")
        #expect(described.errors.contains("the manifest's ack positions differ from the journal's"), "\(described.errors)")
        try original.write(to: manifestFile)

        // Restore into a new directory: the same keys and parties, a journal of its own.
        let restored = try TestHub(parties: Self.parties, keysOf: hub)
        let restore = try await Self.run(["restore", "--from", backupDirectory, "--config", restored.configPath])
        #expect(restore.status == 0, "\(restore)")
        #expect(restore.output.contains("head seq \(manifest.headSeq), chain head \(manifest.headChain)"), "\(restore.output)")
        // A second restore would overwrite: refused, nothing changed.
        let again = try await Self.run(["restore", "--from", backupDirectory, "--journal", restored.journalPath])
        #expect(again.status == 2 && again.errors.contains("exists"), "\(again)")

        try await restored.start()
        let verify = try await Self.run(["verify", "--config", restored.configPath])
        #expect(verify.status == 0, "\(verify)")
        #expect(
            verify.output.contains(
                "journal intact: \(manifest.headSeq) records, head seq \(manifest.headSeq), chain head \(manifest.headChain)"),
            "\(verify.output)")

        // The receiver resumes right after the position it had acknowledged at the snapshot.
        let receiver2 = try restored.client("customs", receive: true, credit: 200)
        let sender2 = try restored.client("enterprise")
        defer {
            receiver2.close()
            sender2.close()
        }
        let welcome = try await receiver2.connect()
        #expect(welcome.ackedSeq == ackedAtBackup)
        // A message accepted after the snapshot is not in the copy: its id is journaled anew,
        // after the restored head; one from before keeps its seq (a duplicate).
        let lateId = try #require(seqs.first { $0.value == finalHead }?.key)
        let late = try await sender2.submit(type: "demo.Note", body: Array("payload \(lateId)".utf8), id: lateId)
        #expect(!late.duplicate && late.seq == manifest.headSeq + 1)
        let earlyId = try #require(seqs.first { $0.value == 1 }?.key)
        let early = try await sender2.submit(type: "demo.Note", body: Array("payload \(earlyId)".utf8), id: earlyId)
        #expect(early.duplicate && early.seq == 1)

        let expected = Int(manifest.headSeq + 1 - ackedAtBackup)
        let delivered = try await withTimeout(.seconds(120), "the restored hub's deliveries") { () -> [(UInt64, String)] in
            var got: [(UInt64, String)] = []
            for await delivery in receiver2.deliveries {
                got.append((delivery.seq, delivery.header.id))
                if got.count % 7 == 0 { receiver2.acknowledge(delivery.seq) }
                if got.count == expected { break }
            }
            return got
        }
        let bySeq = Dictionary(uniqueKeysWithValues: seqs.map { ($0.value, $0.key) })
        #expect(delivered.map(\.0) == Array(ackedAtBackup + 1...manifest.headSeq + 1))
        let sameIds = delivered.dropLast().allSatisfy { bySeq[$0.0] == $0.1 }
        #expect(sameIds && delivered.last?.1 == lateId)
        receiver2.acknowledge(manifest.headSeq + 1)
        #expect(await restored.terminate() == 0)
        let after = try await Self.run(["verify", "--config", restored.configPath])
        #expect(after.status == 0 && after.output.contains("head seq \(manifest.headSeq + 1)"), "\(after)")
    }

    @Test func refusalsAndADamagedBackupNeverPlaceAJournal() async throws {
        let hub = try TestHub(parties: Self.parties)
        try await hub.start()
        let sender = try hub.client("enterprise")
        defer { sender.close() }
        for index in 0..<50 { _ = try await sender.submit(type: "demo.Note", body: Array("n \(index)".utf8), id: "n-\(index)") }
        let directory = hub.directory.appendingPathComponent("backup").path
        let first = try await Self.run(["backup", "--journal", hub.journalPath, "--to", directory])
        #expect(first.status == 0, "\(first)")
        // A directory that holds a backup is never written over.
        let second = try await Self.run(["backup", "--journal", hub.journalPath, "--to", directory])
        #expect(second.status == 2 && second.errors.contains("exists"), "\(second)")
        // No manifest: nothing to restore.
        let target = hub.directory.appendingPathComponent("restored/journal.sqlite").path
        let empty = try await Self.run(["restore", "--from", hub.directory.appendingPathComponent("nothing").path, "--journal", target])
        #expect(empty.status == 2 && empty.errors.contains("no backup in"), "\(empty)")
        // Onto the live journal: refused, the journal untouched.
        let live = try await Self.run(["restore", "--from", directory, "--journal", hub.journalPath])
        #expect(live.status == 2 && live.errors.contains("exists"), "\(live)")
        // One flipped bit in the copy: its SHA-256 differs from the manifest's, nothing is placed.
        let copy = (directory as NSString).appendingPathComponent(JournalBackup.journalFileName)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        let damaged = try await Self.run(["restore", "--from", directory, "--journal", target])
        #expect(damaged.status == 1 && damaged.errors.contains("the manifest says"), "\(damaged)")
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(await hub.terminate() == 0)
    }

    @Test func aPostgreSQLStoreIsRefusedWithWhereItsBackupsComeFrom() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (configDirectory, path) = try await ConfigCheckTests.hubConfig(port: try TestHub.freePort()) { yaml in
            "store:\n  kind: postgres\n  hosts: [\"127.0.0.1:5432\"]\n  database: swhub\n  user: swhub\n  password_file: pg.password\n"
                + yaml.replacingOccurrences(of: "  journal: var/journal.sqlite\n", with: "")
        }
        defer { try? FileManager.default.removeItem(at: configDirectory) }
        try "secret\n".write(to: configDirectory.appendingPathComponent("pg.password"), atomically: true, encoding: .utf8)
        let result = try await Self.run(["backup", "--config", path, "--to", directory.appendingPathComponent("b").path])
        #expect(result.status == 2, "\(result)")
        #expect(result.errors.contains("pg_basebackup") && result.errors.contains("Patroni"), "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("b").path))
        let restore = try await Self.run(["restore", "--from", directory.path, "--config", path])
        #expect(restore.status == 2 && restore.errors.contains("pg_basebackup"), "\(restore)")
    }
}
