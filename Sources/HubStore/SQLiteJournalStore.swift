import Foundation
import GRDB
import HubCore
import HubLifecycle
import Logging

/// The journal in one SQLite file, through a GRDB `DatabasePool`.
///
/// The pool runs SQLite in WAL mode: reads (``fetch(recipient:after:limit:)``, lookups)
/// proceed on reader connections while the single writer connection appends. Appends
/// are group commits: one transaction per batch, fsync'd before ``append(_:acks:)``
/// returns.
///
/// Open one instance per file for writing: the writer keeps the head seq in memory after
/// open. Further instances on the same file may read.
///
/// Every stored row carries a checksum (``RecordChecksum``) that every read checks: a
/// damaged row is never returned (`corrupt`, naming its seq). A head record beside the
/// journal (``HeadRecord``) says how far it had committed; opening for writing a journal
/// that is behind it fails (`journalBehind`). ``init(path:logger:readOnly:)`` with
/// `readOnly` opens any journal for reading only (salvage).
public final class SQLiteJournalStore: HeadSealing {
    let pool: DatabasePool
    let writer: WriterState
    private let checkpointer: WALCheckpointer?
    let headRecord: HeadRecord?
    private let logger: Logger
    /// The archive segments' reader (``JournalArchive``): reads below the live range go there.
    let archive: JournalArchive
    /// Seals old ranges into segments (``JournalArchiver``), when the store was opened with archive settings.
    public let archiver: JournalArchiver?
    /// Whether the store was opened read-only: every write throws `readOnly`.
    public let isReadOnly: Bool
    /// The journal's algorithm suite's hash functions (``JournalSuiteRecord``), used for every record.
    public let hashing: JournalHashing

