/// A file or folder a configuration names, as an installer needs it: what it is, whose it
/// is, and its absolute path. `swhub config files` prints these; `Deploy/install.sh` reads
/// them instead of parsing YAML itself.
public struct NamedFile: Sendable, Equatable, Encodable {
    /// What the file is. The raw values are the first column of `swhub config files`.
    public enum Kind: String, Sendable, Equatable, Encodable {
        /// The hub's key pair (`hub.key_file`), secret.
        case hubKey = "hub_key"
        /// The SQLite journal (`hub.journal`).
        case journal
        /// The monitoring tap's key pair (`tap.key_file`), secret.
        case tapKey = "tap_key"
        /// The web monitor's bearer token (`monitor.token_file`), secret.
        case monitorToken = "monitor_token"
        /// A party's public key (`parties[].key_file`); the name is the party id.
        case partyKey = "party_key"
        /// A client's own key pair (`key_file`), secret; the name is its `party:` or `-`.
        case clientKey = "client_key"
        /// The hub's public key as a client names it (`hub_public_key_file`, or each of
        /// `hub_public_key_files`).
        case hubPublicKey = "hub_public_key"
        /// The tap's public key as a client names it (`tap_public_key_file`, or each of
        /// `tap_public_key_files`).
        case tapPublicKey = "tap_public_key"
        /// One of an adapter's exchange folders; the name is its key (`inbox`, `outbox`,
        /// `archive`, `errors`, `state`).
        case folder
        /// The master key file of the hub's personal data (`keys.master_key_file`).
        case masterKey = "master_key"
        /// The data-key vault (`keys.vault`, or `keys.sqlite` beside the journal).
        case vault
    }

    public var kind: Kind
    public var name: String
    public var path: String

    public init(_ kind: Kind, name: String, path: String) {
        self.kind = kind
        self.name = name
        self.path = path
    }

    /// `kind<TAB>name<TAB>path`: one line bash reads with `IFS=$'\t' read -r kind name path`.
    public var line: String { "\(kind.rawValue)\t\(name)\t\(path)" }
}
