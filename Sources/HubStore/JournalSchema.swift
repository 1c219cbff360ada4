import GRDB

/// The journal's tables, created and upgraded by a `DatabaseMigrator`.
///
/// - `messages`: one row per journaled message; `seq` is the rowid, assigned by the
///   writer; `UNIQUE(sender, msg_id)` drives deduplication; `recipients` holds party ids
///   joined by `,` (party ids never contain one).
/// - `inbox`: one row per (recipient, message), clustered by recipient then seq, so a
///   recipient that was offline for hours is served by one range scan.
/// - `cursors`: every party's acknowledgement position.
enum JournalSchema {
    /// The migrator; register new migrations at the end, never edit a shipped one.
    static var migrator: DatabaseMigrator {
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
        return migrator
    }
}
