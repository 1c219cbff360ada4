import Adapters
import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import HubTestSupport
import Logging
import Testing

/// The file exchange every department adapter uses, against a real hub: inbox files become
/// journaled messages (once, whatever is retried), then move to the archive; bad files go
/// to the error folder with a reason; deliveries become outbox files.
@Suite("File adapters: inbox, outbox, archive, errors", .serialized)
struct FileAdapterTests {
    /// A department format for the test: one demo.Note per line; a line "BAD" is malformed.
    struct LineFiles: DepartmentFiles {
        func read(name: String, data: [UInt8]) throws(FormatError) -> FileReading {
            var documents: [InboundDocument] = []
            for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
                guard line != "BAD" else { throw FormatError(.syntax, at: "line \(index + 1)", "a bad line") }
                documents.append(InboundDocument(type: "demo.Note", body: Array(line.utf8), position: "line \(index + 1)"))
            }
            return FileReading(documents: documents)
        }

        func write(_ delivery: Delivery) throws(FormatError) -> [OutboundFile]? {
            guard delivery.header.type == "demo.Note" else { return nil }
            return [OutboundFile(name: "note-\(delivery.seq).txt", content: delivery.body)]
        }
    }

    static func adapter(_ hub: TestHub, root: URL, timeout: Duration = .seconds(20)) throws -> FileAdapter<LineFiles> {
        var configuration = hub.clientConfiguration("dept", receive: true)
        configuration.requestTimeout = timeout
        var logger = Logger(label: "test.adapter")
        logger.logLevel = .critical
        return try FileAdapter(
            party: "dept", files: LineFiles(), folders: ExchangeFolders(root: root), configuration: configuration, logger: logger,
            pollInterval: .milliseconds(50))
    }

    static func names(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func inboxFilesAreJournaledOnceArchivedOrRejectedAndDeliveriesWritten() async throws {
        let hub = try TestHub(
            parties: [.init(id: "dept"), .init(id: "office", subscribes: ["demo.Note"])], types: ["demo.Note", "demo.Other"])
        try await hub.start()
        let root = hub.directory.appendingPathComponent("dept")
        let folders = ExchangeFolders(root: root)
        let adapter = try Self.adapter(hub, root: root)
        let office = try hub.client("office", receive: true)
        defer { office.close() }
        let inbox = DeliveryInbox(office)
        try await office.connect()
        try await adapter.connect()
        let running = Task { await adapter.run() }
        defer { running.cancel() }

        try "first\nsecond\nthird".write(to: folders.inbox.appendingPathComponent("batch-1.txt"), atomically: true, encoding: .utf8)
        // Generous: with the whole suite starting at once on 2 cores the adapter's task waited
        // over 20 s for a thread of the concurrency pool before it read the inbox once.
        try await waitUntil(
            .seconds(90), "only \(inbox.count) of 3 deliveries; adapter \(adapter.summary); hub log: \(hub.log().suffix(1500))"
        ) {
            inbox.count >= 3
        }
        let got = try await inbox.wait(for: 3, within: .seconds(1))
        #expect(got.map { String(decoding: $0.body, as: UTF8.self) } == ["first", "second", "third"])
        #expect(got.allSatisfy { $0.header.id.hasPrefix("dept.") && $0.header.sender == "dept" })
        try await waitUntil(.seconds(30), "not archived") { Self.names(folders.archive) == ["batch-1.txt"] }

        // The same content again, under another name: the same ids, journaled once.
        try "first\nsecond\nthird".write(to: folders.inbox.appendingPathComponent("batch-1-again.txt"), atomically: true, encoding: .utf8)
        try await waitUntil(.seconds(30), "not archived") { Self.names(folders.archive).count == 2 }
        let beforeMarker = try await inbox.deliveriesBeforeMarker(from: office, to: "office")
        #expect(beforeMarker.count == 3, "the same content under another name was delivered again")

        // A bad file: to the error folder with its reason; the adapter carries on.
        try "fine\nBAD\n".write(to: folders.inbox.appendingPathComponent("broken.txt"), atomically: true, encoding: .utf8)
        try "fourth".write(to: folders.inbox.appendingPathComponent("batch-2.txt"), atomically: true, encoding: .utf8)
        try await waitUntil(.seconds(30), "not rejected") { Self.names(folders.errors) == ["broken.txt", "broken.txt.reason.txt"] }
        let reason = try String(contentsOf: folders.errors.appendingPathComponent("broken.txt.reason.txt"), encoding: .utf8)
        #expect(reason.contains("code: SYNTAX") && reason.contains("location: line 2"))
        // The three notes, the marker, then the fourth (nothing of the rejected file).
        let afterBadFile = try await inbox.wait(for: 5, within: .seconds(10))
        #expect(afterBadFile.last.map { String(decoding: $0.body, as: UTF8.self) } == "fourth")
        #expect(Self.names(folders.inbox).isEmpty)

        // Deliveries to the department: its format, or hub JSON for types it has none for.
        let office2 = try hub.client("office")
        defer { office2.close() }
        let note = try await office2.submit(type: "demo.Note", body: Array("to dept".utf8), to: ["dept"], id: "n-1")
        _ = try await office2.submit(type: "demo.Other", body: Array("other".utf8), to: ["dept"], id: "o-1")
        try await waitUntil(.seconds(10), "outbox: \(Self.names(folders.outbox)), acked \(adapter.summary)") {
            Self.names(folders.outbox).count == 2
        }
        #expect(Self.names(folders.outbox) == ["demo.Other_o-1.bin", "note-\(note.seq).txt"])
        #expect(try String(contentsOf: folders.outbox.appendingPathComponent("note-\(note.seq).txt"), encoding: .utf8) == "to dept")
        try await waitUntil(.seconds(5), "acknowledged") { adapter.summary.acknowledged > note.seq }
    }

    @Test func aFileReadWhileTheHubIsDownIsJournaledOnceWhenItIsBack() async throws {
        let hub = try TestHub(parties: [.init(id: "dept"), .init(id: "office", subscribes: ["demo.Note"])], types: ["demo.Note"])
        try await hub.start()
        let root = hub.directory.appendingPathComponent("dept")
        let folders = ExchangeFolders(root: root)
        let adapter = try Self.adapter(hub, root: root, timeout: .seconds(1))
        try await adapter.connect()
        let running = Task { await adapter.run() }
        defer { running.cancel() }

        await hub.kill9()
        let lines = (1...50).map { "line \($0)" }.joined(separator: "\n")
        try lines.write(to: folders.inbox.appendingPathComponent("during-outage.txt"), atomically: true, encoding: .utf8)
        try await waitUntil(.seconds(20), "the adapter never tried the file while the hub was down") { adapter.summary.deferred >= 1 }
        #expect(Self.names(folders.inbox) == ["during-outage.txt"], "kept in the inbox while the hub is down")
        try await hub.start()
        try await waitUntil(.seconds(20), "not archived after the hub came back") { Self.names(folders.archive) == ["during-outage.txt"] }
        let journal = try hub.openJournal()
        let notes = try journal.records(types: ["demo.Note"], after: 0, limit: 1000)
        #expect(notes.count == 50, "each line journaled exactly once")
        #expect(Set(notes.map(\.id)).count == 50)
    }
}
