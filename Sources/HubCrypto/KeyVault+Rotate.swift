internal import Foundation
internal import GRDB
internal import Synchronization

extension KeyVault {
    /// Rewraps every data key under `newMaster` in one transaction and records its
    /// fingerprint; the journal is not touched (values stay sealed by the same data keys).
    /// The file is scrubbed afterwards so no key wrapped by the old master key remains.
    ///
    /// From then on the vault opens only with `newMaster`: point the config at it.
    /// - Returns: how many data keys were rewrapped.
    /// - Throws: ``CryptoError`` `masterKeyMismatch` when a key does not unwrap with the
    ///   current master key (nothing is changed then); `vaultFailure`.
    @discardableResult
    public func rotateMaster(to newMaster: MasterKey) throws(CryptoError) -> Int {
        let old = state.withLock { $0.master }
        let count: Int = try access("rewrap its data keys") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT enterprise, version, suite, wrapped FROM data_keys")
            for row in rows {
                guard let version = UInt32(exactly: row["version"] as Int64) else {
                    throw CryptoError(.vaultFailure, "a data key of \(row["enterprise"] as String) has version \(row["version"] as Int64)")
                }
                let id = DataKeyID(enterprise: row["enterprise"], version: version)
                let key = try Self.unwrap(row: row, id: id, master: old)
                try db.execute(
                    sql: "UPDATE data_keys SET wrapped = ? WHERE enterprise = ? AND version = ?",
                    arguments: [Data(try Self.wrap(key, master: newMaster)), id.enterprise, Int64(version)])
            }
            try db.execute(
                sql: "UPDATE vault_meta SET value = ? WHERE name = 'master_fingerprint'", arguments: [newMaster.fingerprint])
            return rows.count
        }
        state.withLock { $0.master = newMaster }
        try scrub()
        return count
    }
}
