import Foundation
import GRDB
import HubCore
import HubStore
import Logging
import NIOCore
import PostgresNIO

/// `swhub migrate`: copies a SQLite journal file into an empty PostgreSQL journal, every
/// message row with its seq, times, chain value and checksum unchanged (so the chain and
/// the head chain value are the same in both), the inbox (made from each row's recipients,
/// as the hub's writer makes it, whatever the source's inbox layout), the acknowledgement positions
/// and the progress log, and sets `journal_head` to the last row. The target records the
/// source's algorithm suite (`crypto:`), whose chain values and checksums the rows carry.
///
/// The copy is one transaction holding the target's head row lock: it commits whole or
/// not at all, and no hub can append to the target meanwhile. A target that already holds
/// anything is refused, so a rerun after a failure starts over on the empty target, and a
/// rerun after a success is refused. The source is opened read-only, in one read
/// transaction (one state, even beside a hub); verifying both sides is the caller's
/// (``JournalVerifier``, ``PostgresJournalVerifier``).
public struct PostgresJournalMigration: Sendable {
    /// What was copied.
    public struct Outcome: Sendable, Equatable {
        public var messages = 0
        public var inboxRows = 0
        public var ackPositions = 0
        public var progressMarks = 0
        /// The target's head after the copy: seq and chain value (hex).
        public var headSeq: UInt64 = 0
        public var headChain = JournalChain.hex(JournalChain.genesis)
        /// The source's algorithm suite, now the target's too.
        public var crypto = CryptoSuite.standard
    }

    /// The SQLite journal file.
    public let sourcePath: String
    /// The PostgreSQL journal.
    public let target: HubConfig.PostgresStore
    private let logger: Logger
    /// Rows per statement.
    static let page = 1000

    public init(sourcePath: String, target: HubConfig.PostgresStore, logger: Logger = Logger(label: "swhub.migrate")) {
        self.sourcePath = sourcePath
        self.target = target
        self.logger = logger
    }

    /// Copies the journal.
    ///
    /// - Throws: ``JournalMigrationError``; the target is then as it was before.
    public func run() throws -> Outcome {
        let source = try openSource()
        let pool: PostgresPool
        do {
            pool = try PostgresPool(settings: target, logger: logger)
        } catch {
            throw JournalMigrationError(.targetUnavailable, "\(error)")
        }
        defer { pool.closeIdle() }
        do {
            return try pool.with { link in
                try PostgresJournalSchema.migrate(link)
                return try link.transaction { try copy(source, into: link) }
            }
        } catch let error as JournalMigrationError {
            throw error
        } catch let error as StoreError where error.code == .unavailable || error.code == .openFailed {
            throw JournalMigrationError(.targetUnavailable, error.reason)
        } catch {
            throw JournalMigrationError(.copyFailed, PostgresFailure.storeError(error, code: .writeFailed, operation: "copy").reason)
        }
    }

