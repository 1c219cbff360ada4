import HubStore
import NIOCore
import PostgresNIO

/// The checks of ``PostgresJournalVerifier``, inside its read-only transaction: the rows
/// page by page in seq order (each checked on its own, as ``JournalVerifier``'s row scan
/// does), the inbox rows of each page's seqs, then the head row and the positions.
struct PostgresVerifierWalk {
    typealias Problem = VerifyReport.Problem

    /// The row before the one being checked: its seq, stored chain value, the chain value its
    /// content gives, and the index of the `.altered` problem reported for it.
    private struct Previous {
        var seq: Int64
        var stored: [UInt8]?
        var computed: [UInt8]?
        var alteredProblem: Int?
    }

    /// One decoded row.
    private struct Fields {
        var seq: Int64
        var sender: String
        var id: String
        var type: String
        var recipients: String
        var correlationId: String
        var createdAtUs: Int64
        var journaledAtUs: Int64
        var body: [UInt8]
        var chain: [UInt8]
        var crc: Int64
    }

    let link: PostgresLink
    /// The journal's suite's hash functions.
    let hashing: JournalHashing
    private(set) var problems: [Problem] = []
    private(set) var records = 0
    private(set) var firstCheckedSeq: UInt64 = 0
    private var previous = Previous(seq: 0, stored: JournalChain.genesis, computed: JournalChain.genesis)
    /// The last row read and its stored chain value.
    private var last: (seq: Int64, chain: [UInt8]?) = (0, JournalChain.genesis)
    /// Rows read per statement.
    static let page = 1000

    init(link: PostgresLink, hashing: JournalHashing) {
        self.link = link
        self.hashing = hashing
    }

    /// The head as read: the last row's seq.
    var headSeq: UInt64 { UInt64(max(last.seq, 0)) }
    /// The last row's stored chain value, hex (the genesis value when empty).
    var headChain: String { JournalChain.hex(last.chain ?? []) }

    /// Runs every check.
    /// - Parameters:
    ///   - tail: Check only this many rows at the end (nil: every row).
    ///   - archived: The last archived seq and its chain link (the manifest's): the walk
    ///     starts after it, chained from that link.
    mutating func run(tail: Int?, archived: (seq: UInt64, link: [UInt8])? = nil) throws {
        let headRow = try link.rows("SELECT seq, chain FROM journal_head WHERE id = 1").first
        let positions = try VerifyPositions.read(link)
        var start: Int64 = 0
        if let archived, archived.seq > 0 {
            start = Int64(clamping: archived.seq)
            previous = Previous(seq: start, stored: archived.link, computed: archived.link)
            last = (start, archived.link)
        }
        let firstLive = start + 1
        if let tail {
            let highest = try link.rows("SELECT max(seq) FROM messages").first.flatMap { try? $0.decode(Int64?.self) } ?? 0
            if highest - Int64(tail) > start {
                start = highest - Int64(tail)
                var binds = PostgresBindings()
                binds.append(start)
                let row = try link.rows("SELECT seq, chain FROM messages WHERE seq <= $1 ORDER BY seq DESC LIMIT 1", binds).first
                let before = row.flatMap { try? $0.decode((Int64, ByteBuffer).self) }
                previous = Previous(seq: before?.0 ?? start, stored: before.map { Array($0.1.readableBytesView) }, computed: nil)
                last = (previous.seq, previous.stored)
            }
        }
        var after = start
        while true {
            var binds = PostgresBindings()
            binds.append(after)
            binds.append(Self.page)
            let rows = try link.rows(
                """
                SELECT seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain, crc
                FROM messages WHERE seq > $1 ORDER BY seq LIMIT $2
                """, binds)
            var named: [Int64: [String]] = [:]
            var seqs: [Int64] = []
            for row in rows {
                let (seq, recipients) = check(row.makeRandomAccess())
                seqs.append(seq)
                if let recipients { named[seq] = recipients }
            }
            guard let lastSeq = seqs.last else { break }
            try checkInbox(after: after, through: lastSeq, seqs: seqs, named: named)
            after = lastSeq
            if rows.count < Self.page { break }
        }
        try checkInboxOutside(after: after, before: tail == nil ? firstLive : nil)
        checkHead(headRow)
        problems += positions.problems(head: headSeq)
    }

