import Foundation
import GRDB

/// `swhub verify`: checks everything the hub relies on in a journal file and reports every
/// problem, never stopping at the first and never crashing on damage:
/// the WAL (``WALScan``, before anything opens the database), every row (its chain link
/// recomputed from the previous row's stored link, seq gaps, values that cannot be
/// decoded), the dedup index, the inbox index, acknowledgement positions and progress
/// marks against the head, and SQLite's `PRAGMA integrity_check`. The database is opened
/// read-only (which neither checkpoints nor rewrites the WAL), so it is safe beside a
/// running hub.
///
/// With a `tail`, only the last rows are checked (chained from the stored link before
/// them), with the acknowledgement positions and the WAL: bounded time for start-up and
/// monitoring.
public struct JournalVerifier: Sendable {
    typealias Problem = VerifyReport.Problem

    /// The journal file.
    public let journalPath: String
    /// Check only this many rows at the end (nil: every row, and the whole-table checks).
    public let tail: Int?
    /// Where the archive segments are (`archive.dir`); nil: where the manifest says.
    public let archiveDirectory: String?

    public init(journalPath: String, tail: Int? = nil, archiveDirectory: String? = nil) {
        self.journalPath = journalPath
        self.tail = tail
        self.archiveDirectory = archiveDirectory
    }

