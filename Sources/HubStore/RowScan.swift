import Foundation
import GRDB

/// The row checks of ``JournalVerifier``: every row in seq order (or the tail), each checked
/// by ``check(_:)`` on its own. Rows are read in batches; when a batch fails (a damaged
/// page), the scan reads seq by seq until it is past the damage, so every unreadable seq is
/// named and the rows after it are still checked.
struct RowScan {
    typealias Problem = VerifyReport.Problem

    /// The row before the one being checked: its seq, stored chain value, the chain value its
    /// content gives, and the index of the `.altered` problem reported for it.
    struct Previous {
        var seq: Int64
        var stored: [UInt8]?
        var computed: [UInt8]?
        var alteredProblem: Int?
    }

    private let db: Database
    /// The dedup index's name (`UNIQUE(sender, msg_id)`), nil when it is gone.
    let dedupIndex: String?
    /// The head as far as it can be read (`MAX(seq)`, else the inbox's).
    private let headHint: Int64
    private let start: Int64
    private var previous: Previous
    private var problems: [Problem] = []
    /// The inbox, asked whether each row's recipients have it (nil when it cannot be read).
    private var inbox: InboxLookup?
    private(set) var records = 0
    private(set) var firstCheckedSeq: UInt64 = 0
    /// The last row read and its stored chain value.
    private var lastRead: (seq: Int64, chain: [UInt8]?) = (0, JournalChain.genesis)

    /// The columns read, the checksum last when the journal has one (schema v4 on).
    private let columns: String
    /// Whether rows carry a `crc` (``RecordChecksum``).
    private let hasChecksums: Bool
    /// The journal's suite's hash functions.
    private let hashing: JournalHashing
    private static let batch = 500