    /// Checks one row: decodes every value, reports the seqs missing before it, recomputes
    /// its chain link from the previous row's stored link and its checksum. Returns its
    /// seq and, when they could be read, the recipients it names.
    private mutating func check(_ row: PostgresRandomAccessRow) -> (Int64, [String]?) {
        let seq = (try? row[0].decode(Int64.self)) ?? previous.seq + 1
        if records == 0 { firstCheckedSeq = UInt64(max(seq, 0)) }
        records += 1
        defer { last.seq = max(last.seq, seq) }
        let gap = seq != previous.seq + 1
        if seq > previous.seq + 1 {
            problems.append(Problem(.missing, seq: UInt64(max(previous.seq + 1, 0)), through: UInt64(seq - 1), "missing: no row"))
        }
        let fields: Fields
        do {
            fields = try Self.fields(row, seq: seq)
        } catch {
            problems.append(Problem(.unreadable, seq: UInt64(max(seq, 0)), "unreadable: a value cannot be decoded (\(error))"))
            previous = Previous(seq: seq, stored: nil, computed: nil)
            last.chain = nil
            return (seq, nil)
        }
        last.chain = fields.chain
        var alteredProblem: Int?
        var computed: [UInt8]?
        if let link = previous.stored, !gap {
            let value = chainLink(fields, previous: link)
            computed = value
            if value != fields.chain {
                if let index = previous.alteredProblem, let chained = previous.computed,
                    chainLink(fields, previous: chained) == fields.chain
                {
                    // The previous row's content gives the value this row chains from: what
                    // changed there is its stored chain value, not its content.
                    problems[index] = Problem(
                        .chainValueAltered, seq: UInt64(max(previous.seq, 0)), "altered chain value: the row's content is intact")
                } else {
                    alteredProblem = report(.altered, seq, "altered: the content no longer gives the chain value")
                }
            }
        }
        // The checksum, so a damaged row shows even where the chain cannot be checked.
        if alteredProblem == nil && checksum(fields) != fields.crc {
            alteredProblem = report(.altered, seq, "altered: the content no longer gives its stored checksum")
        }
        previous = Previous(seq: seq, stored: fields.chain, computed: computed, alteredProblem: alteredProblem)
        return (seq, RecipientList.split(fields.recipients))
    }

    /// The inbox rows of seqs in (after, through]: each recipient a row names has one, and
    /// each names a message of the page that names its recipient.
    private mutating func checkInbox(after: Int64, through: Int64, seqs: [Int64], named: [Int64: [String]]) throws {
        var binds = PostgresBindings()
        binds.append(after)
        binds.append(through)
        var inbox: [Int64: Set<String>] = [:]
        for row in try link.rows("SELECT recipient, seq FROM inbox WHERE seq > $1 AND seq <= $2", binds) {
            guard let (recipient, seq) = try? row.decode((String, Int64).self) else {
                problems.append(Problem(.inboxOrphan, "an inbox row cannot be read"))
                continue
            }
            inbox[seq, default: []].insert(recipient)
        }
        let present = Set(seqs)
        for seq in seqs {
            guard let recipients = named[seq] else { continue }
            let found = inbox[seq] ?? []
            for recipient in Set(recipients).sorted() where !found.contains(recipient) {
                problems.append(
                    Problem(.inboxMissing, seq: UInt64(seq), subject: recipient, "missing from \(recipient)'s inbox: never delivered to it")
                )
            }
        }
        for (seq, recipients) in inbox.sorted(by: { $0.key < $1.key }) {
            for recipient in recipients.sorted() {
                if !present.contains(seq) {
                    orphan(seq, recipient, "in \(recipient)'s inbox, but there is no such message")
                } else if let names = named[seq], !names.contains(recipient) {
                    orphan(seq, recipient, "in \(recipient)'s inbox, but the message does not name \(recipient)")
                }
            }
        }
    }

    /// Inbox rows beyond the last row read (and, with `before`, below that seq): none has
    /// a message.
    private mutating func checkInboxOutside(after: Int64, before: Int64?) throws {
        var binds = PostgresBindings()
        binds.append(after)
        binds.append(before ?? Int64.min)
        let rows = try link.rows(
            "SELECT recipient, seq FROM inbox WHERE seq > $1 OR seq < $2 ORDER BY seq, recipient COLLATE \"C\" LIMIT 10000", binds)
        for row in rows {
            guard let (recipient, seq) = try? row.decode((String, Int64).self) else { continue }
            orphan(seq, recipient, "in \(recipient)'s inbox, but there is no such message")
        }
    }

