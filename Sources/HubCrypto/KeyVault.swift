internal import Foundation
internal import GRDB
internal import Synchronization

/// The data-key vault: every enterprise's data keys (versioned), each wrapped (AEAD) by the
/// master key, in a SQLite file of their own (default `keys.sqlite` beside the journal).
///
/// The vault is kept apart from the journal on purpose: journal backups and archives never
/// hold a key, so destroying an enterprise's keys here (``shred(enterprise:reason:)``)
/// makes its sealed fields unreadable in the live journal, its archives and its backups
/// alike. It follows that **the vault must be backed up on its own** (a lost vault is every
/// sealed field lost), and that restoring an old vault backup would bring shredded keys
/// back: every shred is therefore also appended to the shred log beside the vault
/// (``shredLogPath``), and opening a vault applies that log again. Keep the shred log with
/// the vault, never restore an older copy of it.
///
/// Keys are made on first use (``currentKey(enterprise:suite:)``) and kept unwrapped in
/// memory once read. ``rotateMaster(to:)`` rewraps them all under a new master key in one
/// transaction, without touching the journal. SQLite's `secure_delete` is on, and a shred or
/// a rotation ends with a WAL checkpoint (TRUNCATE) and a VACUUM, so no copy of a destroyed
/// or formerly wrapped key stays in the file or its WAL.
public final class KeyVault: Sendable {
    /// The vault file.
    public let path: String
    /// The append-only shred log beside the vault (``path`` + `.shred-log`).
    public var shredLogPath: String { Self.shredLogPath(vault: path) }

    let database: DatabaseQueue
    let state: Mutex<State>

    /// What the vault keeps in memory: the master key, and data keys already unwrapped.
    struct State {
        var master: MasterKey
        var keys: [DataKeyID: DataKey] = [:]
        /// The current key of each enterprise and suite.
        var current: [CurrentKey: DataKeyID] = [:]
        /// The shred log's size when last applied, and when it was last looked at.
        var shredLogSize: Int64 = -1
        var shredLogCheckedAt: ContinuousClock.Instant?
        /// How many times a grown shred log was applied since the vault was opened.
        var shredLogGrowths = 0
    }

    struct CurrentKey: Hashable {
        var enterprise: String
        var suite: CipherSuite
    }

    /// The vault's default place: `keys.sqlite` in the journal's folder.
    public static func defaultPath(journal: String) -> String {
        URL(fileURLWithPath: journal).deletingLastPathComponent().appendingPathComponent("keys.sqlite").path
    }

    /// The shred log of the vault at `vault`.
    public static func shredLogPath(vault: String) -> String { vault + ".shred-log" }

