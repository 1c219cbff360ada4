import Foundation
import HubCore
import HubStore
import PostgresNIO

/// The journal's tables in PostgreSQL, created and upgraded at open under an advisory lock
/// (several hub nodes may start at once). Versions are recorded in `swhub_schema`; add new
/// steps at the end, never edit a shipped one.
///
/// - `journal_head`: one row, the last committed seq, its chain value and journal time.
///   Every append locks it (`SELECT ... FOR UPDATE`) for its whole transaction, so appends
///   from every hub node commit one after another, in seq order: a reader never sees a seq
///   before every lower one is visible (see `Docs/cluster.md`).
/// - `messages`, `inbox`, `cursors`, `progress`: as in the SQLite journal (`JournalSchema`),
///   with the same columns, so a record's checksum and chain value are the same in both.
/// - `cluster_nodes` (v2): each hub node as it last reported itself; `flow_lease`: which
///   node runs the flows, until when; `flow_snapshots`: the flows' state as of a seq, so a
///   new flow leader reads only the journal after it.
/// - `journal_meta` (v3): the journal's algorithm suite (``PostgresJournalSuite``).
/// - `archives` (v4): the archive manifest, one row per sealed segment, as in the SQLite
///   journal (`ArchiveManifest`); the segment files are in `archive.dir`, which every node
///   of a cluster shares (README, "Retention and archives").
enum PostgresJournalSchema {
    /// The lock key of migrations (`pg_advisory_lock`).
    static let migrationLock: Int64 = 0x7377_6875_6201  // "swhub" 01
    /// The lock key of archiving (`pg_try_advisory_lock`): one archiver at a time per journal.
    static let archivingLock: Int64 = 0x7377_6875_6202  // "swhub" 02

    /// The steps, in order; step n brings the schema to version n + 1.
    static let steps: [String] = [
        """
        CREATE TABLE journal_head (
            id integer PRIMARY KEY CHECK (id = 1),
            seq bigint NOT NULL,
            chain bytea NOT NULL,
            journaled_at_us bigint NOT NULL
        );
        INSERT INTO journal_head (id, seq, chain, journaled_at_us) VALUES (1, 0, '\\x\(String(repeating: "00", count: 32))', 0);
        CREATE TABLE messages (
            seq bigint PRIMARY KEY,
            sender text NOT NULL,
            msg_id text NOT NULL,
            type text NOT NULL,
            recipients text NOT NULL,
            correlation_id text NOT NULL,
            created_at_us bigint NOT NULL,
            journaled_at_us bigint NOT NULL,
            body bytea NOT NULL,
            chain bytea NOT NULL,
            crc bigint NOT NULL,
            UNIQUE (sender, msg_id)
        );
        CREATE INDEX messages_correlation ON messages (correlation_id) WHERE correlation_id <> '';
        CREATE INDEX messages_type_seq ON messages (type, seq);
        CREATE TABLE inbox (
            recipient text NOT NULL,
            seq bigint NOT NULL,
            PRIMARY KEY (recipient, seq)
        );
        CREATE TABLE cursors (
            party text PRIMARY KEY,
            acked_seq bigint NOT NULL
        );
        CREATE TABLE progress (
            party text NOT NULL,
            kind text NOT NULL,
            seq bigint NOT NULL,
            at_us bigint NOT NULL,
            PRIMARY KEY (party, kind, seq)
        );
        """,
        """
        CREATE TABLE cluster_nodes (
            name text PRIMARY KEY,
            endpoint text NOT NULL,
            started_at_us bigint NOT NULL,
            seen_at timestamptz NOT NULL,
            parties text[] NOT NULL,
            head_seq bigint NOT NULL,
            leads_flows boolean NOT NULL
        );
        CREATE TABLE flow_lease (
            id integer PRIMARY KEY CHECK (id = 1),
            holder text NOT NULL,
            expires_at timestamptz NOT NULL
        );
        INSERT INTO flow_lease (id, holder, expires_at) VALUES (1, '', '-infinity');
        CREATE TABLE flow_snapshots (
            seq bigint PRIMARY KEY,
            taken_at_us bigint NOT NULL,
            state bytea NOT NULL
        );
        """,
        // v3: the journal's algorithm suite (PostgresJournalSuite); one already written is standard.
        """
        CREATE TABLE journal_meta (
            key text PRIMARY KEY,
            value text NOT NULL
        );
        INSERT INTO journal_meta (key, value) SELECT 'crypto', 'standard' WHERE EXISTS (SELECT 1 FROM messages);
        """,
        // v4: the archive manifest (PostgresArchiveManifest).
        """
        CREATE TABLE archives (
            first_seq bigint PRIMARY KEY,
            last_seq bigint NOT NULL,
            file text NOT NULL,
            directory text NOT NULL,
            bytes bigint NOT NULL,
            sha256 bytea NOT NULL,
            link_before bytea NOT NULL,
            link_after bytea NOT NULL,
            first_journaled_at_us bigint NOT NULL,
            last_journaled_at_us bigint NOT NULL,
            type_newest text NOT NULL,
            sealed_at_us bigint NOT NULL,
            deleted_at_us bigint
        );
        """,
    ]

    /// Creates or upgrades the tables; a journal that holds no suite yet (a new one) records `suite`.
    ///
    /// - Throws: ``StoreError`` `migrationFailed`, or `unavailable`; a database whose
    ///   schema is newer than this hub knows is refused.
    static func migrate(_ link: PostgresLink, creating suite: CryptoSuite = .standard) throws {
        try link.execute("SELECT pg_advisory_lock(\(migrationLock))")
        defer { try? link.execute("SELECT pg_advisory_unlock(\(migrationLock))") }
        try link.execute("CREATE TABLE IF NOT EXISTS swhub_schema (version integer NOT NULL)")
        let version =
            try link.rows("SELECT max(version) FROM swhub_schema").first.flatMap {
                try $0.makeRandomAccess()[0].decode(Int?.self)
            } ?? 0
        guard version <= steps.count else {
            throw StoreError(
                code: .migrationFailed,
                reason: "the journal database has schema version \(version); this swhub knows up to \(steps.count): upgrade swhub")
        }
        for (index, step) in steps.enumerated().dropFirst(version) {
            try link.transaction {
                for statement in step.split(separator: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    try link.execute(String(statement))
                }
                try link.execute("INSERT INTO swhub_schema (version) VALUES (\(index + 1))")
            }
        }
        try PostgresJournalSuite.recordIfNew(suite, link)
    }
}
