internal import Foundation
internal import GRDB

extension KeyVault {
    /// The vault's tables. `data_keys.wrapped` is nonce (12) + ciphertext + tag (16) of the
    /// data key under the master key's wrapping key for its suite; `tombstones` records
    /// every shred (enterprise, the versions destroyed, when, why).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-vault") { db in
            try db.execute(
                sql: """
                    CREATE TABLE vault_meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE data_keys (
                        enterprise TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        suite INTEGER NOT NULL,
                        wrapped BLOB NOT NULL,
                        created_us INTEGER NOT NULL,
                        PRIMARY KEY (enterprise, version)
                    );
                    CREATE TABLE tombstones (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        enterprise TEXT NOT NULL,
                        versions TEXT NOT NULL,
                        max_version INTEGER NOT NULL,
                        shredded_us INTEGER NOT NULL,
                        reason TEXT NOT NULL
                    );
                    CREATE INDEX tombstones_by_enterprise ON tombstones (enterprise, max_version);
                    """)
        }
        return migrator
    }

    /// What a wrapped data key is bound to: its id and suite, so a wrapped key copied to
    /// another row does not unwrap.
    static func wrappingAssociatedData(id: DataKeyID, suite: CipherSuite) -> [UInt8] {
        var bytes = Array("swhub-vault-data-key-v1".utf8) + [suite.rawValue]
        bytes += withUnsafeBytes(of: id.version.bigEndian) { Array($0) }
        bytes += Array(id.enterprise.utf8)
        return bytes
    }

    /// `key` wrapped by `master`: nonce + ciphertext + tag.
    static func wrap(_ key: DataKey, master: MasterKey) throws(CryptoError) -> [UInt8] {
        let nonce = AEAD.randomNonce()
        let box = try AEAD.seal(
            suite: key.suite, key: try master.wrappingKey(for: key.suite), nonce: nonce, plaintext: key.bytes,
            associatedData: wrappingAssociatedData(id: key.id, suite: key.suite))
        return nonce + box.ciphertext + box.tag
    }

    /// The data key in a `data_keys` row.
    static func unwrap(row: Row, id: DataKeyID, master: MasterKey) throws(CryptoError) -> DataKey {
        guard let raw = UInt8(exactly: row["suite"] as Int64), let suite = CipherSuite(rawValue: raw) else {
            throw CryptoError(.vaultFailure, "data key \(id) has an unknown suite")
        }
        let wrapped = Array(row["wrapped"] as Data)
        let nonceCount = CipherSuite.nonceByteCount
        let tagCount = CipherSuite.tagByteCount
        guard wrapped.count == nonceCount + suite.keyByteCount + tagCount else {
            throw CryptoError(.vaultFailure, "data key \(id) is damaged (\(wrapped.count) bytes)")
        }
        let box = AEAD.Box(ciphertext: Array(wrapped[nonceCount..<(wrapped.count - tagCount)]), tag: Array(wrapped.suffix(tagCount)))
        let bytes: [UInt8]
        do {
            bytes = try AEAD.open(
                suite: suite, key: try master.wrappingKey(for: suite), nonce: Array(wrapped.prefix(nonceCount)), box: box,
                associatedData: wrappingAssociatedData(id: id, suite: suite))
        } catch {
            throw CryptoError(
                .masterKeyMismatch,
                "data key \(id) does not unwrap with master key \(master.fingerprint): another master key, or a damaged vault")
        }
        return try DataKey(id: id, suite: suite, bytes: bytes)
    }
}