    private mutating func orphan(_ seq: Int64, _ recipient: String, _ detail: String) {
        problems.append(Problem(.inboxOrphan, seq: UInt64(max(seq, 0)), subject: recipient, detail))
    }

    /// `journal_head` against the last row: same seq, same chain value.
    private mutating func checkHead(_ row: PostgresRow?) {
        guard let row else {
            problems.append(Problem(.headRecord, "the journal_head row is missing: no hub can append to this journal"))
            return
        }
        guard let (stored, buffer) = try? row.decode((Int64, ByteBuffer).self) else {
            problems.append(Problem(.headRecord, "the journal_head row cannot be read"))
            return
        }
        let chain = Array(buffer.readableBytesView)
        let head = last.seq
        if stored > head {
            problems.append(
                Problem(
                    .headRecord, seq: UInt64(head + 1), through: UInt64(stored),
                    "committed but missing: journal_head says seq \(stored) was committed, the last row is seq \(head)"))
        } else if stored < head {
            problems.append(
                Problem(
                    .headRecord, seq: UInt64(max(stored + 1, 0)), through: UInt64(head),
                    "beyond journal_head: it says the journal ends at seq \(stored), rows go on to seq \(head)"))
        } else if let lastChain = last.chain, chain != lastChain {
            problems.append(
                Problem(
                    .headRecord, seq: stored > 0 ? UInt64(stored) : nil,
                    "journal_head's chain value \(JournalChain.hex(chain)) is not the last row's (\(JournalChain.hex(lastChain))): the head row or the journal was rewritten"
                ))
        }
    }

    private mutating func report(_ kind: Problem.Kind, _ seq: Int64, _ detail: String) -> Int {
        problems.append(Problem(kind, seq: UInt64(max(seq, 0)), detail))
        return problems.count - 1
    }

    /// A column that cannot be decoded.
    private struct Unreadable: Error, CustomStringConvertible {
        var column: String
        var description: String { "\(column) cannot be decoded" }
    }

    private static func fields(_ row: PostgresRandomAccessRow, seq: Int64) throws -> Fields {
        func value<T: PostgresDecodable>(_ index: Int, _ name: String, _ type: T.Type) throws -> T {
            do { return try row[index].decode(T.self) } catch { throw Unreadable(column: name) }
        }
        return Fields(
            seq: try value(0, "seq", Int64.self), sender: try value(1, "sender", String.self), id: try value(2, "msg_id", String.self),
            type: try value(3, "type", String.self), recipients: try value(4, "recipients", String.self),
            correlationId: try value(5, "correlation_id", String.self), createdAtUs: try value(6, "created_at_us", Int64.self),
            journaledAtUs: try value(7, "journaled_at_us", Int64.self),
            body: Array(try value(8, "body", ByteBuffer.self).readableBytesView),
            chain: Array(try value(9, "chain", ByteBuffer.self).readableBytesView), crc: try value(10, "crc", Int64.self))
    }

    /// The row's link in the journal's suite (none, so that it matches nothing, should the
    /// library fail after the suite was found usable).
    private func chainLink(_ fields: Fields, previous: [UInt8]) -> [UInt8] {
        let hashing = hashing
        return fields.body.withUnsafeBytes { body in
            (try? hashing.link(
                previous: previous, seq: fields.seq, sender: fields.sender, id: fields.id, type: fields.type,
                recipients: fields.recipients, correlationId: fields.correlationId, createdAtUs: fields.createdAtUs,
                journaledAtUs: fields.journaledAtUs, body: body)) ?? []
        }
    }

    /// The row's checksum in the journal's suite (nil, as ``chainLink(_:previous:)``).
    private func checksum(_ fields: Fields) -> Int64? {
        let hashing = hashing
        return fields.body.withUnsafeBytes { body in
            try? hashing.checksum(
                seq: fields.seq, sender: fields.sender, id: fields.id, type: fields.type, recipients: fields.recipients,
                correlationId: fields.correlationId, createdAtUs: fields.createdAtUs, journaledAtUs: fields.journaledAtUs,
                body: body)
        }
    }
}
