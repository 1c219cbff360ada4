import Foundation
import HubConfigKit
import HubProtocol
import Yams

/// The hub's configuration: its own settings, the message types it accepts, and the parties
/// with their CURVE public keys and type subscriptions. Parsed from YAML (`Deploy/hub.yaml`).
public struct HubConfig: Sendable, Equatable {
    /// Settings of the hub process itself.
    public struct Settings: Sendable, Equatable {
        /// ROUTER bind endpoint, e.g. `tcp://127.0.0.1:5570`.
        public var endpoint: String
        /// Path of the hub's key pair file (public and secret key).
        public var keyFile: String
        /// Path of the SQLite journal (`hub.journal`); empty when the journal is in
        /// PostgreSQL (see ``HubConfig/store``).
        public var journal: String
        /// Largest accepted body, bytes.
        public var maxBodyBytes: Int
        /// Credit granted to a session that asks for none or for more.
        public var defaultCredit: Int
        /// Heartbeat interval clients must keep, milliseconds.
        public var heartbeatMs: Int
        /// Submissions waiting for the journal before new ones get HUB_BUSY.
        public var maxPending: Int
        /// Most messages in one group commit.
        public var commitBatchMax: Int
        /// Bytes of the messages journaled last that the router keeps in memory, so that a
        /// receiving session that fell behind catches up from there instead of from the
        /// journal (`hub.recent_delivery_bytes`); 0 reads every catch-up from the journal.
        public var recentDeliveryBytes = 32 << 20
        /// Whether the hub serves its journal read-only (`swhub serve --salvage`; never read
        /// from the config file): deliveries and replays go on, every SUBMIT is refused with
        /// READ_ONLY, acknowledgements are kept in memory only, the flows are off.
        public var readOnly = false
        /// This hub node's name in a cluster sharing a PostgreSQL journal (`hub.node`),
        /// unique among the nodes; nil: ``nodeName`` makes one of the host name and the
        /// endpoint's port.
        public var node: String?

        /// The node's name: `hub.node`, or `HOSTNAME:PORT`.
        public var nodeName: String {
            if let node { return node }
            let port = endpoint.split(separator: ":").last.map(String.init) ?? endpoint
            return "\(ProcessInfo.processInfo.hostName):\(port)"
        }
    }

    /// A party: a department, an enterprise or a platform, known by its public key.
    public struct Party: Sendable, Equatable {
        /// The party id, `[A-Za-z0-9._-]{1,64}`.
        public var id: String
        /// The party's CURVE public keys, Z85 (40 characters each): one, or two while its
        /// key is being rotated (both authenticate as the party; README "Rotating keys").
        public var publicKeys: [String]
        /// The party's first public key.
        public var publicKey: String { publicKeys.first ?? "" }
        /// Types delivered to this party whoever sends them.
        public var subscribes: [String]
        /// Field-level visibility: for each typed message type, the fields (dotted paths as
        /// the schema names them) removed from every body delivered to this party.
        public var hidden: [String: [String]] = [:]
        /// What the party is: departments and enterprise roles.
        public var roles: [PartyRole] = []
        /// For a bank: the bank codes (联行号 / BIC) it answers for; a registration naming
        /// one of them in its bank accounts is shared with this party.
        public var bankCodes: [String] = []
        /// The parties whose streams this party may replay and see on the tap as an
        /// auditor (`"*"`: every party). Empty: only its own.
        public var audits: [String] = []
        /// Whether the streams it audits come with bodies (redacted by its `hide` and the
        /// audited party's); false: headers only.
        public var auditBodies = true
    }

    /// The monitoring tap: a CURVE PUB socket carrying a copy of the traffic.
    public struct Tap: Sendable, Equatable {
        /// Bind endpoint, e.g. `tcp://127.0.0.1:5571`.
        public var endpoint: String
        /// The tap socket's own key pair file.
        public var keyFile: String
        /// Copies queued per subscriber before further ones are dropped (and counted).
        public var queue: Int

        public init(endpoint: String, keyFile: String, queue: Int = 10_000) {
            self.endpoint = endpoint
            self.keyFile = keyFile
            self.queue = queue
        }
    }

