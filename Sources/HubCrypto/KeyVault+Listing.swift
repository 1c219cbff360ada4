internal import Foundation
internal import GRDB

extension KeyVault {
    /// What the vault holds, without any key bytes: for `swhub keys list`.
    public struct Listing: Sendable, Equatable, Encodable {
        /// One data key version.
        public struct Version: Sendable, Equatable, Encodable {
            /// Whose key.
            public var enterprise: String
            /// Its version.
            public var version: UInt32
            /// `standard` or `sm`.
            public var suite: String
            /// `AES-256-GCM` or `SM4-GCM`.
            public var algorithm: String
            /// When it was made, microseconds since 1970 (UTC).
            public var createdUs: Int64
        }

        /// The fingerprint of the master key wrapping the keys.
        public var masterFingerprint: String
        /// Every data key version, by enterprise then version.
        public var keys: [Version]
        /// Every shred, oldest first.
        public var tombstones: [Tombstone]
    }

    /// What the vault holds (no key bytes).
    public func listing() throws(CryptoError) -> Listing {
        let fingerprint = masterFingerprint
        return try access("list its keys") { db in
            let keys = try Row.fetchAll(
                db, sql: "SELECT enterprise, version, suite, created_us FROM data_keys ORDER BY enterprise, version"
            )
            .map { row in
                let suite = UInt8(exactly: row["suite"] as Int64).flatMap(CipherSuite.init(rawValue:))
                return Listing.Version(
                    enterprise: row["enterprise"], version: UInt32(clamping: row["version"] as Int64), suite: suite?.name ?? "unknown",
                    algorithm: suite?.algorithm ?? "unknown", createdUs: row["created_us"])
            }
            let tombstones = try Row.fetchAll(
                db, sql: "SELECT enterprise, versions, max_version, shredded_us, reason FROM tombstones ORDER BY id"
            ).map { row in
                Tombstone(
                    enterprise: row["enterprise"], versions: (row["versions"] as String).split(separator: ",").compactMap { UInt32($0) },
                    maxVersion: UInt32(clamping: row["max_version"] as Int64), shreddedUs: row["shredded_us"], reason: row["reason"])
            }
            return Listing(masterFingerprint: fingerprint, keys: keys, tombstones: tombstones)
        }
    }
}

extension KeyVault {
    /// The fingerprint of the master key an existing vault records, read without changing
    /// the file; nil when there is no vault at `path` yet (or it has no key recorded).
    /// - Throws: ``CryptoError`` `vaultFailure` when the file is not a vault.
    public static func recordedMasterFingerprint(path: String) throws(CryptoError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration)
            return try database.read { db in
                guard try db.tableExists("vault_meta") else { return nil }
                return try String.fetchOne(db, sql: "SELECT value FROM vault_meta WHERE name = 'master_fingerprint'")
            }
        } catch {
            throw CryptoError(.vaultFailure, "\(path) cannot be read as a key vault: \(error)")
        }
    }
}
