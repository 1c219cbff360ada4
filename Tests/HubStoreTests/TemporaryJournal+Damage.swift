import Foundation
import GRDB

/// Ways to damage a closed journal behind the store's back, for the damage tests.
extension TemporaryJournal {
    /// Runs raw SQL on the journal (no store open), then folds the WAL into the file.
    func sql(_ statements: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: statements)
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Folds the WAL into the database file, so that every row sits in `path` itself.
    func checkpoint() throws {
        try sql("SELECT 1")
    }

    /// Changes one byte of the database file: the byte `offset` bytes into the single
    /// occurrence of `pattern`, set by `change`. The store must be closed.
    func patchFile(at pattern: [UInt8], offset: Int, _ change: (UInt8) -> UInt8) throws {
        try checkpoint()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let starts = occurrences(of: pattern, in: bytes)
        guard starts.count == 1, let start = starts.first else {
            throw DamageError(reason: "the pattern occurs \(starts.count) times in the file, not once")
        }
        bytes[start + offset] = change(bytes[start + offset])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The journal's files (database, WAL, shared memory), copied aside as they are now.
    func snapshot(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.copyItem(atPath: path + suffix, toPath: folder.appendingPathComponent("journal.sqlite" + suffix).path)
        }
    }

    /// Puts back journal files copied by ``snapshot(to:)``, leaving the head record as it is.
    func restore(from folder: URL) throws {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
            let saved = folder.appendingPathComponent("journal.sqlite" + suffix).path
            if FileManager.default.fileExists(atPath: saved) { try FileManager.default.copyItem(atPath: saved, toPath: path + suffix) }
        }
    }

    /// The head record's path.
    var headPath: String { path + "-head" }
}

struct DamageError: Error {
    var reason: String
}

/// Where `pattern` starts in `bytes`.
func occurrences(of pattern: [UInt8], in bytes: [UInt8]) -> [Int] {
    guard let first = pattern.first, bytes.count >= pattern.count else { return [] }
    var found: [Int] = []
    var index = 0
    while index <= bytes.count - pattern.count {
        if bytes[index] == first && bytes[index..<(index + pattern.count)].elementsEqual(pattern) { found.append(index) }
        index += 1
    }
    return found
}
