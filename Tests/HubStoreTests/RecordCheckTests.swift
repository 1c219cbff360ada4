import Foundation
import GRDB
import Testing

@testable import HubStore

/// Every stored row carries a checksum that every read checks: a row altered behind the
/// hub's back, or a bit flipped on disk, is refused with its seq, never served.
@Suite("Record checksums")
struct RecordCheckTests {
    /// A body that occurs once in the file, to find its bytes.
    static let markedBody = Array("MARKED-BODY-0123456789-abcdefghijklmnopqrstuvwxyz".utf8)

    /// Journals seqs 1...5 from alice to bob, type `order`; seq 3 carries ``markedBody``.
    private func fill(_ journal: TemporaryJournal) throws {
        let store = try journal.open()
        _ = try store.append([message(id: "1"), message(id: "2")], acks: [:])
        _ = try store.append(
            [
                JournalAppend(
                    sender: "alice", id: "3", type: "order", recipients: ["bob"], correlationId: "", createdAtUs: 1,
                    body: Self.markedBody)
            ], acks: [:])
        _ = try store.append([message(id: "4"), message(id: "5")], acks: [:])
    }

    /// Every read path refuses seq 3 with its seq and serves the others.
    private func expectDamage(atSeq3 journal: TemporaryJournal) throws {
        let store = try journal.open()
        let fetched = try store.fetch(recipient: "bob", after: 0, limit: 10)
        #expect(fetched.records.map(\.seq) == [1, 2])
        #expect(fetched.damaged?.code == .corrupt)
        #expect(fetched.damaged?.seq == 3)
        #expect(fetched.damaged?.reason.contains("seq 3 fails its checksum") == true)
        let byType = try store.fetch(recipient: "bob", after: 0, limit: 10, types: ["order"])
        #expect(byType.records.map(\.seq) == [1, 2])
        #expect(byType.damaged?.seq == 3)
        let after = try store.fetch(recipient: "bob", after: 3, limit: 10)
        #expect(after.records.map(\.seq) == [4, 5])
        #expect(after.damaged == nil)
        #expect(try store.record(seq: 2)?.id == "2")

        func expectCorrupt(_ what: String, _ read: () throws -> Void) {
            let error = #expect(throws: StoreError.self, "\(what)") { try read() }
            #expect(error?.code == .corrupt, "\(what)")
            #expect(error?.seq == 3, "\(what)")
        }
        expectCorrupt("record(seq:)") { _ = try store.record(seq: 3) }
        expectCorrupt("record(sender:id:)") { _ = try store.record(sender: "alice", id: "3") }
        expectCorrupt("records(types:)") { _ = try store.records(types: ["order"], after: 0, limit: 10) }
        expectCorrupt("records(sender:idPrefix:)") { _ = try store.records(sender: "alice", idPrefix: "") }
        let inspector = try JournalInspector(path: journal.path)
        expectCorrupt("inspector records(sender:idPrefix:)") { _ = try inspector.records(sender: "alice", idPrefix: "3") }
        expectCorrupt("inspector records(type:)") { _ = try inspector.records(type: "order", after: 0, limit: 10) }
        expectCorrupt("inspector trace") { _ = try inspector.trace("3") }
        #expect(try inspector.trace("2").messages.map(\.seq) == [2])
    }

    @Test(
        "a field altered with raw SQL, the checksum left as it was",
        arguments: [
            "UPDATE messages SET body = X'00' WHERE seq = 3",
            "UPDATE messages SET recipients = 'bob,carol' WHERE seq = 3",
            "UPDATE messages SET correlation_id = 'x' WHERE seq = 3",
            "UPDATE messages SET created_at_us = created_at_us + 1 WHERE seq = 3",
            "UPDATE messages SET journaled_at_us = journaled_at_us + 1 WHERE seq = 3",
            "UPDATE messages SET crc = NULL WHERE seq = 3",
            "UPDATE messages SET body = 'text, not a blob' WHERE seq = 3",
        ])
    func alteredRowIsRefused(statement: String) throws {
        try withTemporaryJournal { journal in
            try fill(journal)
            try journal.sql(statement)
            try expectDamage(atSeq3: journal)
        }
    }

    @Test func bitFlippedInTheFileIsRefused() throws {
        try withTemporaryJournal { journal in
            try fill(journal)
            try journal.patchFile(at: Self.markedBody, offset: 7) { $0 ^ 0x04 }
            try expectDamage(atSeq3: journal)
        }
    }

    @Test func writerStoresTheChecksumOfWhatItWrote() throws {
        try withTemporaryJournal { journal in
            try fill(journal)
            let queue = try DatabaseQueue(path: journal.path)
            let nulls = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE crc IS NULL") }
            #expect(nulls == 0)
            let store = try journal.open()
            #expect(try store.fetch(recipient: "bob", after: 0, limit: 10).records.map(\.seq) == [1, 2, 3, 4, 5])
            #expect(try store.record(seq: 3)?.body == Self.markedBody)
        }
    }