    private func openSource() throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: sourcePath) else {
            throw JournalMigrationError(.sourceUnreadable, "no journal at \(sourcePath)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "HubStorePostgres.migration"
        do {
            let queue = try DatabaseQueue(path: sourcePath, configuration: configuration)
            let columns = try queue.read { db in try db.columns(in: "messages").map(\.name) }
            guard columns.contains("chain") && columns.contains("crc") else {
                throw JournalMigrationError(
                    .sourceUnreadable,
                    "\(sourcePath) is a journal of an older schema (no chain values or checksums): open it once with this swhub's `swhub serve` to upgrade it, then migrate"
                )
            }
            return queue
        } catch let error as JournalMigrationError {
            throw error
        } catch {
            throw JournalMigrationError(.sourceUnreadable, "\(sourcePath) is not a readable journal: \(error)")
        }
    }

    /// The copy, inside the target's transaction.
    private func copy(_ source: DatabaseQueue, into link: PostgresLink) throws -> Outcome {
        guard let head = try link.rows("SELECT seq FROM journal_head WHERE id = 1 FOR UPDATE").first else {
            throw JournalMigrationError(.copyFailed, "the target's journal_head row is missing")
        }
        let counts = try link.rows(
            """
            SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM inbox), (SELECT count(*) FROM cursors),
                (SELECT count(*) FROM progress)
            """
        ).first?.decode((Int64, Int64, Int64, Int64).self)
        let headSeq = try head.decode(Int64.self)
        if let (messages, inbox, cursors, progress) = counts, headSeq != 0 || messages + inbox + cursors + progress != 0 {
            throw JournalMigrationError(
                .targetNotEmpty,
                "\(PostgresJournalQueries.location(target)) is not empty (head seq \(headSeq), \(messages) messages, \(inbox) inbox rows, \(cursors) ack positions, \(progress) progress marks): migrate into an empty database"
            )
        }
        var outcome = Outcome()
        do {
            try source.read { db in
                // The rows keep their chain values and checksums: the target keeps the source's suite.
                outcome.crypto = try JournalSuiteRecord.suite(db)
                try PostgresJournalSuite.replace(with: outcome.crypto, link)
                try copyMessages(db, link, &outcome)
                try copyPositions(db, link, &outcome)
            }
        } catch let error as JournalMigrationError {
            throw error
        } catch let error as PSQLError {
            throw error
        } catch {
            throw JournalMigrationError(.sourceUnreadable, "\(sourcePath) cannot be read: \(error)")
        }
        return outcome
    }

    /// The message rows and their inbox rows, page by page, then the head row.
    private func copyMessages(_ db: Database, _ link: PostgresLink, _ outcome: inout Outcome) throws {
        var after: Int64 = 0
        var last: (seq: Int64, chain: [UInt8], journaledAtUs: Int64)?
        while true {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain, crc
                    FROM messages WHERE seq > ? ORDER BY seq LIMIT ?
                    """, arguments: [after, Self.page])
            guard let lastRow = rows.last else { break }
            var columns = MessageColumns()
            for row in rows { try columns.add(row) }
            let through: Int64 = try lastRow.decode(Int64.self, atIndex: 0)
            // The inbox entries are the rows' recipients, as the hub's writer makes them (a
            // recipient named twice gets one): the source's inbox layout (one row per entry
            // before v8, runs after) does not matter.
            var recipients: [String] = []
            var seqs: [Int64] = []
            for (seq, joined) in zip(columns.seqs, columns.recipients) {
                var named = Set<String>()
                for party in RecipientList.split(joined) where named.insert(party).inserted {
                    recipients.append(party)
                    seqs.append(seq)
                }
            }
            var binds = columns.binds
            binds.append(recipients)
            binds.append(seqs)
            try link.execute(
                """
                WITH m AS (
                    INSERT INTO messages
                        (seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain, crc)
                    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                        $7::bigint[], $8::bigint[], $9::bytea[], $10::bytea[], $11::bigint[])
                )
                INSERT INTO inbox (recipient, seq) SELECT * FROM unnest($12::text[], $13::bigint[])
                """, binds)
            outcome.messages += rows.count
            outcome.inboxRows += seqs.count
            last = (through, columns.lastChain, columns.lastJournaledAtUs)
            after = through
        }
        guard let last else { return }
        var binds = PostgresBindings()
        binds.append(last.seq)
        binds.append(ByteBuffer(bytes: last.chain))
        binds.append(last.journaledAtUs)
        try link.execute("UPDATE journal_head SET seq = $1, chain = $2, journaled_at_us = $3 WHERE id = 1", binds)
        outcome.headSeq = UInt64(max(last.seq, 0))
        outcome.headChain = JournalChain.hex(last.chain)
    }

    /// The acknowledgement positions and the progress log.
    private func copyPositions(_ db: Database, _ link: PostgresLink, _ outcome: inout Outcome) throws {
        var parties: [String] = []
        var acked: [Int64] = []
        for row in try Row.fetchAll(db, sql: "SELECT party, acked_seq FROM cursors") {
            parties.append(try row.decode(String.self, atIndex: 0))
            acked.append(try row.decode(Int64.self, atIndex: 1))
        }
        if !parties.isEmpty {
            var binds = PostgresBindings()
            binds.append(parties)
            binds.append(acked)
            try link.execute("INSERT INTO cursors (party, acked_seq) SELECT * FROM unnest($1::text[], $2::bigint[])", binds)
        }
        outcome.ackPositions = parties.count
        let hasProgress = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'progress'") == 1
        guard hasProgress else { return }
        let cursor = try Row.fetchCursor(db, sql: "SELECT party, kind, seq, at_us FROM progress")
        var marks: (parties: [String], kinds: [String], seqs: [Int64], times: [Int64]) = ([], [], [], [])
        func flush() throws {
            guard !marks.parties.isEmpty else { return }
            var binds = PostgresBindings()
            binds.append(marks.parties)
            binds.append(marks.kinds)
            binds.append(marks.seqs)
            binds.append(marks.times)
            try link.execute(
                "INSERT INTO progress (party, kind, seq, at_us) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])",
                binds)
            outcome.progressMarks += marks.parties.count
            marks = ([], [], [], [])
        }
        while let row = try cursor.next() {
            marks.parties.append(try row.decode(String.self, atIndex: 0))
            marks.kinds.append(try row.decode(String.self, atIndex: 1))
            marks.seqs.append(try row.decode(Int64.self, atIndex: 2))
            marks.times.append(try row.decode(Int64.self, atIndex: 3))
            if marks.parties.count >= Self.page { try flush() }
        }
        try flush()
    }
}

/// A page of a SQLite journal's message rows, every value as stored.
extension MessageColumns {
    mutating func add(_ row: Row) throws {
        seqs.append(try row.decode(Int64.self, atIndex: 0))
        senders.append(try row.decode(String.self, atIndex: 1))
        ids.append(try row.decode(String.self, atIndex: 2))
        types.append(try row.decode(String.self, atIndex: 3))
        recipients.append(try row.decode(String.self, atIndex: 4))
        correlations.append(try row.decode(String.self, atIndex: 5))
        created.append(try row.decode(Int64.self, atIndex: 6))
        journaled.append(try row.decode(Int64.self, atIndex: 7))
        bodies.append(ByteBuffer(bytes: [UInt8](try row.decode(Data.self, atIndex: 8))))
        chains.append(ByteBuffer(bytes: [UInt8](try row.decode(Data.self, atIndex: 9))))
        crcs.append(try row.decode(Int64.self, atIndex: 10))
    }

    /// The last row's chain value and journal time.
    var lastChain: [UInt8] { chains.last.map { Array($0.readableBytesView) } ?? [] }
    var lastJournaledAtUs: Int64 { journaled.last ?? 0 }
}
