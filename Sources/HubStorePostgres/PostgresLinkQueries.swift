import HubStore
import PostgresNIO

/// ``JournalQueries`` on one PostgreSQL connection: the SQL behind
/// ``PostgresJournalQueries``, which makes one per call, or one for a whole snapshot
/// (inside its transaction). Valid only while the connection is checked out for it; it is
/// `@unchecked Sendable` only to be handed to a snapshot's body, which runs during that.
///
/// Text that is ordered or compared by range uses `COLLATE "C"` (bytewise, by UTF-8 code
/// units, as SQLite's `BINARY`).
struct PostgresLinkQueries: JournalQueries, @unchecked Sendable {
    let link: PostgresLink
    /// The journal's suite's hash functions: each record's checksum.
    let hashing: JournalHashing

    func record(sender: String, id: String) throws -> JournalRecord? {
        try records(PostgresRecords.selectBySenderAndId, [sender, id]).first
    }

    func seq(sender: String, id: String) throws -> UInt64? {
        try value("SELECT seq FROM messages WHERE sender = $1 AND msg_id = $2", [sender, id]).map(PostgresRecords.seq)
    }

    func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        // Every id starting with `prefix` sorts, bytewise, in [prefix, prefix + U+10FFFF).
        try records(
            """
            SELECT \(PostgresRecords.columns) FROM messages AS m
            WHERE m.sender = $1 AND m.msg_id COLLATE "C" >= $2 AND m.msg_id COLLATE "C" < $3 ORDER BY m.seq
            """, [sender, prefix, prefix + "\u{10FFFF}"])
    }

    func nextSender(after sender: String) throws -> String? {
        let rows = try link.rows(
            #"SELECT min(sender COLLATE "C") FROM messages WHERE sender COLLATE "C" > $1"#, Self.binds([sender]))
        return try decoding { try rows.first?.decode(String?.self) ?? nil }
    }

    func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        guard !types.isEmpty, limit > 0, let after = Int64(exactly: after) else { return [] }
        var binds = PostgresBindings()
        binds.append(after)
        binds.append(types)
        binds.append(limit)
        return try records(PostgresRecords.selectByTypes, binds)
    }

    func records(correlationId: String) throws -> [JournalRecord] {
        guard !correlationId.isEmpty else { return [] }
        return try records(
            "SELECT \(PostgresRecords.columns) FROM messages AS m WHERE m.correlation_id = $1 ORDER BY m.seq", [correlationId])
    }

    func progressMark(party: String, kind: ProgressMark.Kind, atOrAfter seq: UInt64) throws -> ProgressMark? {
        var binds = Self.binds([party, kind.rawValue])
        binds.append(Int64(clamping: seq))
        let rows = try link.rows(
            "SELECT seq, at_us FROM progress WHERE party = $1 AND kind = $2 AND seq >= $3 ORDER BY seq LIMIT 1", binds)
        guard let row = rows.first else { return nil }
        let (stored, atUs) = try decoding { try row.decode((Int64, Int64).self) }
        return ProgressMark(party: party, kind: kind, seq: try PostgresRecords.seq(stored), atUs: atUs)
    }

    func counts(by grouping: JournalCount.Grouping) throws -> [JournalCount] {
        let rows = try link.rows(Self.counting(grouping))
        return try decoding {
            try rows.map { row in
                let (key, count) = try row.decode((String?, Int64).self)
                return JournalCount(key: key ?? "", count: Int(clamping: count))
            }
        }
    }

    /// The statement of ``counts(by:)``: key, count, in bytewise key order.
    private static func counting(_ grouping: JournalCount.Grouping) -> String {
        switch grouping {
        case .type: #"SELECT type COLLATE "C", count(*) FROM messages GROUP BY 1 ORDER BY 1"#
        case .sender: #"SELECT sender COLLATE "C", count(*) FROM messages GROUP BY 1 ORDER BY 1"#
        case .recipient: #"SELECT recipient COLLATE "C", count(*) FROM inbox GROUP BY 1 ORDER BY 1"#
        case .day:
            """
            SELECT to_char(to_timestamp(journaled_at_us / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*)
            FROM messages GROUP BY 1 ORDER BY 1
            """
        }
    }

    func ackPositions() throws -> [String: UInt64] {
        var positions: [String: UInt64] = [:]
        for row in try link.rows("SELECT party, acked_seq FROM cursors") {
            let (party, seq) = try decoding { try row.decode((String, Int64).self) }
            positions[party] = try PostgresRecords.seq(seq)
        }
        return positions
    }

    func headSeq() throws -> UInt64 {
        guard let seq = try value("SELECT seq FROM journal_head WHERE id = 1", []) else {
            throw StoreError(code: .corrupt, reason: "the journal's head row is missing")
        }
        return try PostgresRecords.seq(seq)
    }

    /// Runs `body` with these queries: inside a snapshot they read its state already.
    func snapshot<R>(_ body: (any JournalQueries) throws -> R) throws -> R {
        try body(self)
    }

    /// The records `sql` (selecting ``PostgresRecords/columns``) finds, each checked; the
    /// first damaged one (in the statement's order) is thrown.
    private func records(_ sql: String, _ texts: [String]) throws -> [JournalRecord] {
        try records(sql, Self.binds(texts))
    }

    private func records(_ sql: String, _ binds: PostgresBindings) throws -> [JournalRecord] {
        try link.rows(sql, binds).compactMap { try PostgresRecords.record($0.makeRandomAccess(), hashing: hashing) }
    }

    /// The first column of the first row, a `bigint`.
    private func value(_ sql: String, _ texts: [String]) throws -> Int64? {
        let rows = try link.rows(sql, Self.binds(texts))
        return try decoding { try rows.first?.decode(Int64?.self) ?? nil }
    }

    static func binds(_ texts: [String]) -> PostgresBindings {
        var binds = PostgresBindings()
        for text in texts { binds.append(text) }
        return binds
    }

    /// Runs a decode; a value of an unexpected type means a damaged journal (`corrupt`).
    private func decoding<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .corrupt, reason: "a stored value has an unexpected type: \(String(reflecting: type(of: error)))")
        }
    }
}
