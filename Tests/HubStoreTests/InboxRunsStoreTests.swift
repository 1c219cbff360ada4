import Foundation
import GRDB
import Testing

@testable import HubStore

/// The journal's inbox as runs (schema v8): written per recipient and commit, read back as
/// the per-message inbox was, upgraded from it, and checked when damaged.
@Suite("Inbox runs in the journal")
struct InboxRunsStoreTests {
    /// `count` messages, each to the recipients `pattern` gives its index.
    private static func batch(_ prefix: String, _ range: ClosedRange<Int>, _ pattern: (Int) -> [String]) -> [JournalAppend] {
        range.map { message(id: "\(prefix)-\($0)", type: $0 % 3 == 0 ? "receipt" : "order", recipients: pattern($0)) }
    }

    /// Interleaved recipients: bob every message, carol every other, dave every third.
    private static func pattern(_ index: Int) -> [String] {
        ["bob"] + (index % 2 == 0 ? ["carol"] : []) + (index % 3 == 0 ? ["dave", "dave"] : [])
    }

    private static func runRows(_ path: String) throws -> [String: Int] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT recipient, count(*) FROM inbox_runs GROUP BY recipient")
                    .map { ($0[0] as String, $0[1] as Int) })
        }
    }

    /// What each recipient is owed after `after`, worked out from the pattern.
    private static func expected(_ recipient: String, after: Int, through last: Int, types: Set<String> = []) -> [String] {
        stride(from: after + 1, through: last, by: 1).filter { index in
            pattern(index).contains(recipient) && (types.isEmpty || types.contains(index % 3 == 0 ? "receipt" : "order"))
        }.map { "m-\($0)" }
    }

    @Test func aCommitWritesOneRowPerRecipientAndFetchesReadAcrossRows() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            _ = try store.append(Self.batch("m", 1...40, Self.pattern), acks: [:])
            _ = try store.append(Self.batch("m", 41...45, Self.pattern), acks: [:])
            _ = try store.append([message(id: "m-40", recipients: ["bob"])], acks: [:])  // a duplicate: no entry
            #expect(try Self.runRows(journal.path) == ["bob": 2, "carol": 2, "dave": 2])
            for recipient in ["bob", "carol", "dave"] {
                for after in [0, 1, 17, 39, 40, 41, 44, 45] {
                    let all = try store.fetch(recipient: recipient, after: UInt64(after), limit: 100)
                    #expect(all.records.map(\.id) == Self.expected(recipient, after: after, through: 45), "\(recipient) after \(after)")
                    #expect(all.damaged == nil)
                    let limited = try store.fetch(recipient: recipient, after: UInt64(after), limit: 4)
                    #expect(limited.records.map(\.id) == Array(Self.expected(recipient, after: after, through: 45).prefix(4)))
                    let typed = try store.fetch(recipient: recipient, after: UInt64(after), limit: 3, types: ["receipt"])
                    #expect(
                        typed.records.map(\.id) == Array(Self.expected(recipient, after: after, through: 45, types: ["receipt"]).prefix(3)))
                    #expect(
                        try store.pendingCount(recipient: recipient, after: UInt64(after))
                            == Self.expected(recipient, after: after, through: 45).count)
                }
            }
            #expect(try store.fetch(recipient: "erin", after: 0, limit: 10).records.isEmpty)
            #expect(try store.pendingCount(recipient: "erin", after: 0) == 0)
        }
    }

    @Test func aVersion7InboxIsUpgradedToRunsAndReadTheSameBeforeAndAfter() throws {
        try withTemporaryJournal { journal in
            // Written as a v7 hub left it: one inbox row per recipient and message.
            do {
                let store = try journal.open()
                _ = try store.append(Self.batch("m", 1...30, Self.pattern), acks: [:])
                try store.pool.write { db in
                    try db.execute(sql: "DROP TABLE inbox_runs")
                    try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v8-inbox-runs'")
                    try db.execute(
                        sql:
                            "CREATE TABLE inbox (recipient TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (recipient, seq)) WITHOUT ROWID"
                    )
                    for index in 1...30 {
                        for recipient in Set(Self.pattern(index)) {
                            try db.execute(sql: "INSERT INTO inbox VALUES (?, ?)", arguments: [recipient, index])
                        }
                    }
                }
            }
            let readOnly = try SQLiteJournalStore(path: journal.path, logger: TemporaryJournal.logger, readOnly: true)
            #expect(
                try readOnly.fetch(recipient: "carol", after: 3, limit: 100).records.map(\.id)
                    == Self.expected("carol", after: 3, through: 30))
            #expect(try readOnly.pendingCount(recipient: "dave", after: 4) == Self.expected("dave", after: 4, through: 30).count)
            #expect(try JournalVerifier(journalPath: journal.path).verify().intact)

            let reopened = try journal.open()
            #expect(try Self.runRows(journal.path) == ["bob": 1, "carol": 1, "dave": 1])
            #expect(try reopened.pool.read { try $0.tableExists("inbox") } == false)
            for recipient in ["bob", "carol", "dave"] {
                #expect(
                    try reopened.fetch(recipient: recipient, after: 3, limit: 100).records.map(\.id)
                        == Self.expected(recipient, after: 3, through: 30))
            }
            #expect(try JournalVerifier(journalPath: journal.path).verify().intact)
        }
    }

    @Test func aDamagedRunStopsTheFetchWhereItIsAndVerifyNamesIt() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            _ = try store.append(Self.batch("m", 1...10, Self.pattern), acks: [:])
            _ = try store.append(Self.batch("m", 11...20, Self.pattern), acks: [:])
            try store.pool.write { db in
                try db.execute(sql: "UPDATE inbox_runs SET ranges = X'0005' WHERE recipient = 'bob' AND last_seq = 20")
            }
            let fetched = try store.fetch(recipient: "bob", after: 5, limit: 100)
            #expect(fetched.records.map(\.id) == (6...10).map { "m-\($0)" })
            #expect(fetched.damaged?.code == .corrupt && fetched.damaged?.seq == 20, "\(String(describing: fetched.damaged))")
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(report.problems.contains { $0.kind == .inboxOrphan && $0.firstSeq == 20 }, "\(report.problems)")
            #expect(report.problems.contains { $0.kind == .inboxMissing && $0.firstSeq == 11 }, "\(report.problems)")
        }
    }

    @Test func aRunNamingAnotherPartysMessageIsNeverServed() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            _ = try store.append(Self.batch("m", 1...6, Self.pattern), acks: [:])
            // carol's run grows to every seq: 1, 3 and 5 are bob's and dave's only.
            try store.pool.write { db in
                try db.execute(sql: "DELETE FROM inbox_runs WHERE recipient = 'carol'")
                try InboxTable.insert([try #require(InboxRun(recipient: "carol", ranges: [1...6]))], in: db)
            }
            let fetched = try store.fetch(recipient: "carol", after: 0, limit: 100)
            #expect(fetched.records.isEmpty)
            #expect(fetched.damaged?.code == .corrupt && fetched.damaged?.seq == 1)
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(report.problems.filter { $0.kind == .inboxOrphan }.map(\.firstSeq) == [1, 3, 5], "\(report.problems)")
        }
    }

    @Test func overlappingRunsAreReported() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            _ = try store.append(Self.batch("m", 1...6, Self.pattern), acks: [:])
            try store.pool.write { db in
                try InboxTable.insert([try #require(InboxRun(recipient: "bob", ranges: [4...4, 7...7]))], in: db)
            }
            let report = try JournalVerifier(journalPath: journal.path).verify()
            #expect(
                report.problems.contains { $0.kind == .inboxOrphan && $0.firstSeq == 7 && $0.detail.contains("overlaps") },
                "\(report.problems)")
        }
    }

    @Test func cuttingASealedRangeLeavesWhatIsOnEitherSide() throws {
        try withTemporaryJournal { journal in
            let store = try journal.open()
            _ = try store.append(Self.batch("m", 1...20, Self.pattern), acks: [:])
            _ = try store.append(Self.batch("m", 21...30, Self.pattern), acks: [:])
            _ = try store.append(Self.batch("m", 31...50, Self.pattern), acks: [:])
            try store.pool.write { db in try InboxTable.remove(15...35, db) }
            try store.pool.read { db in
                var entries: [String: [Int64]] = [:]
                let damaged = try InboxTable.forEachEntry(db) { entries[$0, default: []].append($1) }
                #expect(damaged.isEmpty)
                for recipient in ["bob", "carol", "dave"] {
                    let owed = (1...50).filter { !(15...35).contains($0) && Self.pattern($0).contains(recipient) }.map { Int64($0) }
                    #expect(entries[recipient] == owed, "\(recipient)")
                }
                #expect(try InboxTable.firstPending(recipient: "carol", after: 10, db) == 12)
                #expect(try InboxTable.firstPending(recipient: "carol", after: 14, db) == 36)
                #expect(try InboxTable.pendingCount(recipient: "bob", after: 13, db) == 1 + 15)
            }
        }
    }
}
