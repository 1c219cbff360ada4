import Foundation
import GRDB
import HubCore

/// A ``JournalFold`` kept in a SQLite file of its own beside the journal (the journal's
/// schema is untouched), one row of a table named for the fold: the folded state as JSON and
/// the last seq folded. Each ``update(from:rebuild:)`` folds only what the journal gained
/// since, read through a ``JournalInspector`` (safe beside a running hub, on either store).
/// Several folds share one file, each in its table.
public struct JournalFoldCache<State: JournalFold>: Sendable {
    let queue: DatabaseQueue
    let table: String
    let row: String
    let what: String

    /// What an update did.
    public struct Update: Sendable {
        public var state: State
        /// Records folded by this update.
        public var folded: Int
        /// Whether it started over from the journal's first record.
        public var rebuilt: Bool
    }

    /// The layout field of a saved state (`format`); absent (nil) in a fold's first layout.
    struct FormatProbe: Decodable {
        var format: Int?
    }

    /// Opens (or creates) the cache file and the fold's table.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - table: The table's name (a constant of the caller's: letters and `_`).
    ///   - row: The row's name in it.
    ///   - what: What the fold is, for messages (`statistics`).
    /// - Throws: ``StoreError`` `openFailed`.
    init(path: String, table: String, row: String, what: String) throws {
        self.table = table
        self.row = row
        self.what = what
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS \(table) (
                            name TEXT PRIMARY KEY NOT NULL, last_seq INTEGER NOT NULL, state BLOB NOT NULL,
                            anchor TEXT NOT NULL DEFAULT '')
                        """)
                // A cache made before the anchor: its rows have none, and are folded again once.
                if try !db.columns(in: table).contains(where: { $0.name == "anchor" }) {
                    try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN anchor TEXT NOT NULL DEFAULT ''")
                }
            }
        } catch {
            throw StoreError(code: .openFailed, reason: "cannot open the statistics cache \(path): \(error)")
        }
    }

    /// Brings the state to the journal's head and saves it.
    ///
    /// - Parameters:
    ///   - inspector: The journal.
    ///   - rebuild: Fold the whole journal again instead of what it gained. A journal whose
    ///     head is behind the cache's last seq (restored, replaced), and a state saved in
    ///     another layout than ``JournalFold/stateFormat``, are rebuilt as well.
    /// - Throws: ``StoreError`` (`readFailed` from the journal, `corrupt` for an unreadable
    ///   cache row: run with `rebuild`).
    public func update(from inspector: JournalInspector, rebuild: Bool) throws -> Update {
        try queue.write { db in
            let head = try inspector.headSeq()
            var state = State()
            var rebuilt = true
            // The anchor of what `state` was folded up to: the saved one, then each record folded.
            var anchor = ""
            if !rebuild, let saved = try Row.fetchOne(db, sql: "SELECT state, anchor FROM \(table) WHERE name = ?", arguments: [row]) {
                let data: Data = saved[0]
                let savedAnchor: String = saved[1]
                // A state saved in another layout (an older build's) is folded again.
                let format: Int?
                do {
                    format = try JSONDecoder().decode(FormatProbe.self, from: data).format
                    if format == State.stateFormat { state = try JSONDecoder().decode(State.self, from: data) }
                } catch {
                    throw StoreError(code: .corrupt, reason: "the \(what) cache is unreadable (rebuild it): \(error)")
                }
                // Folded from another journal (a cache copied, a journal restored or replaced):
                // the record the state was folded up to is not this journal's.
                let sameJournal = try Self.anchor(state.lastSeq, in: inspector) == savedAnchor
                rebuilt = format != State.stateFormat || state.lastSeq > head || !sameJournal
                if rebuilt { state = State() } else { anchor = savedAnchor }
            }
            var folded = 0
            var after = state.lastSeq
            reading: while after < head {
                let page = try inspector.records(types: State.types, after: after, limit: 5000)
                guard let last = page.last else { break }
                after = last.seq
                for record in page {
                    guard record.seq <= head else { break reading }
                    state.fold(
                        TradeStatistics.Record(
                            seq: record.seq, type: record.type, sender: record.sender, id: record.id,
                            journaledAtUs: record.journaledAtUs, body: record.body))
                    anchor = Self.anchor(of: record)
                    folded += 1
                }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try db.execute(
                sql: "INSERT OR REPLACE INTO \(table) (name, last_seq, state, anchor) VALUES (?, ?, ?, ?)",
                arguments: [row, Int64(clamping: state.lastSeq), try encoder.encode(state), anchor])
            return Update(state: state, folded: folded, rebuilt: rebuilt)
        }
    }

    /// What names the journal's record at `seq` among the fold's types: its seq, sender and
    /// id (empty for seq 0, and when the journal has no such record there).
    static func anchor(_ seq: UInt64, in inspector: JournalInspector) throws -> String {
        guard seq > 0, let record = try inspector.records(types: State.types, after: seq - 1, limit: 1).first, record.seq == seq
        else { return "" }
        return anchor(of: record)
    }

    /// The anchor of a record read from the journal.
    static func anchor(of record: JournalRecord) -> String { "\(record.seq)\u{1F}\(record.sender)\u{1F}\(record.id)" }
}