    /// Runs the checks.
    /// - Throws: ``StoreError`` `openFailed` only when there is no file to check or it cannot
    ///   be read at all; damage inside it is reported, not thrown.
    public func verify() throws -> VerifyReport {
        let path = journalPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .openFailed, reason: "no journal at \(path)")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw StoreError(code: .openFailed, reason: "\(path) cannot be read (permissions)")
        }
        var report = VerifyReport(
            journal: path, quick: tail != nil, records: 0, firstCheckedSeq: 0, headSeq: 0,
            headChain: JournalChain.hex(JournalChain.genesis), wal: nil, problems: [])
        let problems = check(&report)
        report.problems = VerifyReport.coalesced(problems)
        return report
    }

    /// Runs every check, filling in `report`'s counts; returns the problems found.
    private func check(_ report: inout VerifyReport) -> [Problem] {
        var problems: [Problem] = []
        // The head record before the journal: the hub writes it only after a commit, so the
        // journal read next holds at least what it says.
        let headPath = HeadRecord.path(journal: journalPath)
        let recorded: HeadRecord.Content
        do {
            recorded = try HeadRecord.read(path: headPath)
        } catch {
            recorded = .unreadable
        }
        // The WAL first: nothing may have opened the database yet.
        do {
            var wal = try WALScan.scan(journalPath: journalPath)
            // Beside a running hub, a frame read while it was being written looks damaged:
            // damage is reported only when a second scan finds the same.
            var scans = 1
            while wal.losesCommits && scans < 3 {
                let again = try WALScan.scan(journalPath: journalPath)
                scans += 1
                if again.damagedFrame == wal.damagedFrame && again.headerValid == wal.headerValid { break }
                wal = again
            }
            report.wal = wal
        } catch {
            problems.append(Problem(.wal, "the WAL cannot be read: \(Self.describe(error))"))
        }
        let queue: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.label = "HubStore.verifier"
            queue = try DatabaseQueue(path: journalPath, configuration: configuration)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
        } catch {
            problems.append(Problem(.database, "the database cannot be opened: \(Self.describe(error))"))
            return problems + (report.wal.map { Self.problems(of: $0, head: nil) } ?? [])
        }
        defer { try? queue.close() }
        // No enclosing transaction: a statement that meets a damaged page must not end the
        // other checks. Beside a running hub, each statement reads a consistent snapshot, and
        // positions are read before the head (which only grows), so none is seen beyond it
        // by a race.
        var walReported = false
        do {
            try queue.inDatabase { db in
                let positions = Self.positions(db)
                if tail == nil { problems += Self.integrityProblems(db) }
                let hashing: JournalHashing
                do {
                    let suite = try JournalSuiteRecord.suite(db)
                    report.crypto = suite
                    hashing = try JournalHashing(suite)
                } catch {
                    // Without the suite nothing can be checked: every row would show as altered.
                    problems.append(Problem(.database, "the journal's crypto suite cannot be used: \(Self.describe(error))"))
                    problems += report.wal.map { Self.problems(of: $0, head: nil) } ?? []
                    walReported = true
                    return
                }
                let entries = try ArchiveManifest.entries(db)
                if !entries.isEmpty {
                    let checked = ArchiveVerifier(entries: entries, archive: JournalArchive(directory: archiveDirectory, hashing: hashing))
                        .verify(readFiles: tail == nil)
                    problems += checked.problems
                    report.archive = checked.summary
                }
                let archived = entries.last.map { (seq: $0.lastSeq, link: $0.linkAfter) }
                var scan = try RowScan(db: db, tail: tail, hashing: hashing, archived: archived)
                problems += scan.run()
                report.records = scan.records
                report.firstCheckedSeq = scan.firstCheckedSeq
                report.headSeq = scan.head
                report.headChain = scan.headChain
                problems += positions.problems(head: scan.head)
                problems += report.wal.map { Self.problems(of: $0, head: scan.head) } ?? []
                walReported = true
                problems += headRecordProblems(db, recorded, head: scan.head)
                if tail == nil {
                    problems += Self.duplicateIdProblems(db)
                    problems += Self.indexCountProblems(db, index: scan.dedupIndex)
                    problems += Self.inboxOrphanProblems(db)
                }
            }
        } catch {
            problems.append(Problem(.database, "the checks could not run: \(Self.describe(error))"))
            if !walReported { problems += report.wal.map { Self.problems(of: $0, head: nil) } ?? [] }
        }
        return problems
    }

    /// The journal against its head record (`<journal>-head`: the committed head seq and
    /// its chain value): committed records missing at the end, a journal other than the one
    /// the hub committed to, or a record neither of whose slots is valid.
    private func headRecordProblems(_ db: Database, _ recorded: HeadRecord.Content, head: UInt64) -> [Problem] {
        let path = HeadRecord.path(journal: journalPath)
        switch recorded {
        case .missing:
            return []
        case .unreadable:
            return [
                Problem(
                    .headRecord,
                    "the head record \(path) is damaged (neither of its two slots is valid): records missing at the end cannot be found")
            ]
        case .found(let mark, _):
            if mark.seq > head {
                return [
                    Problem(
                        .headRecord, seq: head + 1, through: mark.seq,
                        "committed but missing: the head record \(path) says seq \(mark.seq) was committed, the journal ends at \(head)")
                ]
            }
            guard mark.seq > 0 else { return [] }
            let stored = try? Data.fetchOne(db, sql: "SELECT chain FROM messages WHERE seq = ?", arguments: [Int64(clamping: mark.seq)])
            guard let stored, [UInt8](stored) != mark.chain else { return [] }
            return [
                Problem(
                    .headRecord, seq: mark.seq,
                    "not the record the hub committed there (its chain value differs from the head record \(path)): the journal was replaced or rewritten"
                )
            ]
        }
    }

    /// The WAL's findings that mean lost commits; with the `head` SQLite reads, the seqs of
    /// the message rows in the dropped frames beyond it (the records lost).
    static func problems(of wal: WALScan, head: UInt64?) -> [Problem] {
        if !wal.headerValid && wal.frames > 0 {
            return [
                Problem(
                    .wal,
                    "WAL: its header is damaged: SQLite ignores all \(wal.frames) frames (\(wal.size) bytes), every transaction in them is lost"
                )
            ]
        }
        guard let frame = wal.damagedFrame, wal.droppedCommits > 0 else { return [] }
        let transactions = wal.droppedCommits == 1 ? "1 committed transaction" : "\(wal.droppedCommits) committed transactions"
        let lost = head.map { head in wal.droppedMessageSeqs.filter { $0 > head } } ?? []
        let records = lost.isEmpty ? "" : "\(lost.count) records; "
        return [
            Problem(
                .wal, seq: lost.first, through: lost.last,
                (lost.isEmpty ? "" : "lost: ")
                    + "WAL: \(transactions) after damaged frame \(Self.grouped(frame)) will be dropped by SQLite "
                    + "(\(records)\(wal.droppedFrames) frames, pages \(Self.ranges(wal.droppedPages)))")
        ]
    }

    /// Reads the acknowledgement positions and the progress log's highest marks.
    static func positions(_ db: Database) -> VerifyPositions {
        var positions = VerifyPositions()
        do {
            for row in try Row.fetchAll(db, sql: "SELECT party, acked_seq FROM cursors ORDER BY party") {
                let party = (try? row.decode(String.self, atIndex: 0)) ?? "?"
                let value: DatabaseValue = row[1]
                guard case .int64(let acked) = value.storage else {
                    positions.unreadable.append(Problem(.ackBeyondHead, "\(party)'s acknowledgement position cannot be read"))
                    continue
                }
                positions.acks.append((party, acked))
            }
        } catch {
            positions.unreadable.append(Problem(.database, "the acknowledgement positions cannot be read: \(Self.describe(error))"))
        }
        do {
            // Party by party and kind by kind, each a seek of the primary key (party, kind,
            // seq): bounded time however long the log is (for --quick).
            var group = try Row.fetchOne(db, sql: "SELECT party, kind FROM progress ORDER BY party, kind LIMIT 1")
            while let current = group {
                let party = try current.decode(String.self, atIndex: 0)
                let kind = try current.decode(String.self, atIndex: 1)
                let highest = try Row.fetchOne(
                    db, sql: "SELECT seq FROM progress WHERE party = ? AND kind = ? ORDER BY seq DESC LIMIT 1",
                    arguments: [party, kind])
                let value: DatabaseValue = highest?[0] ?? .null
                if case .int64(let seq) = value.storage { positions.marks.append((party, kind, seq)) }
                group = try Row.fetchOne(
                    db, sql: "SELECT party, kind FROM progress WHERE (party, kind) > (?, ?) ORDER BY party, kind LIMIT 1",
                    arguments: [party, kind])
            }
        } catch {
            positions.unreadable.append(Problem(.database, "the progress log cannot be read: \(Self.describe(error))"))
        }
        return positions
    }

    /// Rows sharing (sender, id), found by a scan of the table that does not use the index.
    static func duplicateIdProblems(_ db: Database) -> [Problem] {
        let sql = """
            SELECT sender, msg_id, group_concat(seq) FROM messages NOT INDEXED
            GROUP BY sender, msg_id HAVING count(*) > 1
            """
        do {
            var problems: [Problem] = []
            for row in try Row.fetchAll(db, sql: sql) {
                let sender = (try? row.decode(String.self, atIndex: 0)) ?? "?"
                let id = (try? row.decode(String.self, atIndex: 1)) ?? "?"
                let seqs = ((try? row.decode(String.self, atIndex: 2)) ?? "").split(separator: ",").compactMap { UInt64($0) }.sorted()
                guard let first = seqs.first else { continue }
                for seq in seqs.dropFirst() {
                    problems.append(
                        Problem(.duplicateId, seq: seq, "repeat the (sender, id) of seq \(first): sender \(sender), id \(id)"))
                }
            }
            return problems
        } catch {
            return [Problem(.database, "the scan for repeated (sender, id) could not run: \(Self.describe(error))")]
        }
    }

    /// The dedup index holds one entry per row.
    static func indexCountProblems(_ db: Database, index: String?) -> [Problem] {
        guard let index else { return [Problem(.dedupIndex, "the dedup index (UNIQUE(sender, msg_id)) is missing")] }
        do {
            // One statement: one snapshot, even beside a running hub.
            let sql = "SELECT (SELECT count(*) FROM messages NOT INDEXED), (SELECT count(*) FROM messages INDEXED BY \(index))"
            let counts = try Row.fetchOne(db, sql: sql)
            let rows = try counts?.decode(Int.self, atIndex: 0) ?? 0
            let entries = try counts?.decode(Int.self, atIndex: 1) ?? 0
            guard rows != entries else { return [] }
            return [Problem(.dedupIndex, "the dedup index holds \(entries) entries for \(rows) rows")]
        } catch {
            return [Problem(.dedupIndex, "the dedup index cannot be counted: \(Self.describe(error))")]
        }
    }

    /// Inbox entries that point to no message, or to one that does not name their
    /// recipient; inbox rows that cannot be read or overlap.
    static func inboxOrphanProblems(_ db: Database) -> [Problem] {
        var problems: [Problem] = []
        do {
            let lookup = try db.makeStatement(sql: "SELECT recipients FROM messages WHERE seq = ?")
            let damaged = try InboxTable.forEachEntry(db) { recipient, seq in
                let message: Row?
                do {
                    message = try Row.fetchOne(lookup, arguments: [seq])
                } catch {
                    return  // the message row is unreadable: the row scan reports it
                }
                let safeSeq = UInt64(max(seq, 0))
                guard let message else {
                    problems.append(
                        Problem(.inboxOrphan, seq: safeSeq, subject: recipient, "in \(recipient)'s inbox, but there is no such message"))
                    return
                }
                guard let recipients = try? message.decode(String.self, atIndex: 0) else { return }
                if !JournalSQL.splitRecipients(recipients).contains(recipient) {
                    problems.append(
                        Problem(
                            .inboxOrphan, seq: safeSeq, subject: recipient,
                            "in \(recipient)'s inbox, but the message does not name \(recipient)"))
                }
            }
            problems += damaged.map { Problem(.inboxOrphan, seq: $0.seq, $0.reason) }
        } catch {
            problems.append(Problem(.database, "the inbox scan stopped: \(Self.describe(error))"))
        }
        return problems
    }

    /// Every message of SQLite's `PRAGMA integrity_check`; a message naming a row gets its seq.
    static func integrityProblems(_ db: Database) -> [Problem] {
        var messages: [String] = []
        var stopped: (any Error)?
        do {
            // A cursor: SQLite may stop with an error after some messages; keep those.
            let cursor = try String.fetchCursor(db, sql: "PRAGMA integrity_check(100000)")
            while let message = try cursor.next() { messages.append(message) }
        } catch {
            stopped = error
        }
        // One message may hold several lines; the "*** in database main ***" headings go.
        let lines = messages.flatMap { $0.split(separator: "\n").map(String.init) }
        var problems = lines.filter { $0 != "ok" && !$0.hasPrefix("*** ") }.map { message in
            let seq = Self.rowSeq(in: message)
            return Problem(.integrity, seq: seq, subject: seq == nil ? "" : message, "integrity_check: \(message)")
        }
        if let stopped {
            problems.append(Problem(.integrity, "integrity_check stopped: \(Self.describe(stopped))"))
        }
        return problems
    }

    /// The N of "row N missing from index …" (SQLite's wording for a table row).
    static func rowSeq(in message: String) -> UInt64? {
        let words = message.split(separator: " ")
        guard words.count > 2, words[0] == "row", words[2] == "missing" else { return nil }
        return UInt64(words[1])
    }

    /// An error in a line: SQLite's code and message, without the statement.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        return "SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error.resultCode)")"
    }

    /// 1291 as "1,291".
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }

    /// "3, 7–9, 12" for ascending numbers.
    static func ranges(_ values: [UInt32]) -> String {
        var parts: [String] = []
        var index = 0
        while index < values.count {
            var end = index
            while end + 1 < values.count && values[end + 1] == values[end] + 1 { end += 1 }
            parts.append(end == index ? "\(values[index])" : "\(values[index])–\(values[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }
}