    /// Opens the journal at `path`, creating it if needed, and brings its schema up to date;
    /// or, with `readOnly`, opens an existing journal for reading only.
    ///
    /// Opening for writing checks the journal against its head record
    /// (`<path>-head`, ``HeadRecord``) and creates that record when it is missing. A
    /// read-only open migrates nothing, runs no checkpointer, and only logs the head check's
    /// result.
    ///
    /// - Parameters:
    ///   - path: The SQLite file; its directory must exist. SQLite adds `-wal` and `-shm`
    ///     files next to it.
    ///   - logger: Where the store logs.
    ///   - readOnly: Open for reading only (`swhub serve --salvage`): ``append(_:acks:progress:)``
    ///     and ``saveAcks(_:)`` throw `readOnly`.
    ///   - archiveSettings: `archive:` of the hub's config: the folder segments are read from,
    ///     and, unless read-only, the archiver among ``services``; nil: segments are read where
    ///     the manifest says they were written, and nothing is archived.
    ///   - crypto: `crypto:` of the hub's config: the suite a new journal records, and the one
    ///     an existing journal must have recorded; nil: whatever the journal records (`standard` for a new one).
    /// - Throws: ``StoreError`` with code `openFailed`, `migrationFailed`, `corrupt` (also
    ///   when the head record is unreadable), `journalBehind` (the journal holds fewer
    ///   committed records than its head record says, or others), `suiteMismatch` (the
    ///   journal records another suite than `crypto`) or `cryptoUnavailable`.
    public init(
        path: String, logger: Logger, readOnly: Bool = false, archiveSettings: HubConfig.Archive? = nil, crypto: CryptoSuite? = nil
    ) throws {
        var logger = logger
        logger[metadataKey: "journal"] = "\(path)"
        self.logger = logger
        isReadOnly = readOnly

        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "HubStore.journal"
        // Another connection to the file (the checkpointer's, a read-only inspector's, or the
        // previous store of this process still closing) may hold a lock for a moment:
        // wait for it rather than failing the open or a commit with "database is locked".
        configuration.busyMode = .timeout(TimeInterval(Self.busyTimeoutMs) / 1000)
        configuration.prepareDatabase { db in
            guard !db.configuration.readonly else { return }
            // 16 KiB pages: a batch of 1 KB messages is written to the WAL in 4x fewer
            // frames (and syscalls) than with the default 4 KiB; measured about 1.3x more
            // appends per second. Runs before GRDB turns WAL on, so it takes effect when
            // the file is created; an existing file keeps its page size.
            try db.execute(sql: "PRAGMA page_size = 16384")
        }

        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw StoreError(code: .openFailed, reason: "no journal at \(path) to open read-only")
        }
        if !readOnly { try Self.keepDamagedWAL(journal: path, logger: logger) }
        let pool = try Self.opening("open", .openFailed, logger) {
            let pool = try DatabasePool(path: path, configuration: configuration)
            if readOnly { return pool }
            // In WAL mode, synchronous = NORMAL syncs the WAL only at checkpoints, so a
            // commit that already returned can be lost with power. FULL fsyncs the WAL at
            // each commit: when append returns, the batch is on disk. GRDB sets NORMAL
            // while it opens the pool (after `prepareDatabase`), so this is set on the
            // pool's one writer connection afterwards, where it stays for the pool's life.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            // Checkpoints run on their own thread (WALCheckpointer), not inside a commit.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
            // A WAL that SQLite rewinds is cut back to this size (WALCheckpointer bounds it too).
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_size_limit = \(WALCheckpointer.walLimitBytes)")
            }
            return pool
        }
        let headPath = HeadRecord.path(journal: path)
        let headCheck = try Self.opening("check the head record", .openFailed, logger) {
            try Self.checkHead(pool: pool, journal: path, headPath: headPath)
        }
        if readOnly {
            Self.logReadOnly(headCheck, logger: logger)
        } else {
            if case .failed(let error) = headCheck {
                logger.critical("cannot open journal: it is damaged", metadata: ["error": "\(error)"])
                throw error
            }
            try Self.opening("migrate", .migrationFailed, logger) {
                try JournalSchema.migrator(creating: crypto ?? .standard).migrate(pool)
            }
        }
        let suite = try Self.opening("read the crypto suite", .openFailed, logger) {
            try pool.read { try JournalSuiteRecord.suite($0) }
        }
        if let crypto, crypto != suite {
            let error = JournalSuiteRecord.mismatch(journal: path, recorded: suite, configured: crypto)
            logger.critical("cannot open journal: its crypto suite is not the config's", metadata: ["error": "\(error)"])
            throw error
        }
        let hashing = try JournalHashing(suite)
        self.hashing = hashing
        let (head, chain, lastJournaledAtUs) = try Self.opening("read head", .openFailed, logger) {
            try pool.read { db in
                (
                    try Int64.fetchOne(db, sql: JournalSQL.selectHead) ?? 0,
                    try Data.fetchOne(db, sql: JournalSQL.selectLastChain).map { [UInt8]($0) } ?? JournalChain.genesis,
                    try Int64.fetchOne(db, sql: JournalSQL.selectLastJournaledAt) ?? 0
                )
            }
        }
        self.pool = pool
        self.archive = JournalArchive(directory: archiveSettings?.directory, hashing: hashing)
        self.archiver =
            readOnly ? nil : archiveSettings.map { JournalArchiver(writer: pool, settings: $0, hashing: hashing, logger: logger) }
        self.writer = WriterState(head: head, chain: chain, lastJournaledAtUs: lastJournaledAtUs)
        if readOnly {
            checkpointer = nil
            headRecord = nil
            logger.warning("journal opened READ-ONLY: nothing will be written to it", metadata: ["head": "\(head)"])
            return
        }
        headRecord = try Self.opening("open the head record", .openFailed, logger) {
            try Self.openHeadRecord(
                headCheck, path: headPath, mark: HeadRecord.Mark(seq: UInt64(max(head, 0)), chain: chain), logger: logger)
        }
        checkpointer = try Self.opening("open checkpointer", .openFailed, logger) {
            try WALCheckpointer(path: path, interval: 0.05, logger: logger)
        }
        logger.info("journal opened", metadata: ["head": "\(head)"])
    }

    deinit {
        checkpointer?.stop()
    }

    /// The WAL checkpointer (see ``WALCheckpointer``): automatic checkpoints are off, so a
    /// store that appends for long must have it running, as the hub does. A store that is
    /// only read, or written briefly (tests, tools), needs none: SQLite checkpoints when
    /// the last connection closes.
    public var services: [ThreadLoopService] { (checkpointer.map { [$0.service] } ?? []) + (archiver.map { [$0.service] } ?? []) }

    public func append(_ batch: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]) throws -> [AppendOutcome] {
        let (outcomes, seal) = try appendUnsealed(batch, acks: acks, progress: progress)
        // The head record follows, durably, before the batch is acknowledged.
        if let seal { try writing("append") { try seal.write() } }
        return outcomes
    }

    public func appendUnsealed(_ batch: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]) throws -> (
        outcomes: [AppendOutcome], seal: HeadSeal?
    ) {
        if batch.isEmpty && acks.isEmpty && progress.isEmpty { return ([], nil) }
        try refuseIfReadOnly("append")
        return try writing("append") {
            let joinedRecipients = try batch.map { try JournalSQL.joinRecipients($0.recipients) }
            let storedAcks = try Self.storableAcks(acks)
            let storedProgress = try progress.map { mark in
                (mark, try JournalSQL.storable(mark.seq, what: "progress mark", code: .writeFailed))
            }
            let now = WallClock.nowMicroseconds()
            return try pool.writeWithoutTransaction { db in
                // Never earlier than the last batch's time, even when the wall clock steps
                // back: journaled_at_us never decreases with seq, so a time maps to a seq by
                // binary search (`firstSeq(journaledAtOrAfter:)`).
                let journaledAtUs = max(now, writer.lastJournaledAtUs)
                var head = writer.head
                var chain = writer.chain
                var outcomes: [AppendOutcome] = []
                outcomes.reserveCapacity(batch.count)
                try db.inTransaction(.immediate) {
                    let insertMessage = try db.cachedStatement(sql: JournalSQL.insertMessage)
                    var inbox = InboxRunBuilder()
                    for (entry, recipients) in zip(batch, joinedRecipients) {
                        let seq = head + 1
                        if let link = try Self.insertRecord(
                            entry, recipients: recipients, seq: seq, after: chain, journaledAtUs: journaledAtUs, hashing: hashing,
                            statement: insertMessage, in: db)
                        {
                            head = seq
                            chain = link
                            inbox.add(seq, recipients: entry.recipients)
                            outcomes.append(
                                AppendOutcome(
                                    seq: UInt64(seq), duplicate: false,
                                    recipients: entry.recipients, journaledAtUs: journaledAtUs
                                )
                            )
                        } else {
                            outcomes.append(try Self.original(of: entry, hashing: hashing, in: db))
                        }
                    }
                    try InboxTable.insert(inbox.runs(), in: db)
                    try Self.saveAcks(storedAcks, in: db)
                    if !storedProgress.isEmpty {
                        let insertProgress = try db.cachedStatement(sql: JournalSQL.insertProgress)
                        for (mark, seq) in storedProgress {
                            try insertProgress.execute(arguments: [mark.party, mark.kind.rawValue, seq, mark.atUs])
                        }
                    }
                    return .commit
                }
                // Committed: only now do the head and the chain move (a failed batch leaves them as they were).
                let moved = head != writer.head
                if moved { writer.lastJournaledAtUs = journaledAtUs }
                writer.head = head
                writer.chain = chain
                Self.boundWAL(db, checkpointer: checkpointer, writer: writer)
                logger.trace("appended", metadata: ["count": "\(batch.count)", "head": "\(head)"])
                let seal = moved ? headRecord.map { HeadSeal(record: $0, mark: HeadRecord.Mark(seq: UInt64(head), chain: chain)) } : nil
                return (outcomes, seal)
            }
        }
    }

    public func saveAcks(_ acks: [String: UInt64]) throws {
        if acks.isEmpty { return }
        try refuseIfReadOnly("save acks")
        try writing("save acks") {
            let storedAcks = try Self.storableAcks(acks)
            try pool.write { db in try Self.saveAcks(storedAcks, in: db) }
        }
    }

    public func ackPositions() throws -> [String: UInt64] {
        try reading("read acks") {
            try pool.read { db in
                let rows = try Row.fetchCursor(db.cachedStatement(sql: JournalSQL.selectAcks))
                var positions: [String: UInt64] = [:]
                while let row = try rows.next() {
                    positions[try row.decode(String.self, atIndex: 0)] = try JournalSQL.seq(
                        row.decode(Int64.self, atIndex: 1)
                    )
                }
                return positions
            }
        }
    }

    public func fetch(recipient: String, after: UInt64, limit: Int) throws -> FetchResult {
        try fetching("fetch") { db in
            // One read transaction: the head and the records come from the same snapshot.
            let head = try Self.head(in: db)
            guard limit > 0, after < head else { return FetchResult(records: [], headSeq: head) }
            var records = try archived(db, after: after, limit: limit) { $0.recipients.contains(recipient) }
            if records.count >= limit { return FetchResult(records: records, headSeq: head) }
            records.reserveCapacity(min(limit, Int(clamping: head - after)))
            let damaged = try inbox(db, recipient: recipient, after: Int64(after), limit: limit, types: [], into: &records)
            return FetchResult(records: records, headSeq: head, damaged: damaged)
        }
    }

    public func pendingCount(recipient: String, after: UInt64) throws -> Int {
        try reading("count pending") {
            try pool.read { db in
                try InboxTable.pendingCount(recipient: recipient, after: Int64(clamping: after), db)
            }
        }
    }

    public func record(seq: UInt64) throws -> JournalRecord? {
        guard let storedSeq = Int64(exactly: seq) else { return nil }
        return try reading("read record") {
            try pool.read { db in
                if let live = try Row.fetchOne(db.cachedStatement(sql: JournalSQL.selectBySeq), arguments: [storedSeq]) {
                    return try JournalSQL.record(from: live, hashing: hashing)
                }
                return try archivedRecord(db, seq: seq)
            }
        }
    }

    public func record(sender: String, id: String) throws -> JournalRecord? {
        try reading("read record") {
            try pool.read { db in
                if let live = try Row.fetchOne(db.cachedStatement(sql: JournalSQL.selectBySenderAndId), arguments: [sender, id]) {
                    return try JournalSQL.record(from: live, hashing: hashing)
                }
                return try archived(db, after: 0, limit: 1) { $0.sender == sender && $0.id == id }.first
            }
        }
    }

    public func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        guard !types.isEmpty, limit > 0, let storedAfter = Int64(exactly: after) else { return [] }
        return try reading("read records by type") {
            try pool.read { db in
                let wanted = Set(types)
                let old = try archived(db, after: after, limit: limit) { wanted.contains($0.type) }
                if old.count >= limit { return old }
                let arguments =
                    StatementArguments([storedAfter]) + StatementArguments(types) + StatementArguments([limit - old.count])
                return try old
                    + Row.fetchAll(db.cachedStatement(sql: JournalSQL.selectByTypes(count: types.count)), arguments: arguments)
                    .map { try JournalSQL.record(from: $0, hashing: hashing) }
            }
        }
    }

    public func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        try reading("read records by id prefix") {
            try pool.read { db in
                // Every id starting with `prefix` sorts in [prefix, prefix + U+10FFFF).
                try Row.fetchAll(
                    db.cachedStatement(sql: JournalSQL.selectBySenderAndIdPrefix),
                    arguments: [sender, prefix, prefix + "\u{10FFFF}"]
                ).map { try JournalSQL.record(from: $0, hashing: hashing) }
            }
        }
    }

    public func headSeq() throws -> UInt64 {
        try reading("read head") {
            try pool.read { db in try Self.head(in: db) }
        }
    }

    /// The writer connection's `journal_mode`, `synchronous` and `page_size`, for tests.
    func writerSettings() throws -> (journalMode: String, synchronous: Int, pageSize: Int) {
        try pool.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                try Int.fetchOne(db, sql: "PRAGMA page_size") ?? -1
            )
        }
    }
}

