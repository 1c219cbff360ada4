import Foundation
import Synchronization

/// Reads archive segments (``ArchiveSegment``) as the manifest (``ArchiveManifest``) lists
/// them: the one reader through which the store's reads (replay, delivery of a resumed
/// session, the flows' rebuild) and the operators' (trace, status, stats) reach archived
/// ranges. Every segment read is checked whole (its file's digest against the manifest,
/// gzip's CRC, the digest trailer (SHA-256, or SM3 in `crypto: sm`), each record's checksum and chain link, its ends against
/// the manifest's links); the segments read last are kept decoded for the next reads (up
/// to ``cacheBytes`` of records, at least one segment).
public final class JournalArchive: Sendable {
    /// The folder to find segment files in, instead of the one each was written to (nil:
    /// the manifest's).
    public let directory: String?
    /// The journal's suite's hash functions: the file's digest, the trailer, each record's checksum and link.
    public let hashing: JournalHashing
    /// The decoded segments kept, most recently used last, with their sizes.
    private let cache = Mutex<[(key: String, segment: ArchiveSegment, bytes: Int)]>([])
    /// How many bytes of decoded records the cache keeps at most (beyond one segment).
    public static let cacheBytes = 256 << 20

    /// - Parameters:
    ///   - directory: Where the segment files are now (`archive.dir`); nil: where they were written.
    ///   - hashing: The hash functions of the journal's suite (its segments were written with them).
    public init(directory: String?, hashing: JournalHashing) {
        self.directory = directory
        self.hashing = hashing
    }

    /// The path of an entry's file.
    public func path(of entry: ArchiveManifest.Entry) -> String {
        ((directory ?? entry.directory) as NSString).appendingPathComponent(entry.file)
    }

    /// An entry's segment, read and checked.
    /// - Throws: `StoreError` `archiveDamaged` naming the file: missing, unreadable, damaged,
    ///   or not the segment the manifest names.
    public func segment(_ entry: ArchiveManifest.Entry) throws -> ArchiveSegment {
        let path = path(of: entry)
        let cached: ArchiveSegment? = cache.withLock { cache in
            guard let index = cache.firstIndex(where: { $0.key == path }) else { return nil }
            let hit = cache.remove(at: index)
            cache.append(hit)
            return hit.segment
        }
        if let cached { return cached }
        guard entry.isKept else {
            throw StoreError(code: .archiveDamaged, reason: "archive segment \(path) was deleted past retention")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(code: .archiveDamaged, reason: "archive segment \(path) is missing or unreadable")
        }
        let bytes = [UInt8](data)
        guard try hashing.digest(bytes) == entry.sha256 else {
            throw StoreError(
                code: .archiveDamaged,
                reason: "archive segment \(path) is damaged: its \(hashing.suite.chainHashName) is not the one the manifest recorded")
        }
        let segment: ArchiveSegment
        do {
            segment = try ArchiveSegment.decode(fileBytes: bytes, file: path, hashing: hashing)
        } catch let error as StoreError where !error.reason.contains(path) {
            throw StoreError(code: error.code, reason: "archive segment \(path): \(error.reason)", seq: error.seq)
        }
        guard segment.firstSeq == entry.firstSeq, segment.lastSeq == entry.lastSeq, segment.linkBefore == entry.linkBefore,
            segment.linkAfter == entry.linkAfter
        else {
            throw StoreError(
                code: .archiveDamaged,
                reason: "archive segment \(path) holds seqs \(segment.firstSeq)–\(segment.lastSeq) or links other than the manifest's")
        }
        let size = segment.records.reduce(0) { $0 + $1.record.body.count + 256 }
        cache.withLock { cache in
            cache.removeAll { $0.key == path }
            cache.append((path, segment, size))
            var total = cache.reduce(0) { $0 + $1.bytes }
            while cache.count > 1 && total > Self.cacheBytes {
                total -= cache.removeFirst().bytes
            }
        }
        return segment
    }

    /// The archived records with seq > `after` that pass `filter`, in seq order, at most `limit`,
    /// from the kept segments among `entries` (deleted segments' records are gone).
    public func records(
        _ entries: [ArchiveManifest.Entry], after: UInt64, limit: Int, where filter: (JournalRecord) -> Bool = { _ in true }
    ) throws -> [JournalRecord] {
        var found: [JournalRecord] = []
        guard limit > 0 else { return found }
        for entry in entries where entry.isKept && entry.lastSeq > after {
            for archived in try segment(entry).records where archived.record.seq > after && filter(archived.record) {
                found.append(archived.record)
                if found.count >= limit { return found }
            }
        }
        return found
    }

    /// The archived record `seq`, nil when it is not archived or its segment was deleted.
    public func record(_ entries: [ArchiveManifest.Entry], seq: UInt64) throws -> JournalRecord? {
        guard let entry = entries.first(where: { $0.firstSeq <= seq && seq <= $0.lastSeq }), entry.isKept else { return nil }
        let records = try segment(entry).records
        let index = Int(seq - entry.firstSeq)
        return records.indices.contains(index) ? records[index].record : nil
    }

    /// Every archived record that passes `filter`, in seq order.
    public func all(_ entries: [ArchiveManifest.Entry], where filter: (JournalRecord) -> Bool) throws -> [JournalRecord] {
        try records(entries, after: 0, limit: .max, where: filter)
    }

    /// Calls `body` with every kept archived record, in seq order.
    public func forEach(_ entries: [ArchiveManifest.Entry], _ body: (JournalRecord) throws -> Void) throws {
        for entry in entries where entry.isKept {
            for archived in try segment(entry).records { try body(archived.record) }
        }
    }
}
