import HubCore
import HubLifecycle
import HubStore
import PostgresNIO

/// Archives on a PostgreSQL journal: the archiver (one ``JournalArchiver`` for both stores,
/// through ``PostgresArchiveStorage``), and the reads below the live range, which go to the
/// segments (``JournalArchive``) transparently, as a SQLite journal's do.
extension PostgresJournalStore {
    /// A new archiver of this journal with the store's `archive:` settings (nil without
    /// them): `swhub serve` runs one among ``services``, `swhub archive run` one once.
    public var archiver: JournalArchiver? {
        archiveSettings.map {
            JournalArchiver(storage: PostgresArchiveStorage(store: self), settings: $0, hashing: hashing, logger: logger)
        }
    }

    /// The archiver's thread, when the store archives: a new archiver each time it is read
    /// (the hub reads it once; the archiver holds the store, so the store does not hold it).
    public var services: [ThreadLoopService] {
        archiver.map { [$0.service] } ?? []
    }

    /// The manifest, read now.
    public func archiveEntries() throws -> [ArchiveManifest.Entry] {
        try reading("read the archive manifest") { try PostgresArchiveManifest.entries($0) }
    }

    /// The archived records with seq in `after + 1 ... upTo` that pass `filter`, at most
    /// `limit`; none (without reading the manifest) when `after` is at or past `upTo`.
    func archivedRecords(
        _ link: PostgresLink, after: UInt64, upTo: UInt64, limit: Int, where filter: (JournalRecord) -> Bool
    ) throws -> [JournalRecord] {
        guard limit > 0, after < upTo else { return [] }
        let entries = try PostgresArchiveManifest.entries(link).filter { $0.lastSeq <= upTo }
        return try archive.records(entries, after: after, limit: limit, where: filter)
    }
}
