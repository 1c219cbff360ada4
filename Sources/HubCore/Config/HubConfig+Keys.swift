import Foundation
import HubConfigKit

extension HubConfig {
    /// Where the keys protecting personal data at rest live (`keys:` in the config): the
    /// master key (a file or a command printing it) and the data-key vault. Parsed and
    /// checked now; the journal's field encryption will use it.
    public struct Keys: Sendable, Equatable {
        /// Where the master key comes from.
        public enum MasterKey: Sendable, Equatable {
            /// `keys.master_key_file`: a file (absolute once parsed) holding the key's line.
            case file(String)
            /// `keys.master_key_command`: a program and its arguments, run without a shell,
            /// printing the key's line.
            case command([String])
        }

        /// The master key's source.
        public var masterKey: MasterKey
        /// How long the master key command may run, seconds (`keys.master_key_timeout_s`).
        public var commandTimeoutSeconds: Int
        /// The vault file (absolute): `keys.vault`, or `keys.sqlite` beside the journal.
        public var vault: String

        /// Creates the settings.
        public init(masterKey: MasterKey, vault: String, commandTimeoutSeconds: Int = 30) {
            self.masterKey = masterKey
            self.vault = vault
            self.commandTimeoutSeconds = commandTimeoutSeconds
        }
    }

    /// `keys:` as written in the YAML.
    struct RawKeys: Decodable {
        var masterKeyFile: String?
        var masterKeyCommand: [String]?
        var masterKeyTimeoutS: Int?
        var vault: String?

        enum CodingKeys: String, CodingKey {
            case vault
            case masterKeyFile = "master_key_file"
            case masterKeyCommand = "master_key_command"
            case masterKeyTimeoutS = "master_key_timeout_s"
        }
    }

    /// The key settings a config names, nil without `keys:`. Exactly one of
    /// `master_key_file` and `master_key_command`; `vault` defaults to `keys.sqlite` in the
    /// journal's folder, and must be given with a PostgreSQL journal.
    static func parseKeys(_ raw: RawKeys?, store: Store, resolve: (String) -> String) throws -> Keys? {
        guard let raw else { return nil }
        let masterKey: Keys.MasterKey
        switch (raw.masterKeyFile, raw.masterKeyCommand) {
        case (.some, .some):
            throw ConfigError(.invalidValue, "keys: set keys.master_key_file or keys.master_key_command, not both")
        case (nil, nil):
            throw ConfigError(
                .invalidValue, "keys: keys.master_key_file (a key file, swhub keys init) or keys.master_key_command is required")
        case (let file?, nil):
            guard !file.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigError(.invalidValue, "keys.master_key_file is empty")
            }
            masterKey = .file(resolve(file))
        case (nil, let argv?):
            guard let program = argv.first else {
                throw ConfigError(.invalidValue, "keys.master_key_command is empty: give [program, arguments...] (run without a shell)")
            }
            guard !program.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigError(.invalidValue, "keys.master_key_command[0], the program, is empty")
            }
            masterKey = .command(argv)
        }
        let timeout = raw.masterKeyTimeoutS ?? 30
        guard (1...600).contains(timeout) else {
            throw ConfigError(.invalidValue, "keys.master_key_timeout_s = \(timeout) is outside 1...600")
        }
        if raw.masterKeyTimeoutS != nil, raw.masterKeyCommand == nil {
            throw ConfigError(.invalidValue, "keys.master_key_timeout_s applies to keys.master_key_command only")
        }
        let vault: String
        if let path = raw.vault {
            guard !path.trimmingCharacters(in: .whitespaces).isEmpty else { throw ConfigError(.invalidValue, "keys.vault is empty") }
            vault = resolve(path)
        } else if case .sqlite(let journal) = store, !journal.isEmpty {
            vault = URL(fileURLWithPath: journal).deletingLastPathComponent().appendingPathComponent("keys.sqlite").path
        } else {
            throw ConfigError(.invalidValue, "keys.vault is required with a PostgreSQL journal (no journal file to put keys.sqlite beside)")
        }
        if case .sqlite(let journal) = store {
            for (name, path) in [("the journal", journal), ("the journal's WAL", journal + "-wal")] where vault == path {
                throw ConfigError(.invalidValue, "keys.vault \(vault) is \(name): the keys are kept apart from the journal")
            }
        }
        if case .file(let file) = masterKey, file == vault {
            throw ConfigError(.invalidValue, "keys.master_key_file and keys.vault are one file (\(vault))")
        }
        return Keys(masterKey: masterKey, vault: vault, commandTimeoutSeconds: timeout)
    }
}
