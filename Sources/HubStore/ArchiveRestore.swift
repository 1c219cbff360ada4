import Foundation
import GRDB

/// `swhub archive restore`: an archived segment's records put back, verbatim (seq, chain
/// link, checksum), into a NEW journal file for an auditor, never into the hub's live
/// journal. The new file's manifest names the segments before it (their files stay where
/// they are), so `swhub verify --journal NEW` checks the chain from seq 1 through the
/// restored records, and `swhub trace --journal NEW` reads them like live ones.
public enum ArchiveRestore {
    /// Restores `entry`'s records into a new journal at `target`.
    /// - Parameters:
    ///   - entry: The segment to restore (kept).
    ///   - earlier: The manifest entries before it, copied into the new file's manifest.
    ///   - archive: Where the segment files are.
    ///   - target: The new journal file; must not exist.
    /// - Returns: The number of records restored.
    /// - Throws: ``StoreError`` `archiveDamaged` (the segment fails its checks), `openFailed`
    ///   (the target exists), `writeFailed`.
    public static func restore(
        _ entry: ArchiveManifest.Entry, earlier: [ArchiveManifest.Entry], archive: JournalArchive, to target: String
    ) throws -> Int {
        guard !FileManager.default.fileExists(atPath: target) else {
            throw StoreError(code: .openFailed, reason: "\(target) exists: restore writes a new journal file only")
        }
        let segment = try archive.segment(entry)
        do {
            let queue = try DatabaseQueue(path: target)
            defer { try? queue.close() }
            // The new journal records the archive's suite: its rows are the archive's, verbatim.
            try JournalSchema.migrator(creating: archive.hashing.suite).migrate(queue)
            try queue.write { db in
                for earlier in earlier {
                    var copy = earlier
                    copy.directory = (archive.path(of: earlier) as NSString).deletingLastPathComponent
                    try ArchiveManifest.insert(copy, db)
                    if let deleted = earlier.deletedAtUs { try ArchiveManifest.markDeleted(firstSeq: earlier.firstSeq, atUs: deleted, db) }
                }
                let insert = try db.makeStatement(sql: JournalSQL.insertMessage)
                var inbox = InboxRunBuilder()
                for archived in segment.records {
                    let record = archived.record
                    try insert.execute(arguments: [
                        Int64(record.seq), record.sender, record.id, record.type, archived.recipients, record.correlationId,
                        record.createdAtUs, record.journaledAtUs, Data(record.body), Data(archived.chain), archived.crc,
                    ])
                    inbox.add(Int64(record.seq), recipients: record.recipients)
                }
                try InboxTable.insert(inbox.runs(), in: db)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: .writeFailed, reason: "cannot write the restored journal \(target): \(error)")
        }
        return segment.records.count
    }
}