    @Test func migrationBackfillsAVersion3Journal() throws {
        try withTemporaryJournal { journal in
            // A journal as v3 left it, written through the v3 schema (no crc column).
            let queue = try DatabaseQueue(path: journal.path)
            try JournalSchema.migrator.migrate(queue, upTo: "v3-progress")
            try queue.write { db in
                for seq in 1...3 {
                    try db.execute(
                        sql: "INSERT INTO messages VALUES (?, 'alice', ?, 'order', 'bob', '', 1, 2, ?, NULL)",
                        arguments: [seq, "old-\(seq)", Data(body(for: "old-\(seq)"))])
                    try db.execute(sql: "INSERT INTO inbox VALUES ('bob', ?)", arguments: [seq])
                }
            }
            let columns = try queue.read { db in try db.columns(in: "messages").map(\.name) }
            #expect(!columns.contains("crc"))
            try queue.close()

            let store = try journal.open()
            let fetched = try store.fetch(recipient: "bob", after: 0, limit: 10)
            #expect(fetched.records.map(\.id) == ["old-1", "old-2", "old-3"])
            #expect(fetched.records.map(\.body) == (1...3).map { body(for: "old-\($0)") })
            #expect(fetched.damaged == nil)
            _ = try store.append([message(id: "new")], acks: [:])
            #expect(try store.record(seq: 4)?.id == "new")
        }
    }

    /// The dedup index says (alice, dup-a) is seq 3, a sound row of another message: the
    /// append must fail rather than answer "duplicate of seq 3".
    @Test func dedupIndexPointingAtAForeignRowFailsTheBatch() throws {
        try withTemporaryJournal { journal in
            do {
                let store = try journal.open()
                _ = try store.append([message(id: "pad"), message(id: "dup-a"), message(id: "dup-b")], acks: [:])
            }
            // The index entry (sender, msg_id, rowid): "alice" "dup-a" then rowid 2 as one
            // byte. The table row has the type right after the id instead, so this pattern
            // is the index entry only.
            try journal.patchFile(at: Array("alicedup-a".utf8) + [2], offset: 10) { _ in 3 }
            let store = try journal.open()
            #expect(try store.record(seq: 2)?.id == "dup-a")  // the table itself is sound
            let error = #expect(throws: StoreError.self) { _ = try store.append([message(id: "dup-a")], acks: [:]) }
            #expect(error?.code == .corrupt)
            #expect(error?.seq == 3)
            #expect(error?.reason.contains("the dedup index is damaged") == true)
            #expect(try store.headSeq() == 3)
            // A batch with a sound duplicate still answers as before.
            let outcomes = try store.append([message(id: "dup-b")], acks: [:])
            #expect(outcomes.first?.duplicate == true)
            #expect(outcomes.first?.seq == 3)
        }
    }

    /// The dedup index is sound but the row it names fails its checksum.
    @Test func dedupOriginalFailingItsChecksumFailsTheBatch() throws {
        try withTemporaryJournal { journal in
            do {
                let store = try journal.open()
                _ = try store.append([message(id: "pad"), message(id: "dup-a")], acks: [:])
            }
            try journal.sql("UPDATE messages SET body = X'01' WHERE seq = 2")
            let store = try journal.open()
            let error = #expect(throws: StoreError.self) { _ = try store.append([message(id: "dup-a")], acks: [:]) }
            #expect(error?.code == .corrupt)
            #expect(error?.seq == 2)
            #expect(error?.reason.contains("the dedup index is damaged") == true)
        }
    }
}

/// SQLite itself finds the file damaged in the middle of a fetch: the records read before
/// come back, with the damage reported (no seq: SQLite does not say which record).
@Suite("Damaged database pages")
struct DamagedPageTests {
    /// `interleaved`: bob gets every other message (read through a list of seqs), else
    /// every one (one range scan).
    @Test(arguments: [false, true])
    func fetchReturnsWhatWasReadBeforeSQLiteFindsADamagedPage(interleaved: Bool) throws {
        try withTemporaryJournal { journal in
            let marked = Array("PAGE-MARKER-fedcba9876543210".utf8)
            do {
                let store = try journal.open()
                // 3 KB bodies, five to a 16 KiB page: seq 30 sits on a leaf page far from the first.
                for seq in 1...40 {
                    var body = [UInt8](repeating: UInt8(seq), count: 3000)
                    if seq == 30 { body.replaceSubrange(0..<marked.count, with: marked) }
                    _ = try store.append(
                        [
                            JournalAppend(
                                sender: "alice", id: "\(seq)", type: "order", recipients: interleaved && seq % 2 == 0 ? ["carol"] : ["bob"],
                                correlationId: "", createdAtUs: 1,
                                body: body)
                        ], acks: [:])
                }
            }
            // The first byte of a b-tree page is its type (13: table leaf); make it invalid.
            try journal.checkpoint()
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: journal.path)))
            let at = try #require(occurrences(of: marked, in: bytes).first)
            let pageSize = 16384
            let pageStart = at / pageSize * pageSize
            #expect(bytes[pageStart] == 13, "a table leaf page")
            // (Written by offset: leaves of equal-sized rows can share their first bytes.)
            var damaged = bytes
            damaged[pageStart] = 0xFF
            try Data(damaged).write(to: URL(fileURLWithPath: journal.path))

            let store = try journal.open()
            let fetched = try store.fetch(recipient: "bob", after: 0, limit: 100)
            #expect(fetched.damaged?.code == .corrupt)
            #expect(fetched.damaged?.seq == nil)
            #expect(!fetched.records.isEmpty)
            let bobs = (UInt64(1)...40).filter { !interleaved || $0 % 2 == 1 }
            #expect(fetched.records.map(\.seq) == Array(bobs.prefix(fetched.records.count)))
            #expect(fetched.records.last.map { $0.seq < 30 } == true)
        }
    }
}
