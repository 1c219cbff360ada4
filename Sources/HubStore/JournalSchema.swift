import Foundation
import GRDB
import HubCore

/// The journal's tables, created and upgraded by a `DatabaseMigrator`.
///
/// - `messages`: one row per journaled message; `seq` is the rowid, assigned by the
///   writer; `UNIQUE(sender, msg_id)` drives deduplication; `recipients` holds party ids
///   joined by `,` (party ids never contain one).
/// - `inbox` (v1 to v7): one row per (recipient, message), clustered by recipient then seq,
///   so a recipient that was offline for hours is served by one range scan.
/// - `cursors`: every party's acknowledgement position.
/// - `messages.chain` (v2): the row's link of the hash chain (`JournalChain`).
/// - `progress` (v3): the progress log (``ProgressMark``), clustered by party, kind, seq;
///   and `messages_correlation`, a partial index of the non-empty correlation ids, through
///   which `swhub trace` finds the answers, receipts and feedback of a message.
/// - `messages.crc` (v4): the row's checksum (``RecordChecksum``), checked on every read.
/// - `archives` (v5): the archive manifest (``ArchiveManifest``).
/// - `flow_snapshots` (v6): the flows' saved states, by the seq each was taken at
///   (``FlowSnapshotStore``).
/// - `journal_meta` (v7): the journal's algorithm suite (``JournalSuiteRecord``).
/// - `inbox_runs` (v8) replaces `inbox`: one row per recipient and commit (``InboxTable``).
enum JournalSchema {
    /// The migrator of a journal that, if new, is created with the standard suite.
    static var migrator: DatabaseMigrator { migrator(creating: .standard) }

    /// The migrator; register new migrations at the end, never edit a shipped one.
    /// - Parameter suite: The suite recorded by a journal that holds nothing yet (a journal
    ///   written before suites records `standard`).
    static func migrator(creating suite: CryptoSuite) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-journal") { db in
            try db.execute(
                sql: """
                    CREATE TABLE messages (
                        seq INTEGER PRIMARY KEY,
                        sender TEXT NOT NULL,
                        msg_id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        recipients TEXT NOT NULL,
                        correlation_id TEXT NOT NULL,
                        created_at_us INTEGER NOT NULL,
                        journaled_at_us INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        UNIQUE (sender, msg_id)
                    );
                    CREATE TABLE inbox (
                        recipient TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        PRIMARY KEY (recipient, seq)
                    ) WITHOUT ROWID;
                    CREATE TABLE cursors (
                        party TEXT PRIMARY KEY,
                        acked_seq INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2-hash-chain") { db in
            // Every row gets its link of the hash chain (see JournalChain), the rows of a
            // journal written before the chain included.
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN chain BLOB")
            var previous = JournalChain.genesis
            let rows = try Row.fetchCursor(db, sql: JournalSQL.selectChained, arguments: [0, Int64.max])
            let update = try db.makeStatement(sql: "UPDATE messages SET chain = ? WHERE seq = ?")
            var links: [(Int64, [UInt8])] = []
            while let row = try rows.next() {
                let link = try JournalChain.link(previous: previous, row: row)
                links.append((try row.decode(Int64.self, atIndex: 0), link))
                previous = link
            }
            for (seq, link) in links { try update.execute(arguments: [Data(link), seq]) }
        }
        migrator.registerMigration("v3-progress") { db in
            // Marks with time 0 stand for "up to here, before the log was kept": a message
            // journaled before the upgrade and already acknowledged then shows no time
            // rather than the time of a later mark.
            try db.execute(
                sql: """
                    CREATE TABLE progress (
                        party TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        at_us INTEGER NOT NULL,
                        PRIMARY KEY (party, kind, seq)
                    ) WITHOUT ROWID;
                    INSERT INTO progress (party, kind, seq, at_us)
                        SELECT party, 'delivered', acked_seq, 0 FROM cursors WHERE acked_seq > 0;
                    INSERT INTO progress (party, kind, seq, at_us)
                        SELECT party, 'acked', acked_seq, 0 FROM cursors WHERE acked_seq > 0;
                    CREATE INDEX messages_correlation ON messages (correlation_id) WHERE correlation_id <> '';
                    """
            )
        }
        migrator.registerMigration("v4-record-check") { db in
            // Every row gets its checksum (RecordChecksum), checked on every read; the rows
            // written before it included.
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN crc INTEGER")
            let update = try db.makeStatement(sql: "UPDATE messages SET crc = ? WHERE seq = ?")
            var after: Int64 = 0
            while true {
                var checksums: [(seq: Int64, crc: Int64)] = []
                let rows = try Row.fetchCursor(db, sql: JournalSQL.selectForChecksum, arguments: [after, 5000])
                while let row = try rows.next() {
                    let seq: Int64 = try row.decode(Int64.self, atIndex: 0)
                    let crc = try row.withUnsafeData(atIndex: 8) { data in
                        try (data ?? Data()).withUnsafeBytes { body in
                            RecordChecksum.of(
                                seq: seq, sender: try row.decode(String.self, atIndex: 1), id: try row.decode(String.self, atIndex: 2),
                                type: try row.decode(String.self, atIndex: 3), recipients: try row.decode(String.self, atIndex: 4),
                                correlationId: try row.decode(String.self, atIndex: 5),
                                createdAtUs: try row.decode(Int64.self, atIndex: 6),
                                journaledAtUs: try row.decode(Int64.self, atIndex: 7), body: body)
                        }
                    }
                    checksums.append((seq, crc))
                }
                guard let last = checksums.last else { break }
                for (seq, crc) in checksums { try update.execute(arguments: [crc, seq]) }
                after = last.seq
            }
        }
        migrator.registerMigration("v5-archives") { db in
            // The archive manifest (ArchiveManifest): one row per sealed segment, kept when
            // the segment's file is deleted past retention, so the chain is checked across the gap.
            try db.execute(sql: ArchiveManifest.createTable)
        }
        migrator.registerMigration("v6-flow-snapshots") { db in
            // The flows' state as of a seq (FlowSnapshot's bytes, checksummed inside): a
            // hub starts from the newest one it can read plus the journal after it.
            try db.execute(
                sql: """
                    CREATE TABLE flow_snapshots (
                        seq INTEGER PRIMARY KEY,
                        saved_at_us INTEGER NOT NULL,
                        bytes BLOB NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v7-crypto-suite") { db in
            // The journal's algorithm suite (JournalSuiteRecord): an empty journal takes the
            // one it is created with; one already written, the standard suite it was written in.
            try db.execute(sql: JournalSuiteRecord.createTable)
            try JournalSuiteRecord.record(try JournalSuiteRecord.isEmpty(db) ? suite : .legacy, db)
        }
        migrator.registerMigration("v8-inbox-runs") { db in
            // One inbox row per recipient and commit instead of one per recipient and
            // message (InboxTable): the old rows are cut into runs and the old table dropped.
            try InboxTable.upgrade(db)
        }
        return migrator
    }
}