    /// The HTTP side: Prometheus `/metrics` and the web monitor.
    public struct Monitor: Sendable, Equatable {
        /// Address to listen on.
        public var host: String
        /// TCP port (0: any free port).
        public var port: Int
        /// The file holding the bearer token every request must present (resolved against
        /// the config's directory); nil only on a loopback address.
        public var tokenFile: String?

        public init(host: String, port: Int, tokenFile: String? = nil) {
            self.host = host
            self.port = port
            self.tokenFile = tokenFile
        }

        /// Whether `host` is reachable only from this machine (127.0.0.0/8, ::1, localhost).
        public static func isLoopback(_ host: String) -> Bool {
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
            let ipv4Loopback = octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
            return bare == "localhost" || bare == "::1" || ipv4Loopback
        }
    }

    /// The party id the hub uses for the messages its flows emit; no configured party may take it.
    public static let hubParty = "hub"

    /// The hub message types of the flows and their messages, declared automatically when
    /// flows are on.
    public static let flowTypes: [String: String] = Dictionary(
        uniqueKeysWithValues: MessageType.known.compactMap { type in type.bodyMessage.map { (type.rawValue, $0.protoMessageName) } })

    /// The flows' settings, or nil when the hub only routes.
    public var flows: Flows?
    /// The PostgreSQL journal's settings (`store: {kind: postgres}`), nil for SQLite.
    public var postgres: PostgresStore?
    /// Where the journal is kept: PostgreSQL when ``postgres`` is set, else SQLite at
    /// ``Settings/journal``.
    public var store: Store { postgres.map(Store.postgres) ?? .sqlite(path: settings.journal) }
    /// Archiving and retention (`archive:`, `retention:`), nil when the journal keeps every
    /// record live forever.
    public var archive: Archive?
    /// The master key and the data-key vault for personal data at rest (`keys:`), nil
    /// without that section.
    public var keys: Keys?
    /// The fields of typed messages that hold personal data (`personal_data:`, with built-in
    /// defaults for the business messages).
    public var personalData = PersonalData()
    /// The algorithm suite (`crypto:`, ``CryptoSuite``): a journal created by this config
    /// records it; an existing journal's must be the same.
    public var crypto = CryptoSuite.standard
    /// Trade statistics' settings (`statistics:`): CNY rates, the cache's file.
    public var statistics = Statistics()
    /// The risk rules (`risk:`, ``RiskSettings``); none run without that section.
    public var risk = RiskSettings()
    /// The monitoring tap, or nil when there is none.
    public var tap: Tap?
    /// The HTTP monitor, or nil when there is none.
    public var monitor: Monitor?

    /// The parties that have `role`, in file order.
    public func parties(withRole role: PartyRole) -> [Party] {
        parties.filter { $0.roles.contains(role) }
    }

    public var settings: Settings
    /// Every message type the hub accepts.
    public var types: Set<String>
    /// For typed message types, the protobuf message of the body (`"swhub.v1.Order"`).
    /// Bodies of these types are checked to be well-formed protobuf on submission and can
    /// have fields hidden per party; other types' bodies are opaque.
    public var typeMessages: [String: String] = [:]
    /// The parties, in file order.
    public var parties: [Party]

    /// Parties by id.
    public func party(_ id: String) -> Party? { parties.first { $0.id == id } }

