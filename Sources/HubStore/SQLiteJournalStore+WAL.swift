import Foundation
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
    /// - Returns: The copy's path, nil when the WAL needs none.
    @discardableResult
    static func keepDamagedWAL(journal path: String, logger: Logger) -> String? {
        guard let wal = try? WALScan.scan(journalPath: path), wal.losesCommits else { return nil }
        let stamp = Int64(Date().timeIntervalSince1970)
        let copy = "\(path)-wal.damaged-\(stamp)"
        do {
            try FileManager.default.copyItem(atPath: wal.path, toPath: copy)
        } catch {
            logger.critical(
                "the WAL is damaged and could not be copied aside before SQLite drops what follows the damage",
                metadata: ["wal": "\(wal.path)", "error": "\(error)"])
            return nil
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
