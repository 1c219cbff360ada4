import DepartmentFormats
import Foundation
import HubClient
import HubProtocol
import Logging
import Synchronization

/// A department's file adapter: a long-running `HubClient` that turns the files the
/// department's system drops into its inbox into hub messages, and every delivery into
/// outbox files, in the department's own formats (`DepartmentFiles`).
///
/// Nothing is lost or doubled, whatever crashes:
/// - a message read from a file gets the id `<party>.<content hash>.<position>`: the same
///   file read again gives the same ids, which the hub journals once;
/// - an inbox file is archived only after the hub answered ACCEPTED (journaled) for every
///   message made from it; a 3xx, a timeout or a lost connection leaves it in the inbox
///   for the next round;
/// - a delivery is acknowledged only after its files are written (temporary file, flushed,
///   renamed) and the department's state saved; redelivered, it is written again under the
///   same name with the same content.
///
/// A file that does not parse or validate goes to the error folder with a reason file
/// (code, where, why); one the hub refuses a message of (4xx) too, naming the refused
/// positions. Records read but not submitted — unlinked, or returns and reversals — are
/// listed beside the archived file (`<file>.unlinked.txt`, `<file>.returned.txt` in the
/// error folder). Each archived or rejected file and each such record is reported to the
/// hub as an `adapter.Event`, counted by `swhub stats`.
public final class FileAdapter<Files: DepartmentFiles>: Sendable {
    /// Counters, for logs and the closing line.
    public struct Summary: Sendable, Equatable {
        public var archived = 0
        public var rejected = 0
        public var submitted = 0
        public var written = 0
        public var acknowledged: UInt64 = 0
        /// Rounds that left a file in the inbox for the next one (the hub did not answer, or
        /// answered "retry later").
        public var deferred = 0
        /// Attempts to write a delivery's files or the state that failed (each is retried
        /// every second; the delivery is acknowledged only after one succeeds).
        public var writeFailures = 0
    }

    let party: String
    let folders: ExchangeFolders
    let client: HubClient
    let logger: Logger
    let pollInterval: Duration
    private let files: Mutex<Files>
    private let counters = Mutex(Summary())
    /// The inbox entries already logged as left alone: those the last listing skipped (name
    /// and reason), and the listed files whose reading failed.
    private struct LeftAlone {
        var listed: Set<String> = []
        var unreadable: Set<String> = []
    }
    private let leftAlone = Mutex(LeftAlone())

    /// - Parameters:
    ///   - party: the department's party id (its key's).
    ///   - files: its formats.
    ///   - folders: its exchange folders (created if missing).
    ///   - configuration: its client configuration; `receive` is turned on.
    ///   - pollInterval: how often the inbox is looked at.
    public init(
        party: String, files: Files, folders: ExchangeFolders, configuration: HubClientConfiguration, logger: Logger,
        pollInterval: Duration = .milliseconds(500)
    ) throws {
        try folders.prepare()
        var files = files
        let stateFile = folders.state.appendingPathComponent("\(party).state")
        if let saved = try Self.savedState(stateFile) {
            do {
                try files.restore(saved)
            } catch {
                throw AdapterSettingsError(
                    "the adapter's state \(stateFile.path) is damaged (\(error)): it holds deliveries already acknowledged;"
                        + " put back a good copy, or move it away to start without them")
            }
        }
        self.party = party
        self.folders = folders
        self.files = Mutex(files)
        self.logger = logger
        self.pollInterval = pollInterval
        var configuration = configuration
        configuration.receive = true
        client = try HubClient(configuration: configuration, logger: logger)
    }