    /// Reads and validates a config file; relative paths inside it are resolved against the
    /// file's directory, and parties' `key_file`s are read to get their public keys.
    public static func load(path: String) throws -> HubConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(.unreadable, "cannot read config file \(path)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(yaml: text, baseDirectory: base, file: path) { file in
            guard let content = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigError(.badKey, "cannot read key file \(file)")
            }
            return content
        }
    }

    /// Parses and validates config YAML.
    /// - Parameters:
    ///   - yaml: the document.
    ///   - baseDirectory: directory that relative paths are resolved against.
    ///   - readFile: reads a key file named by the config (injected so tests need no disk).
    ///   - file: names the document in errors (its path).
    public static func parse(
        yaml: String, baseDirectory: String, file: String = "hub config", readFile: (String) throws -> String
    ) throws -> HubConfig {
        // Strict: an unknown key (a misspelt `hide`) is refused with its place, never ignored.
        let raw = try StrictYAMLDecoder().decode(RawConfig.self, from: yaml, file: file)
        let resolve = { (path: String) in Self.resolve(path, against: baseDirectory) }
        let hub = raw.hub
        let store = try parseStore(raw.store, journal: hub.journal, resolve: resolve)
        let settings = Settings(
            endpoint: hub.endpoint,
            keyFile: resolve(hub.keyFile),
            journal: hub.journal.map(resolve) ?? "",
            maxBodyBytes: hub.maxBodyBytes ?? 1_048_576,
            defaultCredit: hub.defaultCredit ?? 1000,
            heartbeatMs: hub.heartbeatMs ?? 2000,
            maxPending: hub.maxPending ?? 50_000,
            commitBatchMax: hub.commitBatchMax ?? 1000,
            recentDeliveryBytes: hub.recentDeliveryBytes ?? 32 << 20,
            node: hub.node
        )
        try settings.validate()

        var types = Set<String>()
        var typeMessages: [String: String] = [:]
        var flows: Flows?
        if let rawFlows = raw.flows { flows = try Flows(parsing: rawFlows) }
        for rawType in raw.types {
            let type = rawType.name
            guard Self.isValidName(type, max: 128) else {
                throw ConfigError(.invalidValue, "type '\(type)' is not a valid type name ([A-Za-z0-9._-], 1-128)")
            }
            guard types.insert(type).inserted else { throw ConfigError(.duplicate, "type '\(type)' is declared twice") }
            if let message = rawType.message {
                guard try schema().knows(message: message) else {
                    throw ConfigError(.unknownReference, "type '\(type)': message '\(message)' is not in Schemas/*.proto")
                }
                typeMessages[type] = message
            }
        }

        if flows != nil {
            for (type, message) in flowTypes {
                if let declared = typeMessages[type], declared != message {
                    throw ConfigError(.invalidValue, "type '\(type)' is a flow type with message \(message), declared here as \(declared)")
                }
                types.insert(type)
                typeMessages[type] = message
            }
        }

        var parties: [Party] = []
        var seenKeys: [String: String] = [:]
        for rawParty in raw.parties {
            guard Self.isValidName(rawParty.id, max: 64) else {
                throw ConfigError(.invalidValue, "party id '\(rawParty.id)' is not valid ([A-Za-z0-9._-], 1-64)")
            }
            guard rawParty.id != hubParty else {
                throw ConfigError(.invalidValue, "party id '\(hubParty)' is reserved for the hub's own flow messages")
            }
            guard !parties.contains(where: { $0.id == rawParty.id }) else {
                throw ConfigError(.duplicate, "party '\(rawParty.id)' is declared twice")
            }
            let keys = try partyKeys(rawParty, resolve: resolve, readFile: readFile)
            for key in keys {
                if let other = seenKeys[key] {
                    throw ConfigError(
                        .duplicate,
                        other == rawParty.id
                            ? "party '\(other)' lists one public key twice" : "parties '\(other)' and '\(rawParty.id)' share one public key"
                    )
                }
                seenKeys[key] = rawParty.id
            }
            let subscribes = rawParty.subscribes ?? []
            for type in subscribes where !types.contains(type) {
                throw ConfigError(.unknownReference, "party '\(rawParty.id)' subscribes to undeclared type '\(type)'")
            }
            var hidden: [String: [String]] = [:]
            for (type, fields) in rawParty.hide ?? [:] {
                guard types.contains(type) else {
                    throw ConfigError(.unknownReference, "party '\(rawParty.id)' hides fields of undeclared type '\(type)'")
                }
                guard let message = typeMessages[type] else {
                    throw ConfigError(
                        .invalidValue, "party '\(rawParty.id)' hides fields of '\(type)', whose body is opaque: declare it with a message")
                }
                for field in fields {
                    do {
                        _ = try schema().resolve(field, in: message)
                    } catch let error as ConfigError {
                        throw ConfigError(error.code, "party '\(rawParty.id)', type '\(type)': \(error.reason)")
                    }
                }
                hidden[type] = fields
            }
            var roles: [PartyRole] = []
            for name in rawParty.roles ?? [] {
                guard let role = PartyRole(rawValue: name) else {
                    let known = PartyRole.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ConfigError(.invalidValue, "party '\(rawParty.id)' has unknown role '\(name)' (known: \(known))")
                }
                if !roles.contains(role) { roles.append(role) }
            }
            let bankCodes = rawParty.bankCodes ?? []
            if !bankCodes.isEmpty && !roles.contains(.bank) {
                throw ConfigError(.invalidValue, "party '\(rawParty.id)' has bank_codes but not the role bank")
            }
            var party = Party(id: rawParty.id, publicKeys: keys, subscribes: subscribes, hidden: hidden, roles: roles)
            party.bankCodes = bankCodes
            if let audit = rawParty.audit {
                party.audits = audit.parties
                party.auditBodies = audit.bodies ?? true
            }
            parties.append(party)
        }
        if flows != nil, !parties.contains(where: { $0.roles.contains(.customs) }) {
            throw ConfigError(.unknownReference, "flows need a party with the role customs")
        }
        var config = HubConfig(settings: settings, types: types, parties: parties)
        config.postgres = store.postgres
        config.archive = try parseArchive(raw.archive, retention: raw.retention, store: store, resolve: resolve)
        config.keys = try parseKeys(raw.keys, store: store, resolve: resolve)
        config.statistics = try parseStatistics(raw.statistics, resolve: resolve)
        if let cache = config.statistics.cache {
            // The cache makes its own table in whatever file it is given: never the journal's or the vault's.
            var taken: [(String, String)] = []
            if case .sqlite(let journal) = store {
                taken += ["", "-wal", "-shm", "-head"].map { ("the journal's file", journal + $0) }
            }
            if let vault = config.keys?.vault { taken.append(("keys.vault", vault)) }
            for (name, path) in taken where path == cache {
                throw ConfigError(.invalidValue, "statistics.cache \(cache) is \(name): the cache is a file of its own")
            }
        }
        config.typeMessages = typeMessages
        config.personalData = try parsePersonalData(raw.personalData, typeMessages: typeMessages)
        config.flows = flows
        config.risk = try parseRisk(raw.risk, parties: parties, flowsOn: flows != nil)
        config.crypto = try CryptoSuite.parse(raw.crypto)
        for party in parties {
            for audited in party.audits where audited != "*" && !parties.contains(where: { $0.id == audited }) {
                throw ConfigError(.unknownReference, "party '\(party.id)' audits unknown party '\(audited)'")
            }
        }
        if let tap = raw.tap {
            guard tap.endpoint.contains("://") else {
                throw ConfigError(.invalidValue, "tap.endpoint '\(tap.endpoint)' is not a ZeroMQ endpoint (tcp://host:port)")
            }
            let queue = tap.queue ?? 10_000
            guard (1...10_000_000).contains(queue) else { throw ConfigError(.invalidValue, "tap.queue = \(queue) is outside 1...10000000") }
            config.tap = Tap(endpoint: tap.endpoint, keyFile: resolve(tap.keyFile), queue: queue)
        }
        if let monitor = raw.monitor {
            guard let colon = monitor.listen.lastIndex(of: ":"), let port = Int(monitor.listen[monitor.listen.index(after: colon)...]),
                (0...65535).contains(port), colon != monitor.listen.startIndex
            else {
                throw ConfigError(.invalidValue, "monitor.listen '\(monitor.listen)' is not HOST:PORT")
            }
            let host = String(monitor.listen[..<colon])
            guard monitor.tokenFile != nil || Monitor.isLoopback(host) else {
                throw ConfigError(
                    .invalidValue,
                    "monitor.listen '\(monitor.listen)' is reachable from other machines: set monitor.token_file (a file holding the bearer token)"
                )
            }
            config.monitor = Monitor(host: host, port: port, tokenFile: monitor.tokenFile.map(resolve))
        }
        return config
    }

    /// The schema of every generated message (`Schemas/*.proto`).
    public static func schema() throws -> MessageSchema {
        try parsedSchema.get()
    }

    private static let parsedSchema = Result { try MessageSchema(descriptorSet: SchemaDescriptors.set) }

    /// `[A-Za-z0-9._-]{1,max}`: the alphabet of party ids and type names.
    public static func isValidName(_ name: String, max: Int) -> Bool {
        !name.isEmpty && name.utf8.count <= max
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                    || c == 0x2E || c == 0x5F || c == 0x2D
            }
    }

    /// `path` itself if absolute, else `path` inside `base`, standardized.
    public static func resolve(_ path: String, against base: String) -> String {
        ConfigPath.resolve(path, against: base)
    }

}

