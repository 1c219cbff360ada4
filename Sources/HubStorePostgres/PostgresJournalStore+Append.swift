import HubStore
import NIOCore
import PostgresNIO

/// Appends: one transaction per batch, holding the head row's lock from the first
/// statement to the commit.
extension PostgresJournalStore {
    /// The NOTIFY channel every append signals its new head on, for the other hub nodes.
    public static let headChannel = "swhub_journal_head"

    public func append(_ batch: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]) throws -> [AppendOutcome] {
        try appendReportingHead(batch, acks: acks, progress: progress).outcomes
    }

    /// ``append(_:acks:progress:)``, also returning the head before the batch: records
    /// between the caller's last known head and that one were appended by other writers.
    public func appendReportingHead(
        _ batch: [JournalAppend], acks: [String: UInt64], progress: [ProgressMark]
    ) throws -> (outcomes: [AppendOutcome], previousHead: UInt64?) {
        if batch.isEmpty && acks.isEmpty && progress.isEmpty { return ([], nil) }
        let joined = try batch.map { try RecipientList.join($0.recipients) }
        let marks = try Self.risingMarks(progress)
        return try writing("append") { link in
            try link.transaction {
                guard !batch.isEmpty else {
                    try Self.saveAcks(acks, link)
                    try Self.saveProgress(marks, link)
                    return ([], nil)
                }
                let result = try Self.appendLocked(batch, joined: joined, hashing: hashing, link)
                try Self.saveAcks(acks, link)
                try Self.saveProgress(marks, link)
                return result
            }
        }
    }

    /// The batch's rows, inside a transaction: locks the head, finds duplicates, inserts
    /// the new rows and moves the head.
    private static func appendLocked(
        _ batch: [JournalAppend], joined: [String], hashing: JournalHashing, _ link: PostgresLink
    ) throws -> (outcomes: [AppendOutcome], previousHead: UInt64?) {
        guard let headRow = try link.rows("SELECT seq, chain, journaled_at_us FROM journal_head WHERE id = 1 FOR UPDATE").first
        else { throw StoreError(code: .corrupt, reason: "the journal's head row is missing") }
        let (storedHead, storedChain, lastJournaledAtUs) = try headRow.decode((Int64, ByteBuffer, Int64).self)
        let previousHead = try PostgresRecords.seq(storedHead)
        // Read after the lock: every append that committed before it is visible to this
        // statement, so a duplicate of it is found here.
        let originals = try Self.originals(of: batch, hashing: hashing, link)
        let journaledAtUs = max(WallClock.nowMicroseconds(), lastJournaledAtUs)
        var head = storedHead
        var chain = Array(storedChain.readableBytesView)
        var rows = NewRows()
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        var inBatch: [Key: AppendOutcome] = [:]
        for (entry, recipients) in zip(batch, joined) {
            let key = Key(sender: entry.sender, id: entry.id)
            if let original = originals[key] {
                outcomes.append(
                    AppendOutcome(
                        seq: original.seq, duplicate: true, recipients: original.recipients, journaledAtUs: original.journaledAtUs))
                continue
            }
            if let earlier = inBatch[key] {
                outcomes.append(
                    AppendOutcome(seq: earlier.seq, duplicate: true, recipients: earlier.recipients, journaledAtUs: earlier.journaledAtUs))
                continue
            }
            let seq = head + 1
            try entry.body.withUnsafeBytes { body in
                let crc: Int64
                (chain, crc) = try hashing.row(
                    previous: chain, seq: seq, sender: entry.sender, id: entry.id, type: entry.type, recipients: recipients,
                    correlationId: entry.correlationId, createdAtUs: entry.createdAtUs, journaledAtUs: journaledAtUs, body: body)
                rows.add(entry, seq: seq, recipients: recipients, journaledAtUs: journaledAtUs, body: body, chain: chain, crc: crc)
            }
            head = seq
            let outcome = AppendOutcome(seq: UInt64(seq), duplicate: false, recipients: entry.recipients, journaledAtUs: journaledAtUs)
            inBatch[key] = outcome
            outcomes.append(outcome)
        }
        if head != storedHead {
            var binds = rows.binds
            binds.append(head)
            binds.append(ByteBuffer(bytes: chain))
            binds.append(journaledAtUs)
            binds.append(String(head))
            try link.execute(
                """
                WITH m AS (
                    INSERT INTO messages
                        (seq, sender, msg_id, type, recipients, correlation_id, created_at_us, journaled_at_us, body, chain, crc)
                    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                        $7::bigint[], $8::bigint[], $9::bytea[], $10::bytea[], $11::bigint[])
                ), i AS (
                    INSERT INTO inbox (recipient, seq) SELECT * FROM unnest($12::text[], $13::bigint[]) ON CONFLICT DO NOTHING
                ), h AS (
                    UPDATE journal_head SET seq = $14, chain = $15, journaled_at_us = $16 WHERE id = 1
                )
                SELECT pg_notify('\(headChannel)', $17)
                """, binds)
        }
        return (outcomes, previousHead)
    }

    /// The journaled originals of the batch's (sender, id)s, each read whole and checked:
    /// a damaged original fails the batch (`corrupt`) rather than answering "duplicate".
    private static func originals(of batch: [JournalAppend], hashing: JournalHashing, _ link: PostgresLink) throws -> [Key: JournalRecord] {
        var binds = PostgresBindings()
        binds.append(batch.map(\.sender))
        binds.append(batch.map(\.id))
        let rows = try link.rows(
            """
            SELECT \(PostgresRecords.columns) FROM messages AS m
            JOIN unnest($1::text[], $2::text[]) AS k (sender, msg_id) ON m.sender = k.sender AND m.msg_id = k.msg_id
            """, binds)
        var originals: [Key: JournalRecord] = [:]
        for row in rows {
            guard let record = try PostgresRecords.record(row.makeRandomAccess(), hashing: hashing) else { continue }
            originals[Key(sender: record.sender, id: record.id)] = record
        }
        return originals
    }

    /// The marks to log: per party and kind, each must pass every earlier one of the batch
    /// (the statement then also checks them against those already logged).
    static func risingMarks(_ marks: [ProgressMark]) throws -> [ProgressMark] {
        var highest: [String: UInt64] = [:]
        var kept: [ProgressMark] = []
        for mark in marks {
            _ = try PostgresRecords.storable(mark.seq, what: "progress mark", code: .writeFailed)
            let key = mark.party + "\u{0}" + mark.kind.rawValue
            if let high = highest[key], mark.seq <= high { continue }
            highest[key] = mark.seq
            kept.append(mark)
        }
        return kept
    }

    /// Logs progress marks that pass every mark already logged for their party and kind.
    static func saveProgress(_ marks: [ProgressMark], _ link: PostgresLink) throws {
        guard !marks.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(marks.map(\.party))
        binds.append(marks.map(\.kind.rawValue))
        binds.append(marks.map { Int64($0.seq) })
        binds.append(marks.map(\.atUs))
        try link.execute(
            """
            INSERT INTO progress (party, kind, seq, at_us)
            SELECT k.party, k.kind, k.seq, k.at_us FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
                AS k (party, kind, seq, at_us)
            WHERE k.seq > COALESCE((SELECT max(p.seq) FROM progress AS p WHERE p.party = k.party AND p.kind = k.kind), 0)
            ON CONFLICT DO NOTHING
            """, binds)
    }

    /// A message's dedup key.
    struct Key: Hashable {
        var sender: String
        var id: String
    }

    /// The new rows' columns, and their inbox rows, as arrays for `unnest`.
    struct NewRows {
        var messages = MessageColumns()
        var inboxRecipients: [String] = []
        var inboxSeqs: [Int64] = []

        mutating func add(
            _ entry: JournalAppend, seq: Int64, recipients joined: String, journaledAtUs: Int64, body: UnsafeRawBufferPointer,
            chain: [UInt8], crc: Int64
        ) {
            messages.seqs.append(seq)
            messages.senders.append(entry.sender)
            messages.ids.append(entry.id)
            messages.types.append(entry.type)
            messages.recipients.append(joined)
            messages.correlations.append(entry.correlationId)
            messages.created.append(entry.createdAtUs)
            messages.journaled.append(journaledAtUs)
            messages.bodies.append(ByteBuffer(bytes: body))
            messages.chains.append(ByteBuffer(bytes: chain))
            messages.crcs.append(crc)
            for recipient in entry.recipients {
                inboxRecipients.append(recipient)
                inboxSeqs.append(seq)
            }
        }

        /// The bindings $1 to $13.
        var binds: PostgresBindings {
            var binds = messages.binds
            binds.append(inboxRecipients)
            binds.append(inboxSeqs)
            return binds
        }
    }
}