    /// The bytes of the saved state at `url`, nil when there is none yet. Anything else at
    /// that path (a folder, a symbolic link to nowhere, a file that cannot be read) is an
    /// error: taking it for "no state" would drop the held deliveries it stands for, and the
    /// next save would replace it.
    static func savedState(_ url: URL) throws -> [UInt8]? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw AdapterSettingsError("cannot read the adapter's state \(url.path): \(String(cString: strerror(code)))")
        }
        var target = stat()
        guard stat(url.path, &target) == 0 else {
            throw AdapterSettingsError(
                "the adapter's state \(url.path) is a symbolic link to nowhere (\(String(cString: strerror(errno))))")
        }
        guard target.st_mode & S_IFMT == S_IFREG else { throw AdapterSettingsError("the adapter's state \(url.path) is not a file") }
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw AdapterSettingsError("cannot read the adapter's state \(url.path)")
        }
        return [UInt8](bytes)
    }

    /// What was done so far.
    /// Why the adapter's client stopped on its own (the hub revoked its key), nil otherwise:
    /// `run()` then returns, and the command exits with it.
    public var failure: HubClientError? { client.failure }

    public var summary: Summary { counters.withLock { $0 } }

    /// Waits for the hub's WELCOME.
    @discardableResult
    public func connect(timeout: Duration = .seconds(10)) async throws -> HubWelcome {
        try await client.connect(timeout: timeout)
    }

    /// Reads the inbox and writes deliveries until cancelled; then closes the client.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.deliveryLoop() }
            group.addTask { await self.inboxLoop() }
            await group.next()
            group.cancelAll()
        }
        client.close()
    }

    // MARK: inbox

    private func inboxLoop() async {
        while !Task.isCancelled {
            do {
                let (ready, skipped) = try folders.readyInboxFiles()
                let fresh = leftAlone.withLock { seen in
                    let now = skipped.map { "\($0.name)\u{1F}\($0.reason)" }
                    defer { seen.listed = Set(now) }
                    return zip(skipped, now).filter { !seen.listed.contains($1) }.map(\.0)
                }
                for entry in fresh { logLeftAlone(entry.name, entry.reason) }
                for file in ready {
                    guard !Task.isCancelled else { return }
                    await process(file)
                }
            } catch {
                logger.error("cannot list the inbox", metadata: ["inbox": "\(folders.inbox.path)", "error": "\(error)"])
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Logs an inbox entry the adapter leaves alone (once: the callers log only what they
    /// had not logged before; a listing's skipped entry again after it was gone from a listing).
    private func logLeftAlone(_ name: String, _ reason: String) {
        logger.warning(
            "an inbox entry is left alone: it is not a file the adapter can read",
            metadata: ["inbox": "\(folders.inbox.path)", "name": "\(name)", "reason": "\(reason)"])
    }

    /// Reads one inbox file, submits what it holds, and archives or rejects it.
    func process(_ file: URL) async {
        let name = file.lastPathComponent
        guard let data = FileManager.default.contents(atPath: file.path).map({ [UInt8]($0) }) else {
            if leftAlone.withLock({ $0.unreadable.insert(name).inserted }) { logLeftAlone(name, "it cannot be read") }
            return
        }
        let contentId = InboundDocument.contentId(of: data)
        let reading: FileReading
        do throws(FormatError) {
            if name.lowercased().hasSuffix(".json") {
                reading = FileReading(documents: try HubJSONFile.read(data, fileName: name))
            } else {
                let current = files.withLock { $0 }
                reading = try current.read(name: name, data: data)
            }
        } catch {
            reject(file, contentId: contentId, reasons: [error])
            await report("error", file: name, documents: 0, error: error, contentId: contentId)
            return
        }
        // In file order: the hub journals a file's messages in the order they were written.
        let now = Date()
        let messages = reading.documents.map { document in
            OutgoingMessage(
                type: document.type, body: document.body, to: document.recipients,
                id: document.messageId(party: party, contentId: contentId), correlationId: document.correlationId, createdAt: now)
        }
        logger.info("submitting", metadata: ["file": "\(name)", "messages": "\(messages.count)"])
        var refused: [FormatError] = []
        for (document, result) in zip(reading.documents, await client.submit(inOrder: messages)) {
            switch result {
            case .success:
                continue
            case .failure(let error) where error.code == .rejected && error.errorClass == .refused:
                let code = error.hubCode.map(String.init(describing:)) ?? ""
                refused.append(
                    FormatError(.invalidValue, at: document.position, "the hub refused \(document.type): \(code) \(error.reason)"))
            case .failure(let error):
                logger.warning("file left in the inbox for the next round", metadata: ["file": "\(name)", "error": "\(error)"])
                counters.withLock { $0.deferred += 1 }
                return
            }
        }
        counters.withLock { $0.submitted += reading.documents.count - refused.count }
        if !refused.isEmpty {
            reject(file, contentId: contentId, reasons: refused)
            await report(
                "error", file: name, documents: UInt32(reading.documents.count - refused.count), error: refused[0], contentId: contentId)
            return
        }
        await reportAside(reading.unlinked, kind: "unlinked", file: name, contentId: contentId, what: "records that link to nothing")
        await reportAside(
            reading.returned, kind: "returned", file: name, contentId: contentId, what: "returns and reversals, not booked as payments")
        do {
            try ExchangeFolders.move(file, into: folders.archive, tag: contentId)
            counters.withLock { $0.archived += 1 }
            logger.info("archived", metadata: ["file": "\(name)", "messages": "\(reading.documents.count)"])
        } catch {
            logger.error("cannot archive; it is read again next round (same ids)", metadata: ["file": "\(name)", "error": "\(error)"])
        }
        await report("archived", file: name, documents: UInt32(reading.documents.count), error: nil, contentId: contentId)
    }

    /// Records read but not submitted (unlinked, returned): `<file>.<kind>.txt` in the error
    /// folder, one adapter event each, a warning.
    private func reportAside(_ records: [FormatError], kind: String, file name: String, contentId: String, what: String) async {
        guard !records.isEmpty else { return }
        let text = records.map(Self.describe).joined(separator: "\n") + "\n"
        try? ExchangeFolders.writeAtomically(Array(text.utf8), to: folders.errors, name: "\(name).\(kind).txt")
        for (index, entry) in records.enumerated() {
            await report(kind, file: name, documents: 0, error: entry, contentId: "\(contentId).\(index)")
        }
        logger.warning("\(what)", metadata: ["file": "\(name)", "count": "\(records.count)"])
    }

    private func reject(_ file: URL, contentId: String, reasons: [FormatError]) {
        do {
            let moved = try ExchangeFolders.move(file, into: folders.errors, tag: contentId)
            let text = reasons.map(Self.describe).joined(separator: "\n") + "\n"
            try ExchangeFolders.writeAtomically(Array(text.utf8), to: folders.errors, name: moved.lastPathComponent + ".reason.txt")
            counters.withLock { $0.rejected += 1 }
            logger.warning("file rejected", metadata: ["file": "\(file.lastPathComponent)", "reason": "\(reasons[0])"])
        } catch {
            logger.error("cannot move a bad file to the error folder", metadata: ["file": "\(file.path)", "error": "\(error)"])
        }
    }

    static func describe(_ error: FormatError) -> String {
        "code: \(error.code)\nlocation: \(error.location.isEmpty ? "(whole file)" : error.location)\nreason: \(error.reason)\n"
    }

    /// Tells the hub (for `swhub stats`); a hub without flows does not know the type, so
    /// refusals only get logged.
    private func report(_ kind: String, file: String, documents: UInt32, error: FormatError?, contentId: String) async {
        var event = BizAdapterEvent()
        event.department = party
        event.kind = kind
        event.file = file
        event.documents = documents
        event.code = error?.code.name ?? ""
        event.location = error?.location ?? ""
        event.reason = error?.reason ?? ""
        event.atUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
        do {
            _ = try await client.submit(
                type: MessageType.adapterEvent.rawValue, body: try event.serializedBytes(), id: "\(party).event.\(kind).\(contentId)")
        } catch {
            logger.debug("adapter event not journaled", metadata: ["error": "\(error)"])
        }
    }

    // MARK: deliveries

    private func deliveryLoop() async {
        for await delivery in client.deliveries {
            guard !Task.isCancelled else { return }
            while !Task.isCancelled {
                do {
                    try write(delivery)
                    break
                } catch {
                    counters.withLock { $0.writeFailures += 1 }
                    logger.error(
                        "cannot write a delivery; retrying",
                        metadata: [
                            "seq": "\(delivery.seq)", "message_id": "\(delivery.header.id)", "type": "\(delivery.header.type)",
                            "error": "\(error)",
                        ])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            client.acknowledge(delivery.seq)
            counters.withLock { $0.acknowledged = delivery.seq }
        }
    }

    /// A delivery the department has no format for: hub JSON for the business types, the
    /// body as it came (`.bin`) for opaque types or a body that does not decode.
    static func fallback(_ delivery: Delivery) -> [OutboundFile] {
        if let file = try? HubJSONFile.write(delivery.header, body: delivery.body) { return [file] }
        let name = HubJSONFile.fileName(type: delivery.header.type, id: delivery.header.id, extension: "bin")
        return [OutboundFile(name: name, content: delivery.body)]
    }

    /// Writes the files for a delivery and saves the department's state. When a write fails
    /// the delivery's change to the state is undone, so that the retry makes it again and
    /// saves it: a delivery is never acknowledged with its state held only in memory.
    func write(_ delivery: Delivery) throws {
        let (outbound, state, previous): ([OutboundFile], [UInt8]?, Files) = files.withLock { files in
            let previous = files
            let before = files.state
            var outbound: [OutboundFile]
            do throws(FormatError) {
                outbound = try files.write(delivery) ?? Self.fallback(delivery)
            } catch {
                // A body the department's format cannot take is kept in the fallback form and logged.
                logger.warning("written in the fallback form instead", metadata: ["seq": "\(delivery.seq)", "reason": "\(error)"])
                outbound = Self.fallback(delivery)
            }
            let after = files.state
            return (outbound, after == before ? nil : after, previous)
        }
        do {
            for file in outbound { try ExchangeFolders.writeAtomically(file.content, to: folders.outbox, name: file.name) }
            if let state { try ExchangeFolders.writeAtomically(state, to: folders.state, name: "\(party).state") }
        } catch {
            files.withLock { $0 = previous }
            throw error
        }
        counters.withLock { $0.written += outbound.count }
    }
}
