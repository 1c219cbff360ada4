import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import HubThreads
import Testing

/// Personal data at rest against the real `swhub serve`, `swhub keys`, `swhub backup`,
/// `swhub archive run` and `swhub verify`: filings' personal fields never reach the journal
/// file, its WAL, an archive segment or a backup in the clear; entitled parties receive them
/// (live and from the journal), others without the hidden ones; after a master-key rotation
/// everything still reads; after an enterprise's key is shredded its personal fields are
/// gone while the rest of its filings, other enterprises' data and the chain are intact. In
/// both suites (AES-256-GCM with SHA-256, SM4-GCM with SM3).
@Suite(
    "Personal data at rest", .serialized, .timeLimit(.minutes(5)),
    .enabled(if: SuitePostgres.endpoint == nil, "searches the SQLite journal file byte for byte"))
struct PersonalDataAtRestTests {
    static let idNumbers = ["platform": "110101199003071234", "shop": "220102198805054321"]
    static let names = ["platform": "张三丰", "shop": "李秋水"]

    static func swhub(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await ConfigCheckTests.run(arguments)
    }

    static func order(_ number: String, of enterprise: String) throws -> [UInt8] {
        var order = BizOrder()
        order.orderNo = number
        order.ebpCode = "3301960001"
        order.buyerIDType = "1"
        order.buyerIDNumber = idNumbers[enterprise] ?? ""
        order.buyerName = names[enterprise] ?? ""
        order.consigneeAddress = "浙江省杭州市滨江区 \(number)"
        return try order.serializedBytes()
    }

    /// Every file under `directory` (gzip segments decompressed), for searching.
    static func contents(under directory: URL) throws -> [(String, [UInt8])] {
        let paths = FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? []
        return try paths.compactMap { relative in
            let path = directory.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            if bytes.starts(with: [0x1F, 0x8B]) { bytes = try gunzip(path) }
            return (relative, bytes)
        }
    }

