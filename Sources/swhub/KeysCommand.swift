import ArgumentParser
import Foundation
import HubConfigKit
import HubCore
import HubCrypto

/// `swhub keys`: the master key and the data-key vault protecting personal data at rest
/// (README, "Personal data at rest"): make a master key file, rotate the master key
/// (rewrapping every data key, the journal untouched), shred an enterprise's keys, list
/// what the vault holds. No key bytes are ever printed.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the master key and the data-key vault (personal data at rest).",
        subcommands: [KeysInit.self, KeysRotate.self, KeysShred.self, KeysList.self])
}

/// Which vault and master key a `swhub keys` command works on: the `keys:` section of a hub
/// config, or a vault file and a master key file named directly.
struct KeysLocation: ParsableArguments {
    @Option(help: "The hub's config file; its keys: section names the master key and the vault.")
    var config: String?

    @Option(help: "The vault file (instead of --config; with --master-key-file).")
    var vault: String?

    @Option(help: "The master key file (instead of --config; with --vault).")
    var masterKeyFile: String?

    /// The vault's path and the master key's source.
    func resolve() throws -> (vault: String, master: MasterKeySource) {
        switch (config, vault, masterKeyFile) {
        case (let config?, nil, nil):
            guard let keys = try HubConfig.load(path: config).keys else {
                throw ConfigError(.invalidValue, "\(config) has no keys: section (keys: {master_key_file: ..., vault: ...})")
            }
            return (keys.vault, keys.masterKeySource)
        case (nil, let vault?, let file?):
            return (vault, .file(path: file))
        default:
            throw ValidationError("give --config FILE, or --vault FILE with --master-key-file FILE")
        }
    }

    /// Opens the vault with the master key; with `existing`, only a vault file that is
    /// there (a mistyped path must not read as an empty vault, nor be rewrapped as one).
    func open(existing: Bool = false) throws -> KeyVault {
        let (vault, master) = try resolve()
        if existing { try Self.requireExisting(vault) }
        return try KeyVault(path: vault, masterKey: try master.load())
    }

    /// Refuses a vault path with no file (exit 78): `list` and `rotate` work on a vault that
    /// exists; the hub makes it at its first start with `keys:`, `shred` records a tombstone
    /// in a new one.
    static func requireExisting(_ vault: String) throws {
        guard FileManager.default.fileExists(atPath: vault) else {
            throw CommandFailure(
                .configuration,
                "no vault at \(vault): the hub makes it at its first start with keys:; check the path (nothing was created)")
        }
    }
}

/// `swhub keys init --master-key-file F`: a new random master key in a new file (0600).
struct KeysInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a new master key file (mode 0600); an existing file is never overwritten.")

    @Option(help: "The file to write.")
    var masterKeyFile: String

    func run() async throws {
        let key = MasterKey.random()
        try MasterKeySource.writeKeyFile(key, to: masterKeyFile)
        Output.line("wrote master key \(key.fingerprint) to \(masterKeyFile) (mode 0600)")
        Output.line("keep a copy of it apart from the journal's backups: without it, no sealed field can be read")
    }
}

/// `swhub keys rotate --new-master-key-file F`: rewraps every data key under the key in F
/// (made if F does not exist), in one transaction.
struct KeysRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Rewrap every data key under a new master key (the journal is not touched).",
        discussion: """
            The new master key is read from --new-master-key-file, which is written first (mode 0600) when it \
            does not exist. Then point keys.master_key_file at it. Run again after an interruption: a vault \
            already wrapped by the new key is left as it is.
            """)

    @OptionGroup var location: KeysLocation

    @Option(help: "The new master key's file (made if missing).")
    var newMasterKeyFile: String

    func run() async throws {
        let (vaultPath, current) = try location.resolve()
        try KeysLocation.requireExisting(vaultPath)
        if !FileManager.default.fileExists(atPath: newMasterKeyFile) {
            try MasterKeySource.writeKeyFile(MasterKey.random(), to: newMasterKeyFile)
            Output.line("wrote a new master key to \(newMasterKeyFile) (mode 0600)")
        }
        let newKey = try MasterKeySource.file(path: newMasterKeyFile).load()
        if try KeyVault.recordedMasterFingerprint(path: vaultPath) == newKey.fingerprint {
            Output.line("\(vaultPath) is already wrapped by master key \(newKey.fingerprint) (\(newMasterKeyFile)): nothing to do")
            return
        }
        let vault = try KeyVault(path: vaultPath, masterKey: try current.load())
        let old = vault.masterFingerprint
        let count = try vault.rotateMaster(to: newKey)
        Output.line("rewrapped \(count) data key(s) in \(vaultPath): master key \(old) -> \(newKey.fingerprint)")
        Output.line("next: set keys.master_key_file to \(newMasterKeyFile); the old master key no longer opens this vault")
    }
}

/// `swhub keys shred --enterprise ID --reason TEXT`: destroys every data key of an
/// enterprise so far; its sealed fields are unreadable from then on, backups included.
struct KeysShred: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shred", abstract: "Destroy every data key of an enterprise so far (crypto-shredding; cannot be undone).",
        discussion: """
            The tombstone (enterprise, versions, time, reason) is appended to the shred log beside the vault \
            (VAULT.shred-log) before the keys are deleted, and the vault applies that log again whenever it is \
            opened, so restoring an older vault backup does not bring the keys back. Keep the shred log with the vault.
            """)

    @OptionGroup var location: KeysLocation

    @Option(help: "The enterprise whose keys are destroyed.")
    var enterprise: String

    @Option(help: "Why (an erasure request, the end of retention); kept in the tombstone.")
    var reason: String

    func run() async throws {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("--reason must say why the keys are destroyed")
        }
        let vault = try location.open()
        let tombstone = try vault.shred(enterprise: enterprise, reason: reason)
        let versions = tombstone.versions.isEmpty ? "none held" : tombstone.versions.map(String.init).joined(separator: ", ")
        Output.line(
            "shredded the data keys of \(enterprise) (versions: \(versions); every version up to \(tombstone.maxVersion) is gone) in \(vault.path)"
        )
        Output.line("tombstone recorded in the vault and in \(vault.shredLogPath)")
    }
}

/// `swhub keys list`: enterprises, key versions, the master key's fingerprint, tombstones.
struct KeysList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the vault's enterprises, key versions, master key fingerprint and tombstones (never key bytes).")

    @OptionGroup var location: KeysLocation

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let vault = try location.open(existing: true)
        let listing = try vault.listing()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            Output.line(String(decoding: try encoder.encode(listing), as: UTF8.self))
            return
        }
        Output.line("vault \(vault.path)")
        Output.line("master key \(listing.masterFingerprint)")
        Output.line("data keys: \(listing.keys.count)")
        for key in listing.keys {
            Output.line("  \(key.enterprise)  version \(key.version)  \(key.algorithm)  made \(Self.time(key.createdUs))")
        }
        Output.line("tombstones: \(listing.tombstones.count)")
        for tombstone in listing.tombstones {
            let versions = tombstone.versions.isEmpty ? "none held" : tombstone.versions.map(String.init).joined(separator: ",")
            Output.line(
                "  \(tombstone.enterprise)  versions \(versions) (up to \(tombstone.maxVersion))  shredded \(Self.time(tombstone.shreddedUs))  reason: \(tombstone.reason)"
            )
        }
    }

    static func time(_ us: Int64) -> String {
        Date(timeIntervalSince1970: Double(us) / 1_000_000).formatted(.iso8601)
    }
}
