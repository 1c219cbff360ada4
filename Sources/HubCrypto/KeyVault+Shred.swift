internal import Foundation
internal import GRDB
internal import Synchronization

extension KeyVault {
    /// Destroys every data key version of `enterprise` so far (crypto-shredding): the values
    /// they sealed are unreadable from then on, wherever they are (journal, archives,
    /// backups); opening one gives `keyShredded`. Later data of the enterprise gets a new
    /// key version.
    ///
    /// In order: the tombstone is appended to the shred log and synced; the keys are deleted
    /// and the tombstone recorded in one transaction; then a WAL checkpoint (TRUNCATE), a
    /// VACUUM and another checkpoint leave no copy of a wrapped key in the file or its WAL
    /// (`secure_delete` zeroes what is deleted).
    /// - Parameters:
    ///   - enterprise: whose keys.
    ///   - reason: why (kept in the tombstone).
    /// - Returns: the tombstone.
    /// - Throws: ``CryptoError`` `vaultFailure` when the log or the vault cannot be written,
    ///   or another process holds the vault so its WAL cannot be emptied (the keys are
    ///   deleted then, and another shred of the same enterprise empties it).
    @discardableResult
    public func shred(enterprise: String, reason: String) throws(CryptoError) -> Tombstone {
        guard DataKeyID.isValid(enterprise: enterprise) else {
            throw CryptoError(.invalidKey, "an enterprise id of a data key is 1-255 bytes with no control characters")
        }
        let (versions, shredded): ([UInt32], UInt32) = try access("list the keys of \(enterprise)") { db in
            let versions = try Int64.fetchAll(
                db, sql: "SELECT version FROM data_keys WHERE enterprise = ? ORDER BY version", arguments: [enterprise])
            let shredded =
                try Int64.fetchOne(db, sql: "SELECT MAX(max_version) FROM tombstones WHERE enterprise = ?", arguments: [enterprise]) ?? 0
            return (versions.compactMap { UInt32(exactly: $0) }, UInt32(clamping: shredded))
        }
        let tombstone = Tombstone(
            enterprise: enterprise, versions: versions, maxVersion: max(versions.last ?? 0, shredded), shreddedUs: Self.nowUs(),
            reason: reason)
        try ShredLog(path: shredLogPath).append(tombstone)
        try apply(tombstone, recordAlways: true)
        return tombstone
    }

    /// Applies the shred log again: keys it names that are back (a restored vault) are
    /// deleted again, and tombstones missing from the vault are recorded.
    func reapplyShredLog() throws(CryptoError) {
        let size = Self.fileSize(shredLogPath)
        for tombstone in try ShredLog(path: shredLogPath).read() {
            try apply(tombstone, recordAlways: false)
        }
        state.withLock { $0.shredLogSize = size }
    }

    /// A shred made by another process (`swhub keys shred` beside a running hub) reaches
    /// this one: at most once a second, when the shred log has grown, its tombstones are
    /// applied to the keys held in memory, so nothing more is sealed or opened with a
    /// destroyed key. Values sealed in that second with the enterprise's destroyed key
    /// are shredded with it.
    func noticeShreds() throws(CryptoError) {
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            if let last = state.shredLogCheckedAt, now - last < .seconds(1) { return false }
            state.shredLogCheckedAt = now
            return true
        }
        guard due, Self.fileSize(shredLogPath) != state.withLock({ $0.shredLogSize }) else { return }
        try reapplyShredLog()
        state.withLock { $0.shredLogGrowths += 1 }
    }

    /// How many times shreds made by another process reached this vault since it was opened
    /// (``noticeShreds()`` first, so at most a second late): a caller that keeps personal
    /// data it opened earlier drops it when the count changes. A shred log that cannot be
    /// read counts as a change.
    public func shredsNoticed() -> Int {
        do {
            try noticeShreds()
        } catch {
            return state.withLock { state in
                state.shredLogGrowths += 1
                return state.shredLogGrowths
            }
        }
        return state.withLock { $0.shredLogGrowths }
    }

    /// A file's size, -1 when it does not exist.
    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : -1
    }

    /// Deletes the keys `tombstone` covers and records it (when `recordAlways`, or when the
    /// vault has no tombstone of that enterprise up to its version yet), then scrubs the file.
    private func apply(_ tombstone: Tombstone, recordAlways: Bool) throws(CryptoError) {
        let changed: Bool = try access("shred the keys of \(tombstone.enterprise)") { db in
            try db.execute(
                sql: "DELETE FROM data_keys WHERE enterprise = ? AND version <= ?",
                arguments: [tombstone.enterprise, Int64(tombstone.maxVersion)])
            let deleted = db.changesCount
            let known =
                try Int64.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM tombstones WHERE enterprise = ? AND max_version >= ?",
                    arguments: [tombstone.enterprise, Int64(tombstone.maxVersion)]) ?? 0
            if recordAlways || known == 0 {
                try db.execute(
                    sql: "INSERT INTO tombstones (enterprise, versions, max_version, shredded_us, reason) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        tombstone.enterprise, tombstone.versions.map(String.init).joined(separator: ","), Int64(tombstone.maxVersion),
                        tombstone.shreddedUs, tombstone.reason,
                    ])
            }
            return deleted > 0 || recordAlways
        }
        state.withLock { state in
            state.keys = state.keys.filter { $0.key.enterprise != tombstone.enterprise || $0.key.version > tombstone.maxVersion }
            state.current = state.current.filter { $0.key.enterprise != tombstone.enterprise }
        }
        if changed { try scrub() }
    }

    /// Leaves no old page image in the file or its WAL: checkpoint (TRUNCATE), VACUUM,
    /// checkpoint (TRUNCATE) again.
    func scrub() throws(CryptoError) {
        do {
            try database.writeWithoutTransaction { db in
                try Self.checkpoint(db, path: path)
                try db.execute(sql: "VACUUM")
                try Self.checkpoint(db, path: path)
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.vaultFailure, "key vault \(path): cannot scrub the file after deleting keys: \(error)")
        }
    }

    private static func checkpoint(_ db: Database, path: String) throws {
        let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        if let row, (row[0] as Int64?) != 0 {
            throw CryptoError(
                .vaultFailure,
                "key vault \(path): another process holds the vault open, so its WAL could not be emptied; stop it and shred again")
        }
    }
}