extension HubConfig.Settings {
    func validate() throws {
        guard endpoint.contains("://") else {
            throw ConfigError(.invalidValue, "hub.endpoint '\(endpoint)' is not a ZeroMQ endpoint (tcp://host:port)")
        }
        let ranges: [(String, Int, ClosedRange<Int>)] = [
            ("hub.max_body_bytes", maxBodyBytes, 1...(256 << 20)),
            ("hub.default_credit", defaultCredit, 1...100_000),
            ("hub.heartbeat_ms", heartbeatMs, 100...600_000),
            ("hub.max_pending", maxPending, 1...10_000_000),
            ("hub.commit_batch_max", commitBatchMax, 1...100_000),
            ("hub.recent_delivery_bytes", recentDeliveryBytes, 0...(4 << 30)),
        ]
        for (key, value, range) in ranges where !range.contains(value) {
            throw ConfigError(.invalidValue, "\(key) = \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
    }
}

/// The YAML shape, before validation (also read by ``HubConfig/namedFiles(path:relativeTo:)``).
struct RawConfig: Decodable {
    struct Hub: Decodable {
        var endpoint: String
        var keyFile: String
        var journal: String?
        var maxBodyBytes: Int?
        var defaultCredit: Int?
        var heartbeatMs: Int?
        var maxPending: Int?
        var commitBatchMax: Int?
        var recentDeliveryBytes: Int?
        var node: String?

        enum CodingKeys: String, CodingKey {
            case endpoint, journal, node
            case keyFile = "key_file"
            case maxBodyBytes = "max_body_bytes"
            case defaultCredit = "default_credit"
            case heartbeatMs = "heartbeat_ms"
            case maxPending = "max_pending"
            case commitBatchMax = "commit_batch_max"
            case recentDeliveryBytes = "recent_delivery_bytes"
        }
    }

    struct Party: Decodable {
        var id: String
        var publicKey: StringOrList?
        var keyFile: StringOrList?
        var subscribes: [String]?
        var hide: [String: [String]]?
        var roles: [String]?
        var bankCodes: [String]?
        var audit: Audit?

        struct Audit: Decodable {
            var parties: [String]
            var bodies: Bool?
        }

        enum CodingKeys: String, CodingKey {
            case id, subscribes, hide, roles, audit
            case publicKey = "public_key"
            case keyFile = "key_file"
            case bankCodes = "bank_codes"
        }
    }

    /// A type: its name alone (opaque body), or `{name, message}` for a typed body.
    struct TypeEntry: Decodable {
        var name: String
        var message: String?

        private enum CodingKeys: String, CodingKey { case name, message }

        init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                self.name = name
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            message = try container.decodeIfPresent(String.self, forKey: .message)
        }
    }

    var hub: Hub
    var types: [TypeEntry]
    var parties: [Party]
    var flows: Flows?
    var tap: Tap?
    var monitor: Monitor?
    var store: HubConfig.RawStore?
    var archive: HubConfig.RawArchive?
    var retention: [String: String]?
    var keys: HubConfig.RawKeys?
    var personalData: HubConfig.RawPersonalData?
    var crypto: String?
    var statistics: HubConfig.RawStatistics?
    var risk: HubConfig.RawRisk?

    enum CodingKeys: String, CodingKey {
        case hub, types, parties, flows, tap, monitor, store, archive, retention, crypto, keys, statistics
        case risk
        case personalData = "personal_data"
    }

    struct Tap: Decodable {
        var endpoint: String
        var keyFile: String
        var queue: Int?

        enum CodingKeys: String, CodingKey {
            case endpoint, queue
            case keyFile = "key_file"
        }
    }

    struct Monitor: Decodable {
        var listen: String
        var tokenFile: String?

        enum CodingKeys: String, CodingKey {
            case listen
            case tokenFile = "token_file"
        }
    }
}
