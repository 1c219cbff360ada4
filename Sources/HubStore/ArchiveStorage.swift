/// What ``JournalArchiver`` needs of a journal's store, so that one archiver seals and
/// deletes segments for every store: the SQLite file (``SQLiteArchiveStorage``) and the
/// PostgreSQL database (`PostgresArchiveStorage` in HubStorePostgres). The archiver itself
/// (the bound, the segment's checks, the file written durably, retention) is the same for
/// both; a store only reads its rows and manifest and commits a seal in one transaction.
public protocol ArchiveStorage: Sendable {
    /// The manifest (``ArchiveManifest``), in seq order; empty when nothing was archived.
    func archiveEntries() throws -> [ArchiveManifest.Entry]

    /// The journal's head seq (its last record, which always stays live).
    func archiveHeadSeq() throws -> UInt64

    /// The journal time of the live record `seq`, nil when there is no such live row.
    func archiveJournaledAtUs(seq: UInt64) throws -> Int64?

    /// Each recipient's first message above its acknowledgement position (the recipients
    /// with nothing unacknowledged are left out).
    func archiveFirstUnacknowledged() throws -> [String: UInt64]

    /// The seq of the flows' newest saved snapshot, nil when there is none.
    func archiveNewestFlowSnapshotSeq() throws -> UInt64?

    /// The live rows `first...last` in seq order, with their stored chain links and
    /// checksums (unchecked: the archiver decodes the segment before writing it).
    /// - Throws: ``StoreError`` `corrupt` for a row without its chain link or checksum.
    func archiveLiveRecords(first: UInt64, last: UInt64) throws -> [ArchiveSegment.Record]

    /// In ONE transaction: checks that the manifest still ends at `archivedUpTo` (else
    /// `writeFailed`: another archiver sealed meanwhile), adds `entry`, and deletes the live
    /// rows (messages and inbox) of `entry.firstSeq...entry.lastSeq`.
    func archiveCommit(_ entry: ArchiveManifest.Entry, archivedUpTo: UInt64) throws

    /// Marks the segment starting at `firstSeq` deleted past retention.
    func archiveMarkDeleted(firstSeq: UInt64, atUs: Int64) throws

    /// Runs `body` while no other archiver of this journal runs (a hub cluster's nodes share
    /// one PostgreSQL journal: only one of them seals at a time); nil, without running
    /// `body`, when another holds the archiving lock now.
    func archiveExclusively<R>(_ body: () throws -> R) throws -> R?
}
