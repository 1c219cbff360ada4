import Foundation
import HubCore
import HubLifecycle
import HubStore
import Logging
import NIOCore
import PostgresNIO

/// The journal in PostgreSQL: one server, or a cluster (a primary with a synchronous
/// standby, promoted by Patroni) shared by several hub nodes.
///
/// Same semantics as ``SQLiteJournalStore``: an append is one transaction, committed with
/// `synchronous_commit = on` (flushed, and confirmed by the synchronous standby when the
/// cluster has one) before it returns; dedup by (sender, id); every record carries its
/// checksum and its link of the hash chain, and every read checks the checksum.
///
/// Several writers (hub nodes) may append at once: each append locks the one-row
/// `journal_head` table for its whole transaction, takes the next seqs from it and moves
/// it, so appends commit one after another in seq order and a reader that sees a seq also
/// sees every lower one (see `Docs/cluster.md`).
///
/// Calls block until PostgreSQL answers; when no primary can be reached they throw
/// ``StoreError`` `unavailable` (a commit whose answer was lost too: it may or may not have
/// been committed, and a resubmission under the same id is deduplicated).
public final class PostgresJournalStore: JournalStore {
    let pool: PostgresPool
    let logger: Logger
    /// Where the store is, for messages (`postgres://host:port/database`).
    public let location: String
    /// The journal's algorithm suite's hash functions (``PostgresJournalSuite``), used for every record.
    public let hashing: JournalHashing

    /// Connects to the primary among `settings.hosts` and creates or upgrades the journal's
    /// tables.
    ///
    /// - Throws: ``StoreError`` `unavailable` (no server reachable or writable; the reason
    ///   names each server and why), `openFailed` (an unreadable password or CA file),
    ///   `migrationFailed`, `suiteMismatch` (the journal records another suite than `crypto`)
    ///   or `cryptoUnavailable`.
    /// - Parameter crypto: `crypto:` of the hub's config: the suite a new journal records, and
    ///   the one an existing journal must have recorded; nil: whatever the journal records.
    public init(settings: HubConfig.PostgresStore, logger: Logger, crypto: CryptoSuite? = nil) throws {
        location = "postgres://\(settings.hosts.map(\.description).joined(separator: ","))/\(settings.database)"
        var logger = logger
        logger[metadataKey: "journal"] = "\(location)"
        self.logger = logger
        pool = try PostgresPool(settings: settings, logger: logger)
        let (head, suite) = try pool.with { link in
            do {
                try PostgresJournalSchema.migrate(link, creating: crypto ?? .standard)
            } catch {
                throw PostgresFailure.storeError(error, code: .migrationFailed, operation: "migrate the journal tables")
            }
            return (try Self.head(link), try PostgresJournalSuite.read(link))
        }
        if let crypto, crypto != suite {
            let error = JournalSuiteRecord.mismatch(journal: location, recorded: suite, configured: crypto)
            logger.critical("cannot open journal: its crypto suite is not the config's", metadata: ["error": "\(error)"])
            throw error
        }
        hashing = try JournalHashing(suite)
        logger.info("journal opened", metadata: ["head": "\(head)"])
    }

    public func saveAcks(_ acks: [String: UInt64]) throws {
        guard !acks.isEmpty else { return }
        try writing("save acks") { link in
            try link.transaction { try Self.saveAcks(acks, link) }
        }
    }

    public func ackPositions() throws -> [String: UInt64] {
        try reading("read acks") { link in
            var positions: [String: UInt64] = [:]
            for row in try link.rows("SELECT party, acked_seq FROM cursors") {
                let (party, seq) = try row.decode((String, Int64).self)
                positions[party] = try PostgresRecords.seq(seq)
            }
            return positions
        }
    }

    public func fetch(recipient: String, after: UInt64, limit: Int) throws -> FetchResult {
        try fetch(recipient: recipient, after: after, limit: limit, types: [])
    }

    public func fetch(recipient: String, after: UInt64, limit: Int, types: [String]) throws -> FetchResult {
        guard let storedAfter = Int64(exactly: after) else { return FetchResult(records: [], headSeq: try headSeq()) }
        let types = Array(Set(types)).sorted()
        return try reading("fetch") { link in
            var binds = PostgresBindings()
            binds.append(recipient)
            binds.append(storedAfter)
            binds.append(max(limit, 0))
            if !types.isEmpty { binds.append(types) }
            let rows = try link.rows(PostgresRecords.selectInbox(typed: !types.isEmpty), binds)
            guard let first = rows.first else {
                throw StoreError(code: .corrupt, reason: "the journal's head row is missing")
            }
            let head = try PostgresRecords.seq(first.makeRandomAccess()[0].decode(Int64.self))
            let (records, damaged) = PostgresRecords.collect(rows, at: 1, hashing: hashing)
            return FetchResult(records: records, headSeq: head, damaged: damaged)
        }
    }

