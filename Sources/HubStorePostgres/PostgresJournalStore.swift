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
    /// The archive segments' reader (``JournalArchive``): reads below the live range go there.
    let archive: JournalArchive
    /// `archive:` of the hub's config, nil when nothing is archived.
    let archiveSettings: HubConfig.Archive?

    /// Connects to the primary among `settings.hosts` and creates or upgrades the journal's
    /// tables.
    ///
    /// - Parameters:
    ///   - settings: Where the journal is.
    ///   - archiveSettings: `archive:` of the hub's config: the folder segments are read
    ///     from, and the archiver among ``services``; nil: segments are read where the
    ///     manifest says they were written, and nothing is archived.
    /// - Throws: ``StoreError`` `unavailable` (no server reachable or writable; the reason
    ///   names each server and why), `openFailed` (an unreadable password or CA file),
    ///   `migrationFailed`, `suiteMismatch` (the journal records another suite than `crypto`)
    ///   or `cryptoUnavailable`.
    /// - Parameter crypto: `crypto:` of the hub's config: the suite a new journal records, and
    ///   the one an existing journal must have recorded; nil: whatever the journal records.
    public init(
        settings: HubConfig.PostgresStore, logger: Logger, crypto: CryptoSuite? = nil, archiveSettings: HubConfig.Archive? = nil
    ) throws {
        self.archiveSettings = archiveSettings
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
        archive = JournalArchive(directory: archiveSettings?.directory, hashing: hashing)
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
            let archivedUpTo = try PostgresRecords.seq(first.makeRandomAccess()[1].decode(Int64.self))
            let (live, damaged) = PostgresRecords.collect(rows, at: 2, hashing: hashing)
            // The live rows are those after `archivedUpTo` in the same statement's snapshot;
            // the records of seqs after `after` up to it are in the segments.
            let wanted = Set(types)
            let archived = try archivedRecords(link, after: after, upTo: archivedUpTo, limit: limit) {
                $0.recipients.contains(recipient) && (wanted.isEmpty || wanted.contains($0.type))
            }
            return FetchResult(records: Array((archived + live).prefix(max(limit, 0))), headSeq: head, damaged: damaged)
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
            // journaled_at_us never decreases with seq and seqs are contiguous from the first
            // live one: the smallest live seq whose time is >= us, by binary search; head + 1 if none.
            let head = try Self.head(link)
            let entries = try PostgresArchiveManifest.entries(link)
            if let entry = entries.first(where: { $0.lastJournaledAtUs >= us }) {
                // In the archived range (a segment deleted past retention answers with its first seq).
                guard entry.isKept else { return entry.firstSeq }
                return try archive.segment(entry).records.first { $0.record.journaledAtUs >= us }?.record.seq ?? entry.lastSeq
            }
            var low: UInt64 = (entries.last?.lastSeq ?? 0) + 1
            var high = max(head + 1, low)
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
            if let live = try link.rows(PostgresRecords.selectBySeq, binds).first.flatMap({
                try PostgresRecords.record($0.makeRandomAccess(), hashing: hashing)
            }) {
                return live
            }
            // Read after the live rows: a record archived meanwhile is in the manifest read now.
            let entries = try PostgresArchiveManifest.entries(link)
            guard let last = entries.last, seq <= last.lastSeq else { return nil }
            return try archive.record(entries, seq: seq)
        }
    }

    public func record(sender: String, id: String) throws -> JournalRecord? {
        try reading("read record") { link in
            var binds = PostgresBindings()
            binds.append(sender)
            binds.append(id)
            if let live = try link.rows(PostgresRecords.selectBySenderAndId, binds).first.flatMap({
                try PostgresRecords.record($0.makeRandomAccess(), hashing: hashing)
            }) {
                return live
            }
            let entries = try PostgresArchiveManifest.entries(link)
            guard !entries.isEmpty else { return nil }
            return try archive.records(entries, after: 0, limit: 1) { $0.sender == sender && $0.id == id }.first
        }
    }

    public func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        guard !types.isEmpty, limit > 0, let storedAfter = Int64(exactly: after) else { return [] }
        return try reading("read records by type") { link in
            var binds = PostgresBindings()
            binds.append(storedAfter)
            binds.append(types)
            binds.append(limit)
            let live = try link.rows(PostgresRecords.selectByTypes, binds).compactMap {
                try PostgresRecords.record($0.makeRandomAccess(), hashing: hashing)
            }
            // Read after the live rows: what was archived meanwhile is in the segments, and
            // the live rows up to the archived end are left out (they are the segments' too).
            let archivedUpTo = try PostgresArchiveManifest.archivedUpTo(link)
            guard after < archivedUpTo else { return live }
            let wanted = Set(types)
            let archived = try archivedRecords(link, after: after, upTo: archivedUpTo, limit: limit) { wanted.contains($0.type) }
            return Array((archived + live.filter { $0.seq > archivedUpTo }).prefix(limit))
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
