import Foundation
import GRDB

@testable import HubStore

/// Damage done to journal files the way storage does it: bits flipped and pages zeroed in
/// the bytes on disk, found by known byte patterns, never through SQL.
enum JournalDamage {
    /// The id of the `index`th marked message.
    static func id(_ index: Int) -> String {
        "m-" + String(repeating: "0", count: max(0, 6 - String(index).count)) + String(index)
    }

    /// A message whose body starts with `<<body m-000123>>`, a pattern found once in the file.
    static func marked(_ index: Int, recipients: [String] = ["bob"], bodySize: Int = 200) -> JournalAppend {
        var body = Array("<<body \(id(index))>>".utf8)
        while body.count < bodySize { body.append(UInt8(ascii: "a") + UInt8(body.count % 26)) }
        return JournalAppend(
            sender: "alice", id: id(index), type: "order", recipients: recipients, correlationId: "",
            createdAtUs: 1_700_000_000_000_000, body: body)
    }

    /// Appends marked messages 1…`count` in batches of `batch` (one transaction each).
    static func fill(_ store: SQLiteJournalStore, count: Int, batch: Int = 50) throws {
        for start in stride(from: 1, through: count, by: batch) {
            _ = try store.append((start...min(start + batch - 1, count)).map { marked($0) }, acks: [:])
        }
    }

    /// Writes a closed journal of `count` marked messages, everything checkpointed into the
    /// database file (no WAL left).
    static func write(_ path: String, count: Int) throws {
        var store: SQLiteJournalStore? = try SQLiteJournalStore(path: path, logger: TemporaryJournal.logger)
        if let store { try fill(store, count: count) }
        store = nil
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
    }

    /// Runs SQL on the closed journal behind the hub's back.
    static func sql(_ path: String, _ sql: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { try $0.execute(sql: sql) }
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
    }

    /// Rewrites the closed journal's inbox behind the hub's back: `edit` gets every entry,
    /// seqs by recipient, and what it leaves is written back as runs.
    static func editInbox(_ path: String, _ edit: (inout [String: [Int64]]) -> Void) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            var entries: [String: [Int64]] = [:]
            try InboxTable.forEachEntry(db) { recipient, seq in entries[recipient, default: []].append(seq) }
            edit(&entries)
            try db.execute(sql: "DELETE FROM inbox_runs")
            for (recipient, seqs) in entries {
                var builder = InboxRunBuilder(maxSeqs: 50)
                for seq in Set(seqs).sorted() { builder.add(seq, recipient: recipient) }
                try InboxTable.insert(builder.runs(), in: db)
            }
        }
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
    }

    /// The offset of the only occurrence of `pattern` in the file at or after `from`.
    static func offset(of pattern: String, in path: String, from start: Int = 0, before end: Int? = nil) throws -> Int? {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let needle = Array(pattern.utf8)
        let last = min(end ?? bytes.count, bytes.count) - needle.count
        guard last >= start else { return nil }
        for offset in start...last where bytes[offset] == needle[0] && Array(bytes[offset..<offset + needle.count]) == needle {
            return offset
        }
        return nil
    }

    /// Flips one bit of the byte at `offset`.
    static func flipBit(_ path: String, at offset: Int, mask: UInt8 = 0x04) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[offset] ^= mask
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Overwrites page `page` (1-based) with zeros.
    static func zeroPage(_ path: String, page: Int) throws {
        let size = try pageSize(path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for offset in (page - 1) * size..<page * size { bytes[offset] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The database's page size, from its header.
    static func pageSize(_ path: String) throws -> Int {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(18))
        let size = Int(bytes[16]) << 8 | Int(bytes[17])
        return size == 1 ? 65536 : size
    }

    /// The root page of the messages table's dedup index (`UNIQUE(sender, msg_id)`).
    static func dedupIndexRoot(_ path: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            try Int.fetchOne(
                db, sql: "SELECT rootpage FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_messages_%'") ?? 0
        }
    }
}
