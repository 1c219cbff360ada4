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

    /// A department that keeps, as its state, the bodies of the notes delivered to it.
    struct KeepingFiles: DepartmentFiles {
        var kept: [String] = []

        func read(name: String, data: [UInt8]) throws(FormatError) -> FileReading { FileReading(documents: []) }

        mutating func write(_ delivery: Delivery) throws(FormatError) -> [OutboundFile]? {
            kept.append(String(decoding: delivery.body, as: UTF8.self))
            return [OutboundFile(name: "note-\(delivery.seq).txt", content: delivery.body)]
        }

        var state: [UInt8] { Array(kept.joined(separator: "\n").utf8) }

        mutating func restore(_ state: [UInt8]) throws {
            guard let text = String(validating: state, as: UTF8.self) else { throw FormatError(.syntax, at: "", "not UTF-8") }
            kept = text.split(separator: "\n").map(String.init)
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

    /// A delivery whose state cannot be saved (the state folder replaced by a file: a full
    /// disk or an I/O error fails the same way) is retried, not acknowledged, until the state
    /// with it is on disk. Before, the retry saw no change in the state it had already made in
    /// memory, skipped saving it and acknowledged: a restart then had lost the delivery.
    @Test func aDeliveryIsAcknowledgedOnlyOnceItsStateIsSaved() async throws {
        let hub = try TestHub(parties: [.init(id: "dept"), .init(id: "office")], types: ["demo.Note"])
        try await hub.start()
        let root = hub.directory.appendingPathComponent("dept")
        let folders = ExchangeFolders(root: root)
        var configuration = hub.clientConfiguration("dept", receive: true)
        configuration.requestTimeout = .seconds(20)
        var logger = Logger(label: "test.adapter")
        logger.logLevel = .critical
        let adapter = try FileAdapter(
            party: "dept", files: KeepingFiles(), folders: folders, configuration: configuration, logger: logger,
            pollInterval: .milliseconds(50))
        try await adapter.connect()
        let running = Task { await adapter.run() }
        defer { running.cancel() }
        let stateFile = folders.state.appendingPathComponent("dept.state")
        let office = try hub.client("office")
        defer { office.close() }

        let first = try await office.submit(type: "demo.Note", body: Array("one".utf8), to: ["dept"], id: "k-1")
        try await waitUntil(.seconds(30), "first delivery not acknowledged: \(adapter.summary)") {
            adapter.summary.acknowledged >= first.seq
        }
        #expect(try String(contentsOf: stateFile, encoding: .utf8) == "one")

        let aside = folders.state.deletingLastPathComponent().appendingPathComponent("state-aside")
        try FileManager.default.moveItem(at: folders.state, to: aside)
        #expect(FileManager.default.createFile(atPath: folders.state.path, contents: Data("not a folder".utf8)))
        let second = try await office.submit(type: "demo.Note", body: Array("two".utf8), to: ["dept"], id: "k-2")
        try await waitUntil(.seconds(30), "the write never failed: \(adapter.summary)") {
            adapter.summary.writeFailures >= 2 || adapter.summary.acknowledged >= second.seq
        }
        #expect(adapter.summary.acknowledged < second.seq, "acknowledged with its state unsaved: \(adapter.summary)")

        try FileManager.default.removeItem(at: folders.state)
        try FileManager.default.moveItem(at: aside, to: folders.state)
        try await waitUntil(.seconds(30), "second delivery not acknowledged: \(adapter.summary)") {
            adapter.summary.acknowledged >= second.seq
        }
        #expect(try String(contentsOf: stateFile, encoding: .utf8) == "one\ntwo")
    }

    /// A saved state that is damaged, a folder, or a symbolic link to nowhere stops the
    /// adapter at start with a configuration error naming the file (`swhub adapter` exits
    /// 78); it was taken for "no state", dropping the held deliveries, and the next save
    /// replaced it. No file at all is a new adapter's empty state.
    @Test func aDamagedOrMissingStateFileStopsTheAdapterAtStart() throws {
        let hub = try TestHub(parties: [.init(id: "dept")], types: ["demo.Note"])
        let folders = ExchangeFolders(root: hub.directory.appendingPathComponent("dept"))
        try folders.prepare()
        let stateFile = folders.state.appendingPathComponent("dept.state")
        func start() throws -> FileAdapter<KeepingFiles> {
            var logger = Logger(label: "test.adapter")
            logger.logLevel = .critical
            return try FileAdapter(
                party: "dept", files: KeepingFiles(), folders: folders, configuration: hub.clientConfiguration("dept", receive: true),
                logger: logger)
        }
        func refusal() -> String {
            do {
                _ = try start()
                return "started"
            } catch {
                return (error as? AdapterSettingsError)?.description ?? "\(error)"
            }
        }
        _ = try start()  // no state yet
        try Data([0xFF, 0xFE, 0x00]).write(to: stateFile)
        #expect(refusal().contains("\(stateFile.path) is damaged"), "\(refusal())")
        try FileManager.default.removeItem(at: stateFile)
        try FileManager.default.createDirectory(at: stateFile, withIntermediateDirectories: false)
        #expect(refusal().contains("\(stateFile.path) is not a file"), "\(refusal())")
        try FileManager.default.removeItem(at: stateFile)
        try FileManager.default.createSymbolicLink(atPath: stateFile.path, withDestinationPath: "/nonexistent/dept.state")
        #expect(refusal().contains("symbolic link to nowhere"), "\(refusal())")
        try FileManager.default.removeItem(at: stateFile)
        try Data("kept".utf8).write(to: stateFile)
        _ = try start()
    }

    /// The inbox listing: files to read in name order; files still being written left alone
    /// without a word; a folder or a symbolic link to nowhere skipped with its reason (the
    /// adapter logs it once), where they were skipped silently.
    @Test func theInboxListingNamesWhatItSkipsAndWhy() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swhub-inbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folders = ExchangeFolders(root: root)
        try folders.prepare()
        for name in ["b.csv", "a.csv", "c.csv.part", "d.tmp", ".hidden"] {
            #expect(FileManager.default.createFile(atPath: folders.inbox.appendingPathComponent(name).path, contents: Data("x\n".utf8)))
        }
        try FileManager.default.createDirectory(at: folders.inbox.appendingPathComponent("sub"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(
            atPath: folders.inbox.appendingPathComponent("gone.csv").path, withDestinationPath: "/nonexistent/gone.csv")
        let (files, skipped) = try folders.readyInboxFiles()
        #expect(files.map(\.lastPathComponent) == ["a.csv", "b.csv"])
        #expect(skipped.map(\.name) == ["gone.csv", "sub"])
        #expect(skipped.map(\.reason) == ["a symbolic link to nowhere", "a folder, not a file"])
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