extension SQLiteJournalStore {
    /// The head seq inside the current transaction.
    static func head(in db: Database) throws -> UInt64 {
        try JournalSQL.seq(Int64.fetchOne(db.cachedStatement(sql: JournalSQL.selectHead)) ?? 0)
    }

    /// Throws `readOnly` for a write to a store opened read-only.
    func refuseIfReadOnly(_ operation: String) throws {
        guard isReadOnly else { return }
        throw StoreError(code: .readOnly, reason: "\(operation): the journal was opened read-only (salvage)")
    }

    /// Acknowledgement positions as SQLite integers; throws for one beyond `Int64.max`.
    private static func storableAcks(_ acks: [String: UInt64]) throws -> [(party: String, seq: Int64)] {
        try acks.map { party, seq in
            (party, try JournalSQL.storable(seq, what: "acknowledgement position", code: .writeFailed))
        }
    }

    /// Moves the positions forward inside the current transaction.
    private static func saveAcks(_ acks: [(party: String, seq: Int64)], in db: Database) throws {
        guard !acks.isEmpty else { return }
        let statement = try db.cachedStatement(sql: JournalSQL.upsertAck)
        for ack in acks {
            try statement.execute(arguments: [ack.party, ack.seq])
        }
    }

    /// Runs a step of opening, mapping and logging its error.
    private static func opening<R>(
        _ operation: String, _ code: StoreError.Code, _ logger: Logger, _ body: () throws -> R
    ) throws -> R {
        do {
            return try body()
        } catch {
            let storeError = StoreError.mapping(error, to: code, operation: operation)
            logger.error("cannot open journal", metadata: ["error": "\(storeError)"])
            throw storeError
        }
    }

