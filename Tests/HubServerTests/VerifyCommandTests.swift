import Foundation
import HubClient
import HubStore
import Logging
import Testing

/// The real `swhub verify` binary on journals damaged the way storage damages them: bits
/// flipped in stored bodies, an acknowledgement beyond the head, one bit flipped in the
/// middle of the WAL a crash left, a zeroed page, no journal at all. Each is reported with
/// its seqs and exit 1 (5 for a missing file), never a crash; the WAL's bytes are as they
/// were after the command.
@Suite("swhub verify", .serialized, .timeLimit(.minutes(3)))
struct VerifyCommandTests {
    static func id(_ index: Int) -> String { "m-" + String(repeating: "0", count: max(0, 6 - String(index).count)) + String(index) }

    /// Messages 1…`count`, each body starting with `<<body m-000123>>`, in transactions of `batch`.
    static func fill(_ store: SQLiteJournalStore, count: Int, batch: Int = 50) throws {
        for start in stride(from: 1, through: count, by: batch) {
            _ = try store.append(
                (start...min(start + batch - 1, count)).map { index in
                    var body = Array("<<body \(id(index))>>".utf8)
                    while body.count < 200 { body.append(UInt8(ascii: "a") + UInt8(body.count % 26)) }
                    return JournalAppend(
                        sender: "alice", id: id(index), type: "demo.Note", recipients: ["bob"], correlationId: "",
                        createdAtUs: 1_700_000_000_000_000, body: body)
                }, acks: [:])
        }
    }

    /// Writes `count` messages to the hub's journal and closes it; `more` runs on the store first.
    static func write(_ hub: TestHub, count: Int, more: (SQLiteJournalStore) throws -> Void = { _ in }) throws {
        var store: SQLiteJournalStore? = try SQLiteJournalStore(path: hub.journalPath, logger: Self.logger)
        if let store {
            try fill(store, count: count)
            try more(store)
        }
        store = nil
    }