    /// Opens the vault at `path` (made, mode 0600, if missing) with `masterKey`, and applies
    /// its shred log again.
    /// - Throws: ``CryptoError`` `masterKeyMismatch` when the vault's keys were wrapped by
    ///   another master key (both fingerprints named); `vaultFailure` when the file cannot
    ///   be opened, is not a vault, or its shred log is damaged.
    public init(path: String, masterKey: MasterKey) throws(CryptoError) {
        self.path = path
        try createPrivateFile(path)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Deleted and overwritten content is zeroed, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Every commit synced (a data key must be on the disk before anything is sealed
            // with it), whatever default the SQLite build has.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(10)
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try database.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            }
            // A copy of the journal given as the vault would get the vault's tables beside its messages.
            if try database.read({ try $0.tableExists("messages") && $0.tableExists("journal_meta") }) {
                throw CryptoError(.vaultFailure, "key vault \(path) is a hub journal, not a key vault: keys.vault names another file")
            }
            try Self.migrator.migrate(database)
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.vaultFailure, "key vault \(path) cannot be opened: \(error)")
        }
        id = try Self.recordedId(database, path: path)
        state = Mutex(State(master: masterKey))
        try checkMaster(masterKey)
        try reapplyShredLog()
    }

    /// The vault's identity: a random value recorded when the vault is made (or first opened
    /// by a version that records it), kept by copies and backups of the file. A journal
    /// records the vault its personal fields are sealed with, so that a hub given another
    /// vault (one made anew after the file was lost or emptied) refuses to start instead of
    /// sealing under keys that collide with the lost ones.
    public let id: String

    private static func recordedId(_ database: DatabaseQueue, path: String) throws(CryptoError) -> String {
        do {
            return try database.write { db in
                if let recorded = try String.fetchOne(db, sql: "SELECT value FROM vault_meta WHERE name = 'vault_id'") { return recorded }
                let made = UUID().uuidString.lowercased()
                try db.execute(sql: "INSERT INTO vault_meta (name, value) VALUES ('vault_id', ?)", arguments: [made])
                return made
            }
        } catch {
            throw CryptoError(.vaultFailure, "key vault \(path): its id cannot be read or recorded: \(error)")
        }
    }

    /// The fingerprint of the master key that wraps the vault's keys.
    public var masterFingerprint: String { state.withLock { $0.master.fingerprint } }

    /// The enterprise's current data key for `suite`, made (and wrapped, and stored) on
    /// first use: a new version after a shred, or when the newest version is of another suite.
    public func currentKey(enterprise: String, suite: CipherSuite) throws(CryptoError) -> DataKey {
        try noticeShreds()
        let wanted = CurrentKey(enterprise: enterprise, suite: suite)
        if let key = state.withLock({ state in state.current[wanted].flatMap { state.keys[$0] } }) {
            return key
        }
        guard DataKeyID.isValid(enterprise: enterprise) else {
            throw CryptoError(.invalidKey, "an enterprise id of a data key is 1-255 bytes with no control characters")
        }
        let master = state.withLock { $0.master }
        let key: DataKey = try access("make a data key for \(enterprise)") { db in
            let shredded =
                try Int64.fetchOne(db, sql: "SELECT MAX(max_version) FROM tombstones WHERE enterprise = ?", arguments: [enterprise]) ?? 0
            let newest = try Row.fetchOne(
                db, sql: "SELECT version, suite, wrapped FROM data_keys WHERE enterprise = ? AND version > ? ORDER BY version DESC LIMIT 1",
                arguments: [enterprise, shredded])
            if let newest, let raw = UInt8(exactly: newest["suite"] as Int64), raw == suite.rawValue {
                return try Self.unwrap(
                    row: newest, id: DataKeyID(enterprise: enterprise, version: UInt32(clamping: newest["version"] as Int64)),
                    master: master)
            }
            // A rotation by another process (swhub keys rotate beside a running hub): a key
            // wrapped by the master key this process started with would not open later.
            if let recorded = try String.fetchOne(db, sql: "SELECT value FROM vault_meta WHERE name = 'master_fingerprint'"),
                recorded != master.fingerprint
            {
                throw CryptoError(
                    .masterKeyMismatch,
                    "key vault \(path) was rewrapped under master key \(recorded) while this process runs with \(master.fingerprint): restart it with the new master key"
                )
            }
            let highest =
                try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM data_keys WHERE enterprise = ?", arguments: [enterprise]) ?? 0
            let version = max(highest, shredded) + 1
            guard let next = UInt32(exactly: version) else {
                throw CryptoError(.vaultFailure, "enterprise \(enterprise) has no data key version left")
            }
            let key = try DataKey.random(id: DataKeyID(enterprise: enterprise, version: next), suite: suite)
            try db.execute(
                sql: "INSERT INTO data_keys (enterprise, version, suite, wrapped, created_us) VALUES (?, ?, ?, ?, ?)",
                arguments: [enterprise, version, Int64(suite.rawValue), Data(try Self.wrap(key, master: master)), Self.nowUs()])
            return key
        }
        state.withLock { state in
            state.keys[key.id] = key
            state.current[wanted] = key.id
        }
        return key
    }

    /// The data key `id`, for opening values it sealed.
    /// - Throws: ``CryptoError`` `keyShredded` when it was destroyed, `keyNotFound` when
    ///   the vault never had it, `masterKeyMismatch`/`vaultFailure` when it does not unwrap.
    public func key(_ id: DataKeyID) throws(CryptoError) -> DataKey {
        try noticeShreds()
        if let key = state.withLock({ $0.keys[id] }) { return key }
        let master = state.withLock { $0.master }
        let key: DataKey = try access("read data key \(id)") { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT version, suite, wrapped FROM data_keys WHERE enterprise = ? AND version = ?",
                arguments: [id.enterprise, Int64(id.version)])
            {
                return try Self.unwrap(row: row, id: id, master: master)
            }
            let shredded = try Int64.fetchOne(
                db, sql: "SELECT COUNT(*) FROM tombstones WHERE enterprise = ? AND max_version >= ?",
                arguments: [id.enterprise, Int64(id.version)])
            if (shredded ?? 0) > 0 {
                throw CryptoError(.keyShredded, "data key \(id) was shredded: the values it sealed are gone for good")
            }
            throw CryptoError(.keyNotFound, "data key \(id) is not in key vault \(path)")
        }
        state.withLock { $0.keys[id] = key }
        return key
    }

    /// Seals a field value with the enterprise's current key for `suite`.
    /// - Parameters:
    ///   - plaintext: the value.
    ///   - enterprise: whose personal data it is.
    ///   - suite: the algorithm (`crypto:` in the config).
    ///   - associatedData: where the value lives (``FieldSealer/associatedData(messageID:fieldPath:)``).
    public func seal(_ plaintext: [UInt8], enterprise: String, suite: CipherSuite, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try FieldSealer.seal(plaintext, with: try currentKey(enterprise: enterprise, suite: suite), associatedData: associatedData)
    }

    /// Opens a sealed field value with the key it names.
    /// - Throws: ``CryptoError``: `keyShredded` when its key was destroyed (show a marker),
    ///   `authenticationFailed` for damaged bytes or the wrong associated data, and the
    ///   errors of ``key(_:)`` and ``SealedValue/init(bytes:)``.
    public func open(_ sealed: some Collection<UInt8>, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        let value = try SealedValue(bytes: sealed)
        return try FieldSealer.open(value, with: try key(value.keyID), associatedData: associatedData)
    }

    /// Runs `body` in a write transaction; errors other than ``CryptoError`` become `vaultFailure`.
    func access<T>(_ what: String, _ body: (Database) throws -> T) throws(CryptoError) -> T {
        do {
            return try database.write(body)
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.vaultFailure, "key vault \(path): cannot \(what): \(error)")
        }
    }

    /// The master key must be the one the vault records (a new vault records it).
    private func checkMaster(_ master: MasterKey) throws(CryptoError) {
        let fingerprint = master.fingerprint
        let recorded: String? = try access("read its master key fingerprint") { db in
            if let recorded = try String.fetchOne(db, sql: "SELECT value FROM vault_meta WHERE name = 'master_fingerprint'") {
                return recorded
            }
            try db.execute(sql: "INSERT INTO vault_meta (name, value) VALUES ('master_fingerprint', ?)", arguments: [fingerprint])
            return nil
        }
        if let recorded, recorded != fingerprint {
            throw CryptoError(
                .masterKeyMismatch,
                "key vault \(path) is wrapped by master key \(recorded); the master key given is \(fingerprint) (a wrong key file or command, or a rotation not finished)"
            )
        }
    }

    static func nowUs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}

/// Makes `path` with mode 0600 if it does not exist, so the vault (and the WAL SQLite gives
/// the same mode) is never readable by others.
private func createPrivateFile(_ path: String) throws(CryptoError) {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
        throw CryptoError(.vaultFailure, "cannot open key vault \(path): \(String(cString: strerror(errno)))")
    }
    close(descriptor)
}
