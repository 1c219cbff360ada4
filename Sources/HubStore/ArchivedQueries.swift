import Foundation
import Synchronization

/// ``JournalQueries`` over a live journal and its archive segments together: every read
/// also reads the kept segments (``JournalArchive``), so `swhub trace`, `status` and
/// `stats` see archived records as if they were live (slower: a segment is read whole).
/// Records of segments deleted past retention are gone. Acknowledgement positions, progress
/// marks and the head are the live journal's (they are never archived).
public struct ArchivedQueries: JournalQueries {
    let live: any JournalQueries
    let entries: [ArchiveManifest.Entry]
    let archive: JournalArchive
    /// What one pass over the segments found, kept for the next calls on these queries (a
    /// trace looks the same id up once per sender, and walks every sender).
    private let memo = Memo()

    /// The archived senders, and the archived records by id then sender, for the ids looked up.
    final class Memo: Sendable {
        struct State {
            var senders: [String]?
            var byId: [String: [String: JournalRecord]] = [:]
        }
        let state = Mutex(State())
    }

    /// - Parameters:
    ///   - live: The live journal's queries, in the same read as `entries` was.
    ///   - entries: The manifest.
    ///   - archive: Where the segment files are read.
    public init(live: any JournalQueries, entries: [ArchiveManifest.Entry], archive: JournalArchive) {
        self.live = live
        self.entries = entries
        self.archive = archive
    }

    /// The archived records with id `id`, by sender: one pass over the segments per id.
    private func archived(id: String) throws -> [String: JournalRecord] {
        if let known = memo.state.withLock({ $0.byId[id] }) { return known }
        var found: [String: JournalRecord] = [:]
        try archive.forEach(entries) { record in if record.id == id { found[record.sender] = record } }
        memo.state.withLock { $0.byId[id] = found }
        return found
    }

    /// Every archived sender, bytewise ascending: one pass over the segments.
    private func archivedSenders() throws -> [String] {
        if let known = memo.state.withLock({ $0.senders }) { return known }
        var senders = Set<String>()
        try archive.forEach(entries) { senders.insert($0.sender) }
        let sorted = senders.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        memo.state.withLock { $0.senders = sorted }
        return sorted
    }

    public func record(sender: String, id: String) throws -> JournalRecord? {
        if let record = try live.record(sender: sender, id: id) { return record }
        return try archived(id: id)[sender]
    }

    public func seq(sender: String, id: String) throws -> UInt64? {
        if let seq = try live.seq(sender: sender, id: id) { return seq }
        return try archived(id: id)[sender]?.seq
    }

    public func records(sender: String, idPrefix prefix: String) throws -> [JournalRecord] {
        try archive.all(entries) { $0.sender == sender && $0.id.hasPrefix(prefix) } + live.records(sender: sender, idPrefix: prefix)
    }

    public func nextSender(after sender: String) throws -> String? {
        let live = try live.nextSender(after: sender)
        let archived = try archivedSenders().first { sender.utf8.lexicographicallyPrecedes($0.utf8) }
        guard let archived else { return live }
        guard let live else { return archived }
        return archived.utf8.lexicographicallyPrecedes(live.utf8) ? archived : live
    }

    public func records(types: [String], after: UInt64, limit: Int) throws -> [JournalRecord] {
        let wanted = Set(types)
        let archived = try archive.records(entries, after: after, limit: limit) { wanted.contains($0.type) }
        return archived.count >= limit ? archived : archived + (try live.records(types: types, after: after, limit: limit - archived.count))
    }

    public func records(correlationId: String) throws -> [JournalRecord] {
        guard !correlationId.isEmpty else { return [] }
        return try archive.all(entries) { $0.correlationId == correlationId } + live.records(correlationId: correlationId)
    }

    public func progressMark(party: String, kind: ProgressMark.Kind, atOrAfter seq: UInt64) throws -> ProgressMark? {
        try live.progressMark(party: party, kind: kind, atOrAfter: seq)
    }

    public func counts(by grouping: JournalCount.Grouping) throws -> [JournalCount] {
        var counts: [String: Int] = [:]
        for count in try live.counts(by: grouping) { counts[count.key, default: 0] += count.count }
        try archive.forEach(entries) { record in
            switch grouping {
            case .type: counts[record.type, default: 0] += 1
            case .sender: counts[record.sender, default: 0] += 1
            case .recipient: for party in Set(record.recipients) { counts[party, default: 0] += 1 }
            case .day: counts[Self.day(record.journaledAtUs), default: 0] += 1
            }
        }
        return counts.map { JournalCount(key: $0.key, count: $0.value) }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    public func ackPositions() throws -> [String: UInt64] {
        try live.ackPositions()
    }

    public func headSeq() throws -> UInt64 {
        try live.headSeq()
    }

    /// `YYYY-MM-DD` (UTC) of a journal time, as SQLite's `date(us / 1000000, 'unixepoch')`.
    static func day(_ us: Int64) -> String {
        var seconds = time_t(us / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday)
    }
}
