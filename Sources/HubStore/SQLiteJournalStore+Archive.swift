import Foundation
import GRDB

/// The store's reads below the live range: records sealed into archive segments are read
/// back through ``JournalArchive``, transparently (slower than live rows).
extension SQLiteJournalStore {
    /// The last archived seq (0 when nothing is, or the journal has no manifest).
    func archivedUpTo(_ db: Database) throws -> UInt64 {
        try ArchiveManifest.archivedUpTo(db)
    }

    /// The archived records with seq > `after` that pass `filter`, at most `limit`; none
    /// (without reading the manifest's files) when `after` is at or past the archived range.
    func archived(_ db: Database, after: UInt64, limit: Int, where filter: (JournalRecord) -> Bool) throws -> [JournalRecord] {
        guard limit > 0, after < (try archivedUpTo(db)) else { return [] }
        return try archive.records(try ArchiveManifest.entries(db), after: after, limit: limit, where: filter)
    }

    /// The archived record `seq`, if it is archived in a kept segment.
    func archivedRecord(_ db: Database, seq: UInt64) throws -> JournalRecord? {
        guard seq <= (try archivedUpTo(db)) else { return nil }
        return try archive.record(try ArchiveManifest.entries(db), seq: seq)
    }

    /// The first archived seq journaled at or after `us`; nil when every archived record is
    /// earlier (the answer is then in the live range). A segment deleted past retention
    /// answers with its first seq (its records are gone; what follows is read).
    func archivedFirstSeq(_ db: Database, journaledAtOrAfter us: Int64) throws -> UInt64? {
        guard try archivedUpTo(db) > 0 else { return nil }
        let entries = try ArchiveManifest.entries(db)
        guard let entry = entries.first(where: { $0.lastJournaledAtUs >= us }) else { return nil }
        guard entry.isKept else { return entry.firstSeq }
        return try archive.segment(entry).records.first { $0.record.journaledAtUs >= us }?.record.seq ?? entry.lastSeq
    }
}