    static func gunzip(_ path: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = ProcessLaunch.pipe()
        process.standardOutput = pipe
        try ProcessLaunch.run(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }

    static func contains(_ haystack: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }

    /// The files holding any personal value, by name (none expected).
    static func leaks(in files: [(String, [UInt8])]) -> [String] {
        files.filter { file in (Array(idNumbers.values) + Array(names.values)).contains { contains(file.1, $0) } }.map(\.0)
    }

    @Test(arguments: ["standard", "sm"])
    func sealedAtRestDeliveredToTheEntitledShreddedForGood(crypto: String) async throws {
        let hub = try TestHub(
            parties: [
                .init(id: "platform"), .init(id: "shop"),
                .init(id: "customs", subscribes: ["ceb.Order"]),
                .init(id: "bank", subscribes: ["ceb.Order"], hide: "{ceb.Order: [buyer_id_number]}"),
                .init(id: "late", subscribes: ["ceb.Order"]),
            ],
            types: ["demo.Note", "{name: ceb.Order, message: swhub.v1.Order}"],
            // `late` catches up from the journal, not from the messages held in memory.
            extraHub: ["recent_delivery_bytes: 0"])
        defer { try? FileManager.default.removeItem(at: hub.directory) }
        let master = hub.directory.appendingPathComponent("master.key").path
        let made = try await Self.swhub(["keys", "init", "--master-key-file", master])
        #expect(made.status == 0, "\(made.errors)")
        let config = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        try
            (config + "crypto: \(crypto)\nkeys: {master_key_file: master.key, vault: keys.sqlite}\n"
            + "archive: {dir: archive, live_for: 0s, segment_records: 4, check_every: 1h}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()

        let customs = try hub.client("customs", receive: true)
        let bank = try hub.client("bank", receive: true)
        let late = try hub.client("late", receive: true)
        let customsInbox = DeliveryInbox(customs)
        let bankInbox = DeliveryInbox(bank)
        let lateInbox = DeliveryInbox(late)
        try await customs.connect()
        try await bank.connect()
        let platform = try hub.client("platform")
        let shop = try hub.client("shop")
        var sent: [String: [UInt8]] = [:]
        for index in 1...5 {
            let body = try Self.order("P\(index)", of: "platform")
            sent["P\(index)"] = body
            _ = try await platform.submit(type: "ceb.Order", body: body, id: "p-\(index)")
        }
        for index in 1...3 {
            let body = try Self.order("S\(index)", of: "shop")
            sent["S\(index)"] = body
            _ = try await shop.submit(type: "ceb.Order", body: body, id: "s-\(index)")
        }
        platform.close()
        shop.close()

        // Live: customs gets each body byte for byte, the bank without the buyer's id number.
        let toCustoms = try await customsInbox.wait(for: 8, within: .seconds(30))
        let exact = try toCustoms.allSatisfy { sent[try BizOrder(serializedBytes: $0.body).orderNo] == $0.body }
        #expect(exact)
        let toBank = try await bankInbox.wait(for: 8, within: .seconds(30))
        let bankOrders = try toBank.map { try BizOrder(serializedBytes: $0.body) }
        #expect(bankOrders.allSatisfy { $0.buyerIDNumber.isEmpty && !$0.buyerName.isEmpty })
        customs.close()
        bank.close()
        // A party that was away: served from the journal (its fields opened), then acknowledges.
        try await late.connect()
        let fromJournal = try await lateInbox.wait(for: 8, within: .seconds(30))
        let exactFromJournal = try fromJournal.allSatisfy { sent[try BizOrder(serializedBytes: $0.body).orderNo] == $0.body }
        #expect(exactFromJournal)
        late.close()

        // A backup while the hub runs, then the hub stops and the old records are archived.
        let backup = try await Self.swhub([
            "backup", "--config", hub.configPath, "--to", hub.directory.appendingPathComponent("backup").path,
        ])
        #expect(backup.status == 0, "\(backup)")
        #expect(await hub.terminate() == 0)
        let sealed = try await Self.swhub(["archive", "run", "--config", hub.configPath, "--log-level", "warning"])
        #expect(sealed.status == 0 && sealed.output.contains("archived up to seq 4"), "\(sealed)")

        // No personal value anywhere at rest: journal file, WAL, segments, backup.
        let atRest =
            try Self.contents(under: hub.directory).filter {
                $0.0.hasPrefix("journal.sqlite") || $0.0.hasPrefix("archive/") || $0.0.hasPrefix("backup/")
            }
        #expect(atRest.contains { $0.0 == "journal.sqlite" } && atRest.contains { $0.0.hasPrefix("archive/") })
        #expect(atRest.contains { $0.0.hasPrefix("backup/") })
        #expect(Self.leaks(in: atRest).isEmpty, "personal values found in \(Self.leaks(in: atRest))")
        #expect(!atRest.contains { Self.contains($0.1, "浙江省杭州市滨江区 P1") })
        // ... while the rest of each filing is there in the clear (routing and trace read it).
        #expect(atRest.contains { Self.contains($0.1, "3301960001") })

        // The master key rotated (hub stopped), then the shop's keys shredded.
        let rotated = try await Self.swhub([
            "keys", "rotate", "--config", hub.configPath, "--new-master-key-file", hub.directory.appendingPathComponent("master2.key").path,
        ])
        #expect(rotated.status == 0, "\(rotated)")
        try (try String(contentsOfFile: hub.configPath, encoding: .utf8))
            .replacingOccurrences(of: "master_key_file: master.key", with: "master_key_file: master2.key")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let shredded = try await Self.swhub([
            "keys", "shred", "--config", hub.configPath, "--enterprise", "shop", "--reason", "erasure request",
        ])
        #expect(shredded.status == 0, "\(shredded)")

        // Replayed from the journal and its segments: the platform's filings whole, the shop's
        // without their personal fields (and nothing else missing).
        try await hub.start()
        let replayPath = hub.directory.appendingPathComponent("replay.jsonl").path
        let replay = try hub.startSwhub(
            ["replay", "--config", try hub.writeClientConfig("late"), "--from-seq", "1", "--to", replayPath, "--log-level", "warning"],
            logName: "replay.log")
        try await onThread { replay.waitUntilExit() }
        #expect(replay.terminationStatus == 0, "\(hub.log(named: "replay.log"))")
        let lines = try String(contentsOfFile: replayPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 8)
        for line in lines {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let body = try JSONSerialization.data(withJSONObject: try #require(object["body"]))
            let order = try BizOrder(jsonUTF8Data: body)
            if order.orderNo.hasPrefix("P") {
                #expect(
                    try order == BizOrder(serializedBytes: try #require(sent[order.orderNo])), "\(order.orderNo) differs after the rotation"
                )
            } else {
                #expect(order.buyerIDNumber.isEmpty && order.buyerName.isEmpty && order.consigneeAddress.isEmpty, "\(order.orderNo)")
                #expect(order.ebpCode == "3301960001" && order.buyerIDType == "1")
            }
        }
        #expect(hub.log().contains("personal fields of a journal record cannot be opened"))
        #expect(await hub.terminate() == 0)
        let verify = try await Self.swhub(["verify", "--config", hub.configPath])
        #expect(verify.status == 0 && verify.output.contains("journal intact"), "\(verify)")
    }

    /// A shred beside the running hub reaches the messages its router holds for catch-ups
    /// (`hub.recent_delivery_bytes`) too: a party that catches up after it gets the shop's
    /// filings without their personal fields, as the journal gives them, not as they were
    /// submitted.
    @Test func aShredBesideTheRunningHubReachesTheMessagesHeldForCatchUps() async throws {
        let hub = try TestHub(
            parties: [.init(id: "shop"), .init(id: "late", subscribes: ["ceb.Order"])],
            types: ["{name: ceb.Order, message: swhub.v1.Order}"])
        defer { try? FileManager.default.removeItem(at: hub.directory) }
        let master = hub.directory.appendingPathComponent("master.key").path
        let made = try await Self.swhub(["keys", "init", "--master-key-file", master])
        #expect(made.status == 0, "\(made.errors)")
        try (try String(contentsOfFile: hub.configPath, encoding: .utf8) + "keys: {master_key_file: master.key, vault: keys.sqlite}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        let shop = try hub.client("shop")
        for index in 1...3 {
            _ = try await shop.submit(type: "ceb.Order", body: try Self.order("S\(index)", of: "shop"), id: "s-\(index)")
        }
        shop.close()

        // The vault is open in the hub, so the shred may end without scrubbing the file; its
        // shred log is written first, and that is what the hub watches.
        _ = try await Self.swhub(["keys", "shred", "--config", hub.configPath, "--enterprise", "shop", "--reason", "erasure request"])
        try await waitUntil(.seconds(20), "the hub did not let go of the held messages: \(hub.log())") {
            hub.log().contains("personal data shredded")
        }
        let late = try hub.client("late", receive: true)
        let inbox = DeliveryInbox(late)
        try await late.connect()
        let orders = try await inbox.wait(for: 3, within: .seconds(30)).map { try BizOrder(serializedBytes: $0.body) }
        #expect(orders.map(\.orderNo) == ["S1", "S2", "S3"])
        #expect(orders.allSatisfy { $0.buyerIDNumber.isEmpty && $0.buyerName.isEmpty && $0.consigneeAddress.isEmpty })
        #expect(orders.allSatisfy { $0.ebpCode == "3301960001" }, "the rest of each filing is whole")
        late.close()
        #expect(await hub.terminate() == 0)
    }

    /// The journal names the key vault its fields are sealed with. A vault file emptied (or
    /// lost, and made anew by the next start) and a config without its `keys:` section are
    /// refused with exit 78; they started without a word, delivering sealed fields empty,
    /// and the new vault's data keys took the lost keys' ids. The journal's own vault put
    /// back starts; `--accept-vault-change` takes a new one on purpose.
    @Test func aJournalStartsOnlyWithTheKeyVaultItsFieldsAreSealedWith() async throws {
        let hub = try TestHub(parties: [.init(id: "shop")], types: ["{name: ceb.Order, message: swhub.v1.Order}"])
        defer { try? FileManager.default.removeItem(at: hub.directory) }
        let made = try await Self.swhub(["keys", "init", "--master-key-file", hub.directory.appendingPathComponent("master.key").path])
        #expect(made.status == 0, "\(made.errors)")
        let plain = try String(contentsOfFile: hub.configPath, encoding: .utf8)
        let keyed = plain + "keys: {master_key_file: master.key, vault: keys.sqlite}\n"
        try keyed.write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        try await hub.start()
        let shop = try hub.client("shop")
        _ = try await shop.submit(type: "ceb.Order", body: try Self.order("S1", of: "shop"), id: "s-1")
        shop.close()
        #expect(await hub.terminate() == 0)

        let files = ["keys.sqlite", "keys.sqlite-wal", "keys.sqlite-shm"]
        let aside = hub.directory.appendingPathComponent("vault-aside")
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: false)
        for name in files where FileManager.default.fileExists(atPath: hub.directory.appendingPathComponent(name).path) {
            try FileManager.default.moveItem(at: hub.directory.appendingPathComponent(name), to: aside.appendingPathComponent(name))
        }
        #expect(FileManager.default.createFile(atPath: hub.directory.appendingPathComponent("keys.sqlite").path, contents: nil))
        let emptied = try await Self.swhub(["serve", "--config", hub.configPath])
        #expect(emptied.status == 78, "\(emptied)")
        #expect(emptied.errors.contains("sealed with key vault") && emptied.errors.contains("--accept-vault-change"), "\(emptied.errors)")
        // Refused again: the vault the first refusal made is not the journal's either.
        #expect(try await Self.swhub(["serve", "--config", hub.configPath]).status == 78)

        try plain.write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let unkeyed = try await Self.swhub(["serve", "--config", hub.configPath])
        #expect(unkeyed.status == 78, "\(unkeyed)")
        #expect(unkeyed.errors.contains("no keys: section"), "\(unkeyed.errors)")

        try keyed.write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        for name in files {
            try? FileManager.default.removeItem(at: hub.directory.appendingPathComponent(name))
            if FileManager.default.fileExists(atPath: aside.appendingPathComponent(name).path) {
                try FileManager.default.moveItem(at: aside.appendingPathComponent(name), to: hub.directory.appendingPathComponent(name))
            }
        }
        /// Starts the hub, files one order, stops it.
        func serveOnce(_ id: String, arguments: [String] = []) async throws {
            try await hub.start(arguments: arguments)
            let shop = try hub.client("shop")
            _ = try await shop.submit(type: "ceb.Order", body: try Self.order(id, of: "shop"), id: id)
            shop.close()
            #expect(await hub.terminate() == 0, "\(id): \(hub.log().suffix(800))")
        }
        try await serveOnce("with-the-journals-vault")
        for name in files { try? FileManager.default.removeItem(at: hub.directory.appendingPathComponent(name)) }
        try await serveOnce("a-new-vault-accepted", arguments: ["--accept-vault-change"])
        try await serveOnce("the-accepted-vault-is-the-journals-now")
    }

    @Test func aMissingMasterKeyStopsTheHubBeforeAnythingIsJournaled() async throws {
        let hub = try TestHub(parties: [.init(id: "platform")], types: ["{name: ceb.Order, message: swhub.v1.Order}"])
        defer { try? FileManager.default.removeItem(at: hub.directory) }
        try (try String(contentsOfFile: hub.configPath, encoding: .utf8) + "keys: {master_key_file: missing.key, vault: keys.sqlite}\n")
            .write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        let serve = try await Self.swhub(["serve", "--config", hub.configPath])
        #expect(serve.status != 0)
        #expect(serve.errors.contains("missing.key"), "\(serve.errors)")
        #expect(!FileManager.default.fileExists(atPath: hub.journalPath))
    }
}
