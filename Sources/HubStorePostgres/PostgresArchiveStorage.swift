import HubStore
import NIOCore
import PostgresNIO

/// ``ArchiveStorage`` on a PostgreSQL journal, so that ``JournalArchiver`` seals and
/// deletes its segments as it does a SQLite journal's. Several hub nodes may share the
/// journal: a run holds the session advisory lock
/// ``PostgresJournalSchema/archivingLock`` (released by PostgreSQL if the node dies), and a
/// node that cannot take it skips that run; every node writes segments to the same shared
/// `archive.dir` (README, "Retention and archives").
struct PostgresArchiveStorage: ArchiveStorage {
    let store: PostgresJournalStore

    func archiveEntries() throws -> [ArchiveManifest.Entry] {
        try store.reading("read the archive manifest") { try PostgresArchiveManifest.entries($0) }
    }

    func archiveHeadSeq() throws -> UInt64 {
        try store.headSeq()
    }

    func archiveJournaledAtUs(seq: UInt64) throws -> Int64? {
        guard let stored = Int64(exactly: seq) else { return nil }
        return try store.reading("read a journal time") { link in
            var binds = PostgresBindings()
            binds.append(stored)
            return try link.rows("SELECT journaled_at_us FROM messages WHERE seq = $1", binds).first.map { try $0.decode(Int64.self) }
        }
    }

    func archiveFirstUnacknowledged() throws -> [String: UInt64] {
        let acks = try store.ackPositions()
        return try store.reading("read the first unacknowledged messages") { link in
            var pending: [String: UInt64] = [:]
            for party in try Self.recipients(link) {
                var binds = PostgresBindings()
                binds.append(party)
                binds.append(Int64(clamping: acks[party] ?? 0))
                if let first = try link.rows("SELECT min(seq) FROM inbox WHERE recipient = $1 AND seq > $2", binds).first
                    .flatMap({ try $0.decode(Int64?.self) }), first > 0
                {
                    pending[party] = UInt64(first)
                }
            }
            return pending
        }
    }

    func archiveNewestFlowSnapshotSeq() throws -> UInt64? {
        try store.flowSnapshotSeqs().first
    }

    func archiveLiveRecords(first: UInt64, last: UInt64) throws -> [ArchiveSegment.Record] {
        let range = (
            try PostgresRecords.storable(first, what: "seq", code: .readFailed),
            try PostgresRecords.storable(last, what: "seq", code: .readFailed)
        )
        return try store.reading("read the records to archive") { link in
            var binds = PostgresBindings()
            binds.append(range.0)
            binds.append(range.1)
            let rows = try link.rows(
                """
                SELECT \(PostgresRecords.columns), m.chain FROM messages AS m WHERE m.seq BETWEEN $1 AND $2 ORDER BY m.seq
                """, binds)
            return try rows.map { row in
                let columns = row.makeRandomAccess()
                guard let record = try PostgresRecords.record(columns, hashing: store.hashing) else {
                    throw StoreError(code: .corrupt, reason: "a journal record to archive has no seq")
                }
                let recipients = try columns[4].decode(String.self)
                let crc = try columns[9].decode(Int64.self)
                let chain = Array(try columns[10].decode(ByteBuffer.self).readableBytesView)
                return ArchiveSegment.Record(record: record, recipients: recipients, chain: chain, crc: crc)
            }
        }
    }

    func archiveCommit(_ entry: ArchiveManifest.Entry, archivedUpTo: UInt64) throws {
        let range = (
            try PostgresRecords.storable(entry.firstSeq, what: "seq", code: .writeFailed),
            try PostgresRecords.storable(entry.lastSeq, what: "seq", code: .writeFailed)
        )
        try store.writing("record an archive segment") { link in
            try link.transaction {
                // The manifest's last row, locked: a second archiver's commit waits, then sees this one.
                try link.execute("LOCK TABLE archives IN SHARE ROW EXCLUSIVE MODE")
                guard try PostgresArchiveManifest.archivedUpTo(link) == archivedUpTo else {
                    throw StoreError(code: .writeFailed, reason: "another archiver sealed seqs after \(archivedUpTo) meanwhile")
                }
                try PostgresArchiveManifest.insert(entry, link)
                for party in try Self.recipients(link) {
                    var binds = PostgresBindings()
                    binds.append(party)
                    binds.append(range.0)
                    binds.append(range.1)
                    try link.execute("DELETE FROM inbox WHERE recipient = $1 AND seq BETWEEN $2 AND $3", binds)
                }
                var binds = PostgresBindings()
                binds.append(range.0)
                binds.append(range.1)
                try link.execute("DELETE FROM messages WHERE seq BETWEEN $1 AND $2", binds)
            }
        }
    }

    func archiveMarkDeleted(firstSeq: UInt64, atUs: Int64) throws {
        let stored = try PostgresRecords.storable(firstSeq, what: "seq", code: .writeFailed)
        try store.writing("mark an archive segment deleted") { link in
            var binds = PostgresBindings()
            binds.append(atUs)
            binds.append(stored)
            try link.execute("UPDATE archives SET deleted_at_us = $1 WHERE first_seq = $2", binds)
        }
    }

    func archiveExclusively<R>(_ body: () throws -> R) throws -> R? {
        // The lock is held by a connection of its own for the whole run (the run's reads and
        // writes take the pool's); if this node dies, PostgreSQL releases it with the session.
        let lock: PostgresLink
        let taken: Bool
        do {
            lock = try store.pool.openDedicated()
        } catch {
            throw PostgresFailure.storeError(error, code: .unavailable, operation: "take the archiving lock")
        }
        defer { lock.close() }
        do {
            taken =
                try lock.rows("SELECT pg_try_advisory_lock(\(PostgresJournalSchema.archivingLock))").first.map { try $0.decode(Bool.self) }
                ?? false
        } catch {
            throw PostgresFailure.storeError(error, code: .writeFailed, operation: "take the archiving lock")
        }
        guard taken else { return nil }
        // Released as soon as the run ends (closing the session releases it too, but only
        // once the server has ended the session, which a next run must not wait for).
        defer { try? lock.execute("SELECT pg_advisory_unlock(\(PostgresJournalSchema.archivingLock))") }
        return try body()
    }

    /// Every recipient with inbox rows, one at a time along the inbox's primary key
    /// (PostgreSQL has no skip scan).
    static func recipients(_ link: PostgresLink) throws -> [String] {
        var found: [String] = []
        var recipient = try link.rows("SELECT recipient FROM inbox ORDER BY recipient LIMIT 1").first.map { try $0.decode(String.self) }
        while let party = recipient {
            found.append(party)
            var binds = PostgresBindings()
            binds.append(party)
            recipient = try link.rows("SELECT recipient FROM inbox WHERE recipient > $1 ORDER BY recipient LIMIT 1", binds).first.map {
                try $0.decode(String.self)
            }
        }
        return found
    }
}
