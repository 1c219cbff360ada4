import Foundation
import HubThreads
import Logging

extension SQLiteJournalStore {
    /// Before a writable open: when the WAL left by a crash holds committed transactions
    /// after a damaged frame (``WALScan``), SQLite's recovery will drop them and the first
    /// checkpoint erases them for good. The WAL is copied aside first, as
    /// `<journal>-wal.damaged-<time>`, so that what it holds stays for salvage; the head
    /// record check that follows decides whether acknowledged records are missing (a
    /// transaction whose commit frame reached the disk before the rest of it, by a power
    /// loss, was never acknowledged, so damage here alone is no proof of a loss).
    ///
    /// The copy is written to a temporary name, `fsync`ed, renamed and its folder `fsync`ed:
    /// SQLite's first checkpoint removes what the copy saved, so the copy must be on the
    /// disk before the open goes on. When it cannot be made (a full disk), nothing is
    /// opened: the journal and its WAL stay as they are for an operator.
    ///
    /// - Returns: The copy's path, nil when the WAL needs none.
    /// - Throws: ``StoreError`` `corrupt` when the WAL is damaged and cannot be copied aside.
    @discardableResult
    static func keepDamagedWAL(journal path: String, logger: Logger) throws(StoreError) -> String? {
        guard let wal = try? WALScan.scan(journalPath: path), wal.losesCommits else { return nil }
        let stamp = Int64(Date().timeIntervalSince1970)
        let copy = "\(path)-wal.damaged-\(stamp)"
        let temporary = copy + ".tmp"
        do {
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: wal.path, toPath: temporary)
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: temporary))
            defer { try? handle.close() }
            try handle.synchronize()
            guard rename(temporary, copy) == 0 else { throw DurableFileError("rename to \(copy)", temporary, errno) }
            try DurableFile.syncFolder(holding: copy)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            logger.critical(
                "the WAL is damaged and could not be copied aside before SQLite drops what follows the damage: not opened",
                metadata: ["wal": "\(wal.path)", "error": "\(error)"])
            throw StoreError(
                code: .corrupt,
                reason:
                    "the WAL \(wal.path) is damaged and SQLite would drop \(wal.droppedCommits) committed transaction(s) after the "
                    + "damage; it could not be copied aside first (\(error)), so the journal is left as it is: make room beside "
                    + "it and start again, or copy \(wal.path) away and run `swhub verify`")
        }
        logger.critical(
            "the WAL is damaged: SQLite drops the committed transactions after the damaged frame; the WAL was copied aside for salvage",
            metadata: [
                "wal": "\(wal.path)", "copy": "\(copy)", "damaged_frame": "\(wal.damagedFrame.map(String.init) ?? "header")",
                "dropped_commits": "\(wal.droppedCommits)",
                "dropped_seqs":
                    "\(wal.droppedMessageSeqs.first.map(String.init) ?? "?")…\(wal.droppedMessageSeqs.last.map(String.init) ?? "?")",
            ])
        return copy
    }
}