    static let logger = Logger(label: "VerifyCommandTests", factory: { _ in SwiftLogNoOpLogHandler() })

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func offset(of pattern: String, in path: String) throws -> Int? {
        let bytes = try bytes(path)
        let needle = Array(pattern.utf8)
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0] == needle[0] && Array(bytes[$0..<$0 + needle.count]) == needle }
    }

    static func change(_ path: String, _ edit: (inout [UInt8]) -> Void) throws {
        var contents = try bytes(path)
        edit(&contents)
        try Data(contents).write(to: URL(fileURLWithPath: path))
    }

    static func verify(_ hub: TestHub, _ extra: [String] = []) async throws -> (status: Int32, output: String, errors: String) {
        try await ConfigCheckTests.run(["verify", "--config", hub.configPath] + extra)
    }

    static func hub() throws -> TestHub { try TestHub(parties: [.init(id: "alice"), .init(id: "bob")]) }

    @Test func intactThenEveryAlteredRangeAndAnAckBeyondTheHeadInSeqOrder() async throws {
        let hub = try Self.hub()
        try Self.write(hub, count: 300) { store in try store.saveAcks(["bob": 900]) }
        var result = try await Self.verify(hub)
        #expect(result.status == 1, "\(result)")
        #expect(result.output.contains("seqs 301–900 beyond the head: bob acknowledged up to seq 900"), "\(result.output)")

        for index in [200] + Array(120...135) {
            let offset = try #require(try Self.offset(of: "<<body \(Self.id(index))>>", in: hub.journalPath))
            try Self.change(hub.journalPath) { $0[offset + 20] ^= 0x04 }
        }
        result = try await Self.verify(hub)
        #expect(result.status == 1, "\(result)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let problems = lines.filter { $0.hasPrefix("  ") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(problems.count == 3, "\(result.output)")
        #expect(problems.first?.hasPrefix("seqs 120–135 altered") == true, "\(result.output)")
        #expect(problems.dropFirst().first?.hasPrefix("seq 200 altered") == true, "\(result.output)")
        #expect(problems.last?.hasPrefix("seqs 301–900 beyond the head") == true, "\(result.output)")
        #expect(lines.last?.hasPrefix("journal NOT intact: 3 problems") == true, "\(result.output)")
    }

    @Test func anIntactJournalExitsZeroAndQuickToo() async throws {
        let hub = try Self.hub()
        try Self.write(hub, count: 300)
        let full = try await Self.verify(hub)
        #expect(full.status == 0 && full.output.contains("journal intact: 300 records, head seq 300"), "\(full)")
        let quick = try await Self.verify(hub, ["--quick", "--tail", "50"])
        #expect(quick.status == 0 && quick.output.contains("checked (quick): 50 rows, seqs 251–300"), "\(quick)")
        let defaultTail = try await Self.verify(hub, ["--quick"])
        #expect(defaultTail.status == 0 && defaultTail.output.contains("checked (quick): 300 rows"), "\(defaultTail)")
    }

    /// `--tail` counts the rows of a quick check: given without `--quick` (where it used to be
    /// ignored, and the full check ran) it is refused, not dropped.
    @Test func aTailWithoutQuickIsRefused() async throws {
        let hub = try Self.hub()
        try Self.write(hub, count: 10)
        let result = try await Self.verify(hub, ["--tail", "5"])
        #expect(result.status == 64, "a command line that does not hold together: \(result)")
        #expect(result.errors.contains("give --quick too"), "\(result.errors)")
    }

    @Test func aFlippedBitInTheMiddleOfACrashWALIsLostCommitsNotIntact() async throws {
        let hub = try Self.hub()
        let scratch = hub.directory.appendingPathComponent("live.sqlite").path
        // The crash state: a store writing with no checkpoints, its files copied while open.
        let store = try SQLiteJournalStore(path: scratch, logger: Self.logger)
        try Self.fill(store, count: 300, batch: 5)
        for suffix in ["", "-wal"] { try FileManager.default.copyItem(atPath: scratch + suffix, toPath: hub.journalPath + suffix) }
        withExtendedLifetime(store) {}
        let wal = try WALScan.scan(journalPath: hub.journalPath)
        let frame = wal.frames / 2
        try Self.change(hub.journalPath + "-wal") { $0[32 + (frame - 1) * (24 + wal.pageSize) + 24 + 500] ^= 0x10 }
        let before = try Self.bytes(hub.journalPath + "-wal")

        let result = try await Self.verify(hub)
        #expect(result.status == 1, "\(result)")
        let damaged = try WALScan.scan(journalPath: hub.journalPath)
        #expect(
            result.output.contains(
                "WAL: \(damaged.droppedCommits) committed transactions after damaged frame \(frame) will be dropped by SQLite"),
            "\(result.output)")
        #expect(damaged.droppedCommits > 10)
        #expect(result.output.contains("–300 lost: WAL: "), "\(result.output)")
        #expect(try Self.bytes(hub.journalPath + "-wal") == before, "verify changed the WAL")
    }

    @Test func aZeroedPageIsReportedNotACrash() async throws {
        let hub = try Self.hub()
        try Self.write(hub, count: 600)
        let bytes = try Self.bytes(hub.journalPath)
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        let page = try #require(try Self.offset(of: "<<body m-000300>>", in: hub.journalPath)) / pageSize
        try Self.change(hub.journalPath) { contents in
            for offset in page * pageSize..<(page + 1) * pageSize { contents[offset] = 0 }
        }
        let result = try await Self.verify(hub)
        #expect(result.status == 1, "\(result)")
        #expect(result.output.contains(" unreadable") || result.output.contains("cannot be read"), "\(result.output)")
        #expect(result.output.contains("integrity_check"), "\(result.output)")
    }

    /// Beside a running hub that delivers and acknowledges, verify reads and finds nothing.
    @Test func besideARunningHubItIsIntact() async throws {
        let hub = try Self.hub()
        try await hub.start()
        let bob = try hub.client("bob", receive: true)
        defer { bob.close() }
        let inbox = DeliveryInbox(bob)
        try await bob.connect()
        let alice = try hub.client("alice")
        defer { alice.close() }
        for index in 1...40 {
            _ = try await alice.submit(type: "demo.Note", body: Array("note \(index)".utf8), to: ["bob"], id: "note-\(index)")
        }
        try await inbox.wait(for: 40, within: .seconds(20))
        let result = try await Self.verify(hub)
        #expect(result.status == 0 && result.output.contains("journal intact: 40 records, head seq 40"), "\(result)")
        let quick = try await Self.verify(hub, ["--quick"])
        #expect(quick.status == 0, "\(quick)")
        #expect(await hub.terminate() == 0)
    }

    @Test func aMissingJournalIsAClearError() async throws {
        let hub = try Self.hub()
        let result = try await Self.verify(hub)
        #expect(result.status == 5, "\(result)")
        #expect(result.errors.contains("no journal at"), "\(result.errors)")
    }
}