    public func pendingCount(recipient: String, after: UInt64) throws -> Int {
        try reading("count pending") { link in
            var binds = PostgresBindings()
            binds.append(recipient)
            binds.append(Int64(clamping: after))
            return try link.rows("SELECT count(*) FROM inbox WHERE recipient = $1 AND seq > $2", binds).first
                .map { try $0.decode(Int64.self) }.map(Int.init) ?? 0
        }
    }

    public func firstSeq(journaledAtOrAfter us: Int64) throws -> UInt64 {
        try reading("find seq by time") { link in
            // journaled_at_us never decreases with seq and seqs are contiguous from 1: the
            // smallest seq in 1...head whose time is >= us, by binary search; head + 1 if none.
            let head = try Self.head(link)
            var low: UInt64 = 1
            var high = head + 1
            while low < high {
                let middle = low + (high - low) / 2
                var binds = PostgresBindings()
                binds.append(Int64(middle))
                let time = try link.rows("SELECT journaled_at_us FROM messages WHERE seq = $1", binds).first
                    .map { try $0.decode(Int64.self) }
                if let time, time < us { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    public func record(seq: UInt64) throws -> JournalRecord? {
        guard let stored = Int64(exactly: seq) else { return nil }
        return try reading("read record") { link in
            var binds = PostgresBindings()
            binds.append(stored)
            return try link.rows(PostgresRecords.selectBySeq, binds).first.flatMap {
                try PostgresRecords.record($0.makeRandomAccess(), hashing: hashing)
            }
        }
    }

    public func record(sender: String, id: String) throws -> JournalRecord? {
        try reading("read record") { link in
            var binds = PostgresBindings()
            binds.append(sender)
            binds.append(id)
            return try link.rows(PostgresRecords.selectBySenderAndId, binds).first.flatMap {
                try PostgresRecords.record($0.makeRandomAccess(), hashing: hashing)
            }
        }
    }

    public func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        guard !types.isEmpty, limit > 0, let storedAfter = Int64(exactly: after) else { return [] }
        return try reading("read records by type") { link in
            var binds = PostgresBindings()
            binds.append(storedAfter)
            binds.append(types)
            binds.append(limit)
            return try link.rows(PostgresRecords.selectByTypes, binds).compactMap {
                try PostgresRecords.record($0.makeRandomAccess(), hashing: hashing)
            }
        }
    }

    public func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        try reading("read records by id prefix") { link in
            var binds = PostgresBindings()
            binds.append(sender)
            binds.append(prefix)
            binds.append(prefix + "\u{10FFFF}")
            return try link.rows(PostgresRecords.selectBySenderAndIdPrefix, binds).compactMap {
                try PostgresRecords.record($0.makeRandomAccess(), hashing: hashing)
            }
        }
    }

    public func headSeq() throws -> UInt64 {
        try reading("read head") { link in try Self.head(link) }
    }

    /// Closes the idle connections (those in use close when their call ends).
    public func close() {
        pool.closeIdle()
    }
}

extension PostgresJournalStore {
    /// The committed head seq as one statement sees it.
    static func head(_ link: PostgresLink) throws -> UInt64 {
        guard let row = try link.rows("SELECT seq FROM journal_head WHERE id = 1").first else {
            throw StoreError(code: .corrupt, reason: "the journal's head row is missing")
        }
        return try PostgresRecords.seq(row.decode(Int64.self))
    }

    /// Moves acknowledgement positions forward (never back) inside the current transaction.
    static func saveAcks(_ acks: [String: UInt64], _ link: PostgresLink) throws {
        guard !acks.isEmpty else { return }
        var parties: [String] = []
        var seqs: [Int64] = []
        for (party, seq) in acks {
            parties.append(party)
            seqs.append(try PostgresRecords.storable(seq, what: "acknowledgement position", code: .writeFailed))
        }
        var binds = PostgresBindings()
        binds.append(parties)
        binds.append(seqs)
        try link.execute(
            """
            INSERT INTO cursors (party, acked_seq) SELECT * FROM unnest($1::text[], $2::bigint[])
            ON CONFLICT (party) DO UPDATE SET acked_seq = GREATEST(cursors.acked_seq, excluded.acked_seq)
            """, binds)
    }

    /// Runs a read with a connection; a connection that had gone stale (its server went
    /// away, or is no longer the primary) is replaced once.
    func reading<R>(_ operation: String, _ body: (PostgresLink) throws -> R) throws -> R {
        do {
            do {
                return try pool.with(body)
            } catch  where !(error is StoreError) && PostgresFailure.isUnavailable(error) {
                return try pool.with(body)
            }
        } catch {
            let storeError = PostgresFailure.storeError(error, code: .readFailed, operation: operation)
            logger.error("journal read failed", metadata: ["error": "\(storeError)"])
            throw storeError
        }
    }

    /// Runs a write with a connection, mapping and logging its error.
    func writing<R>(_ operation: String, _ body: (PostgresLink) throws -> R) throws -> R {
        do {
            return try pool.with(body)
        } catch {
            let storeError = PostgresFailure.storeError(error, code: .writeFailed, operation: operation)
            logger.error("journal write failed", metadata: ["error": "\(storeError)"])
            throw storeError
        }
    }
}