    /// - Parameters:
    ///   - archived: The last archived seq and its chain link (the manifest's): the full scan
    ///     starts after it, chained from that link.
    init(db: Database, tail: Int?, hashing: JournalHashing, archived: (seq: UInt64, link: [UInt8])? = nil) throws {
        self.db = db
        self.hashing = hashing
        hasChecksums = (try? JournalSQL.hasChecksums(db)) ?? false
        columns =
            "seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain"
            + (hasChecksums ? ", crc" : "")
        dedupIndex = try String.fetchOne(
            db,
            sql: """
                SELECT name FROM sqlite_master
                WHERE type = 'index' AND tbl_name = 'messages' AND name LIKE 'sqlite_autoindex_messages_%'
                """)
        let hint =
            (try? Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM messages"))
            ?? (try? InboxLookup.maxSeq(db))
        headHint = max(hint ?? 0, 0)
        var start: Int64 = 0
        previous = Previous(seq: 0, stored: JournalChain.genesis, computed: JournalChain.genesis)
        if let archived, archived.seq > 0 {
            start = Int64(clamping: archived.seq)
            previous = Previous(seq: start, stored: archived.link, computed: archived.link)
        }
        if let tail, max(headHint - Int64(max(tail, 0)), 0) > start {
            start = max(headHint - Int64(max(tail, 0)), 0)
            if start > 0 {
                // The stored link of the last row at or before the tail's start.
                let row = try? Row.fetchOne(
                    db, sql: "SELECT seq, chain FROM messages WHERE seq <= ? ORDER BY seq DESC LIMIT 1", arguments: [start])
                let seq = try? row?.decode(Int64.self, atIndex: 0)
                let chain = try? row?.decode(Data.self, atIndex: 1)
                previous = Previous(seq: seq ?? start, stored: chain.map { [UInt8]($0) }, computed: nil)
            }
        }
        self.start = start
        lastRead = (previous.seq, previous.stored)
    }

    /// The head: the last seq read, or beyond it the last seq SQLite names.
    var head: UInt64 { UInt64(max(lastRead.seq, headHint, 0)) }
    /// The last row's stored chain value, hex (the genesis value when empty).
    var headChain: String { JournalChain.hex(lastRead.chain ?? []) }

    /// Checks every row from the start, returns the problems found.
    mutating func run() -> [Problem] {
        var next = start
        while true {
            do {
                let cursor = try Row.fetchCursor(
                    db, sql: "SELECT \(columns) FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [next, Self.batch])
                var count = 0
                while let row = try cursor.next() {
                    count += 1
                    next = check(row)
                }
                if count < Self.batch { break }
            } catch {
                next = probe(after: next)
                if next >= headHint { break }
            }
        }
        if headHint > lastRead.seq && headHint > start {
            // The last seqs SQLite names could not be read.
            problems.append(Problem(.unreadable, seq: UInt64(lastRead.seq + 1), through: UInt64(headHint), "unreadable"))
        }
        return problems
    }

    /// Reads seq by seq after `seq` (each a lookup of its own) until 64 seqs in a row read
    /// without error; returns the last seq looked at.
    private mutating func probe(after seq: Int64) -> Int64 {
        var current = seq
        var clean = 0
        while clean < 64 && current < headHint {
            current += 1
            do {
                if let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM messages WHERE seq = ?", arguments: [current]) {
                    _ = check(row)
                }
                clean += 1
            } catch {
                clean = 0
                problems.append(Problem(.unreadable, seq: UInt64(current), "unreadable: \(JournalVerifier.describe(error))"))
                previous = Previous(seq: current, stored: nil, computed: nil)
                lastRead = (current, nil)
            }
        }
        return current
    }

    /// Checks one row: decodes every value (never with a trapping subscript), recomputes its
    /// chain link from the previous row's stored link, reports the seqs missing before it,
    /// finds it through the dedup index at its own seq, and finds its inbox rows.
    /// Returns its seq.
    private mutating func check(_ row: Row) -> Int64 {
        let seq = (try? row.decode(Int64.self, atIndex: 0)) ?? previous.seq + 1
        if records == 0 { firstCheckedSeq = UInt64(max(seq, 0)) }
        records += 1
        defer { lastRead.seq = max(lastRead.seq, seq) }
        let gap = seq != previous.seq + 1
        if gap && seq > previous.seq + 1 {
            problems.append(Problem(.missing, seq: UInt64(previous.seq + 1), through: UInt64(seq - 1), "missing: no row"))
        }
        let fields: JournalChain.Fields
        let stored: [UInt8]?
        do {
            fields = try JournalChain.Fields(row)
            let chain: DatabaseValue = row[9]
            switch chain.storage {
            case .null: stored = nil
            case .blob(let value): stored = [UInt8](value)
            default: throw JournalChain.Fields.Unreadable(column: "chain", found: chain)
            }
        } catch {
            problems.append(
                Problem(.unreadable, seq: UInt64(max(seq, 0)), "unreadable: a value cannot be decoded (\(JournalVerifier.describe(error)))")
            )
            previous = Previous(seq: seq, stored: nil, computed: nil)
            lastRead.chain = nil
            return seq
        }
        lastRead.chain = stored
        var alteredProblem: Int?
        var computed: [UInt8]?
        if let link = previous.stored, !gap {
            computed = try? fields.link(previous: link, hashing: hashing)
            if stored == nil {
                alteredProblem = report(.altered, seq, "altered: the row has no chain value")
            } else if computed != stored {
                if let index = previous.alteredProblem, let chained = previous.computed,
                    (try? fields.link(previous: chained, hashing: hashing)) == stored
                {
                    // The previous row's content gives the value this row chains from: what
                    // changed there is its stored chain value, not its content.
                    problems[index] = Problem(
                        .chainValueAltered, seq: UInt64(previous.seq), "altered chain value: the row's content is intact")
                } else {
                    alteredProblem = report(.altered, seq, "altered: the content no longer gives the chain value")
                }
            }
        } else if stored == nil {
            alteredProblem = report(.altered, seq, "altered: the row has no chain value")
        }
        checkIndexes(seq: seq, fields: fields)
        // The per-record checksum, so a damaged row shows even where the chain cannot be
        // checked (after a gap or an unreadable row).
        if hasChecksums && alteredProblem == nil && !checksumHolds(row, fields) {
            alteredProblem = report(.altered, seq, "altered: the content no longer gives its stored checksum")
        }
        previous = Previous(seq: seq, stored: stored, computed: computed, alteredProblem: alteredProblem)
        return seq
    }

    /// Whether the row's `crc` is the checksum of its fields (a missing one is not).
    private func checksumHolds(_ row: Row, _ fields: JournalChain.Fields) -> Bool {
        let value: DatabaseValue = row[10]
        guard case .int64(let stored) = value.storage else { return false }
        return (try? fields.checksum(hashing: hashing)) == stored
    }

    private mutating func report(_ kind: Problem.Kind, _ seq: Int64, _ detail: String) -> Int {
        problems.append(Problem(kind, seq: UInt64(max(seq, 0)), detail))
        return problems.count - 1
    }

    /// The dedup index finds the row at its own seq; every recipient has its inbox row.
    private mutating func checkIndexes(seq: Int64, fields: JournalChain.Fields) {
        let at = UInt64(max(seq, 0))
        if let dedupIndex {
            do {
                let found = try Int64.fetchAll(
                    db, sql: "SELECT seq FROM messages INDEXED BY \(dedupIndex) WHERE sender = ? AND msg_id = ?",
                    arguments: [fields.sender, fields.id])
                if !found.contains(seq) {
                    let instead = found.isEmpty ? "not found" : "found at seq \(found.map { String($0) }.joined(separator: ", "))"
                    problems.append(
                        Problem(
                            .dedupIndex, seq: at,
                            "dedup index damaged: (sender \(fields.sender), id \(fields.id)) is \(instead) through the index"))
                }
            } catch {
                problems.append(Problem(.dedupIndex, seq: at, "dedup index unreadable for this row: \(JournalVerifier.describe(error))"))
            }
        }
        for recipient in JournalSQL.splitRecipients(fields.recipients) {
            do {
                var lookup = try inbox ?? InboxLookup(db)
                defer { inbox = lookup }
                if try !lookup.contains(recipient: recipient, seq: seq, db) {
                    problems.append(
                        Problem(.inboxMissing, seq: at, subject: recipient, "missing from \(recipient)'s inbox: never delivered to it"))
                }
            } catch {
                problems.append(
                    Problem(
                        .inboxMissing, seq: at, subject: recipient,
                        "\(recipient)'s inbox unreadable for this row: \(JournalVerifier.describe(error))"))
            }
        }
    }
}