    /// Runs a write, mapping and logging its error.
    func writing<R>(_ operation: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch {
            let storeError = StoreError.mapping(error, to: .writeFailed, operation: operation)
            logger.error("journal write failed", metadata: ["error": "\(storeError)"])
            throw storeError
        }
    }

    /// Runs a read, mapping and logging its error.
    func reading<R>(_ operation: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch {
            let storeError = StoreError.mapping(error, to: .readFailed, operation: operation)
            logger.error("journal read failed", metadata: ["error": "\(storeError)"])
            throw storeError
        }
    }
}

/// The state only the writer touches: read and written solely inside
/// `DatabasePool.writeWithoutTransaction`, which GRDB runs one at a time on its writer
/// queue. That serialization is why it is safe to send across threads.
final class WriterState: @unchecked Sendable {
    /// The last committed seq.
    var head: Int64
    /// The last committed row's link of the hash chain.
    var chain: [UInt8]
    /// The last committed row's `journaled_at_us`; the next batch's time is never earlier.
    var lastJournaledAtUs: Int64
    /// When the writer may next try to truncate a WAL past its bound (after a try that
    /// readers held up).
    var nextTruncate = ContinuousClock.now

    init(head: Int64, chain: [UInt8], lastJournaledAtUs: Int64) {
        self.head = head
        self.chain = chain
        self.lastJournaledAtUs = lastJournaledAtUs
    }
}
