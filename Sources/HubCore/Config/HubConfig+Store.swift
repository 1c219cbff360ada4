import Foundation
import HubConfigKit

extension HubConfig {
    /// Where the journal is kept (`store:` in the config; absent: SQLite at `hub.journal`).
    public enum Store: Sendable, Equatable {
        /// One SQLite file: `hub.journal`. The default, for one machine.
        case sqlite(path: String)
        /// A PostgreSQL database, one server or a cluster of them (``PostgresStore``).
        case postgres(PostgresStore)

        /// The PostgreSQL settings, nil for SQLite.
        public var postgres: PostgresStore? {
            if case .postgres(let settings) = self { return settings }
            return nil
        }
    }

    /// A journal in PostgreSQL (`store: {kind: postgres, ...}`).
    public struct PostgresStore: Sendable, Equatable {
        /// One PostgreSQL server.
        public struct Host: Sendable, Equatable, CustomStringConvertible {
            /// Name or address.
            public var host: String
            /// TCP port.
            public var port: Int

            public init(host: String, port: Int) {
                self.host = host
                self.port = port
            }

            public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
        }

        /// How the connection to PostgreSQL is protected.
        public enum TLS: String, Sendable, Equatable, CaseIterable {
            /// Plain TCP (loopback, or a network the operator trusts).
            case disable
            /// TLS, the server's certificate checked against `ca_file` (or the system's
            /// roots) and its name against the host.
            case verifyFull = "verify-full"
        }

        /// The servers, in the order they are tried: the hub uses the first that accepts
        /// writes (the primary) and skips standbys, like libpq's
        /// `target_session_attrs=read-write`.
        public var hosts: [Host]
        /// The database holding the journal.
        public var database: String
        /// The role the hub logs in as.
        public var user: String
        /// A file holding the role's password (first line); nil: none (trust or peer auth).
        public var passwordFile: String?
        /// TLS to the servers.
        public var tls: TLS
        /// For `verify-full`: the CA certificates (PEM) the server's certificate must chain
        /// to; nil: the system's roots.
        public var caFile: String?
        /// How long one connection attempt to one host may take, milliseconds.
        public var connectTimeoutMs: Int
        /// How long one statement may take before the hub gives its connection up (a server
        /// gone without closing it; a commit waiting for a standby that is gone),
        /// milliseconds. A commit that times out is answered `303 JOURNAL_UNAVAILABLE`.
        public var queryTimeoutMs: Int

        public init(
            hosts: [Host], database: String, user: String, passwordFile: String? = nil, tls: TLS = .disable,
            caFile: String? = nil, connectTimeoutMs: Int = 5000, queryTimeoutMs: Int = 30_000
        ) {
            self.hosts = hosts
            self.database = database
            self.user = user
            self.passwordFile = passwordFile
            self.tls = tls
            self.caFile = caFile
            self.connectTimeoutMs = connectTimeoutMs
            self.queryTimeoutMs = queryTimeoutMs
        }

        /// The password from ``passwordFile`` (its first line), nil when none is configured.
        /// - Throws: ``ConfigError`` `unreadable` when the file cannot be read.
        public func password() throws -> String? {
            guard let passwordFile else { return nil }
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ConfigError(.unreadable, "store.password_file \(passwordFile) cannot be read")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
    }

    /// `store:` as written in the YAML.
    struct RawStore: Decodable {
        var kind: String
        var hosts: [String]?
        var database: String?
        var user: String?
        var passwordFile: String?
        var tls: String?
        var caFile: String?
        var connectTimeoutMs: Int?
        var queryTimeoutMs: Int?

        enum CodingKeys: String, CodingKey {
            case kind, hosts, database, user, tls
            case passwordFile = "password_file"
            case caFile = "ca_file"
            case connectTimeoutMs = "connect_timeout_ms"
            case queryTimeoutMs = "query_timeout_ms"
        }
    }

    /// The store a config names: `store:` if given, else SQLite at `hub.journal`.
    static func parseStore(_ raw: RawStore?, journal: String?, resolve: (String) -> String) throws -> Store {
        guard let raw, raw.kind != "sqlite" else {
            if let raw {
                let extra = [raw.hosts == nil, raw.database == nil, raw.user == nil, raw.passwordFile == nil, raw.tls == nil]
                guard !extra.contains(false) else {
                    throw ConfigError(.invalidValue, "store.kind sqlite takes no PostgreSQL settings (hosts, database, user, ...)")
                }
            }
            guard let journal, !journal.isEmpty else {
                throw ConfigError(.syntax, "hub.journal: missing: this key is required unless store.kind is postgres")
            }
            return .sqlite(path: resolve(journal))
        }
        guard raw.kind == "postgres" else {
            throw ConfigError(.invalidValue, "store.kind '\(raw.kind)' is not one of sqlite, postgres")
        }
        if let journal {
            throw ConfigError(.invalidValue, "hub.journal '\(journal)' is set but store.kind is postgres: remove one of them")
        }
        let texts = raw.hosts ?? []
        guard !texts.isEmpty else { throw ConfigError(.invalidValue, "store.hosts is missing: list the PostgreSQL servers (HOST:PORT)") }
        let hosts = try texts.map(Self.parseHost)
        guard let database = raw.database, !database.isEmpty else { throw ConfigError(.invalidValue, "store.database is missing") }
        guard let user = raw.user, !user.isEmpty else { throw ConfigError(.invalidValue, "store.user is missing") }
        let tlsName = raw.tls ?? "disable"
        guard let tls = PostgresStore.TLS(rawValue: tlsName) else {
            let known = PostgresStore.TLS.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigError(.invalidValue, "store.tls '\(tlsName)' is not one of \(known)")
        }
        if raw.caFile != nil && tls != .verifyFull {
            throw ConfigError(.invalidValue, "store.ca_file is set but store.tls is not verify-full")
        }
        let settings = PostgresStore(
            hosts: hosts, database: database, user: user, passwordFile: raw.passwordFile.map(resolve), tls: tls,
            caFile: raw.caFile.map(resolve), connectTimeoutMs: raw.connectTimeoutMs ?? 5000,
            queryTimeoutMs: raw.queryTimeoutMs ?? 30_000)
        guard (100...600_000).contains(settings.connectTimeoutMs) else {
            throw ConfigError(.invalidValue, "store.connect_timeout_ms = \(settings.connectTimeoutMs) is outside 100...600000")
        }
        guard (1000...3_600_000).contains(settings.queryTimeoutMs) else {
            throw ConfigError(.invalidValue, "store.query_timeout_ms = \(settings.queryTimeoutMs) is outside 1000...3600000")
        }
        return .postgres(settings)
    }

    /// `HOST:PORT` (or `[IPv6]:PORT`); the port may be left out for 5432.
    static func parseHost(_ text: String) throws -> PostgresStore.Host {
        let bad = ConfigError(.invalidValue, "store.hosts entry '\(text)' is not HOST:PORT")
        var host = Substring(text)
        var port = 5432
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw bad }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { throw bad }
                port = value
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { throw bad }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), (1...65535).contains(port) else { throw bad }
        return PostgresStore.Host(host: String(host), port: port)
    }
}
