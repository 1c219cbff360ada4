import Foundation

/// A client configuration file (`Deploy/client-*.yaml`) as read from disk, with the key
/// files it names read too: `hub_endpoint` (or `hub_endpoints`, a list of the nodes of a
/// hub cluster, all with the same hub key), `hub_public_key_file` (or `hub_public_key`; or,
/// while the hub's key is being rotated, `hub_public_key_files` / `hub_public_keys`: a list
/// of two, tried in turn),
/// `key_file` (the party's `NAME.key_secret`), optional `credit` and `party`, and for the
/// monitoring tap `tap_endpoint` with `tap_public_key_file` (or `tap_public_key`; or, while
/// the tap's key is being rotated, `tap_public_key_files` / `tap_public_keys`: a list of two).
/// Relative paths are resolved against the file's directory. Other keys (an adapter's
/// `adapter:` section) are left to whoever reads them.
public struct ClientConfigFile: Sendable, Equatable {
    /// The hub's ROUTER endpoints, at least one: `hub_endpoint`'s one, or `hub_endpoints`'
    /// list (the nodes of a hub cluster, all with the same hub key pair), in the file's order.
    /// A client connects to the first and fails over to the next when a node is lost.
    public var hubEndpoints: [String]
    /// The first of `hubEndpoints` (the only one with `hub_endpoint`); setting it makes it
    /// the only one.
    public var hubEndpoint: String {
        get { hubEndpoints.first ?? "" }
        set { hubEndpoints = [newValue] }
    }
    /// The hub's CURVE public keys (Z85), at least one: the hub's key, or while it is being
    /// rotated its current and next key, tried in turn when a handshake fails.
    public var hubPublicKeys: [String]
    /// The first of `hubPublicKeys`; setting it makes it the only one.
    public var hubPublicKey: String {
        get { hubPublicKeys.first ?? "" }
        set { hubPublicKeys = [newValue] }
    }
    /// This party's key pair; `secretKey` is never nil.
    public var keys: KeyFile
    /// Where `keys` was read from, as the file names it (`key_file`), for messages.
    public var keyFile: String
    /// Deliveries that may be unacknowledged at once, if the file sets it.
    public var credit: UInt32?
    /// The party the key belongs to, if the file names it.
    public var party: String?
    /// The hub's monitoring tap endpoint, if the file names one.
    public var tapEndpoint: String?
    /// The tap's CURVE public keys (Z85), one or two whenever `tapEndpoint` is set, else
    /// none: the tap's key, or while it is being rotated its current and next key, tried in
    /// turn when a handshake fails.
    public var tapPublicKeys: [String]
    /// The first of `tapPublicKeys` (nil when there is none); setting it makes it the only one.
    public var tapPublicKey: String? {
        get { tapPublicKeys.first }
        set { tapPublicKeys = newValue.map { [$0] } ?? [] }
    }

    /// Creates a configuration with one hub endpoint from values already at hand.
    /// - Parameters:
    ///   - hubEndpoint: the hub's ROUTER endpoint.
    ///   - hubPublicKey: the hub's CURVE public key (Z85).
    ///   - keys: the party's key pair.
    ///   - keyFile: where `keys` came from, for messages.
    ///   - credit: deliveries that may be unacknowledged at once.
    ///   - party: the party the key belongs to.
    ///   - tapEndpoint: the hub's monitoring tap endpoint.
    ///   - tapPublicKey: the tap's CURVE public key (Z85).
    public init(
        hubEndpoint: String, hubPublicKey: String, keys: KeyFile, keyFile: String = "", credit: UInt32? = nil, party: String? = nil,
        tapEndpoint: String? = nil, tapPublicKey: String? = nil
    ) {
        self.init(
            hubEndpoints: [hubEndpoint], hubPublicKey: hubPublicKey, keys: keys, keyFile: keyFile, credit: credit, party: party,
            tapEndpoint: tapEndpoint, tapPublicKey: tapPublicKey)
    }

    /// Creates a configuration with several hub endpoints (the nodes of a cluster) from
    /// values already at hand.
    /// - Parameters:
    ///   - hubEndpoints: the hub nodes' ROUTER endpoints, in the order they are tried.
    ///   - hubPublicKey: the hub's CURVE public key (Z85), the same on every node.
    ///   - keys: the party's key pair.
    ///   - keyFile: where `keys` came from, for messages.
    ///   - credit: deliveries that may be unacknowledged at once.
    ///   - party: the party the key belongs to.
    ///   - tapEndpoint: the hub's monitoring tap endpoint.
    ///   - tapPublicKey: the tap's CURVE public key (Z85).
    public init(
        hubEndpoints: [String], hubPublicKey: String, keys: KeyFile, keyFile: String = "", credit: UInt32? = nil,
        party: String? = nil, tapEndpoint: String? = nil, tapPublicKey: String? = nil
    ) {
        self.hubEndpoints = hubEndpoints
        self.hubPublicKeys = [hubPublicKey]
        self.keys = keys
        self.keyFile = keyFile
        self.credit = credit
        self.party = party
        self.tapEndpoint = tapEndpoint
        self.tapPublicKeys = tapPublicKey.map { [$0] } ?? []
    }

    /// Reads the client config file at `path` and the key files it names.
    /// - Throws: `ConfigError`: `.unreadable` (the file), `.syntax` (not YAML of this
    ///   shape; neither or both of `hub_endpoint` and `hub_endpoints`), `.invalidValue` (a
    ///   hub or tap key given neither inline nor as a file, more than two of them, an empty
    ///   or blank endpoint), `.badKey` (a key file unreadable or malformed, a key not Z85, or
    ///   the party's without its secret).
    public static func load(path: String) throws -> ClientConfigFile {
        let raw = try Raw.read(path: path)
        let endpoints = try raw.endpoints(path: path)
        let base = ConfigPath.directory(of: path)
        let resolve = { (file: String) in ConfigPath.resolve(file, against: base) }
        let hubKeys = try raw.hubKeys(path: path, resolve: resolve)
        let keys = try KeyFile.load(path: resolve(raw.keyFile))
        guard keys.secretKey != nil else {
            throw ConfigError(.badKey, "\(raw.keyFile) has no secret_key: use the NAME.key_secret file")
        }
        var config = ClientConfigFile(
            hubEndpoints: endpoints, hubPublicKey: hubKeys[0], keys: keys, keyFile: raw.keyFile, credit: raw.credit, party: raw.party)
        config.hubPublicKeys = hubKeys
        if let tapEndpoint = raw.tapEndpoint {
            config.tapEndpoint = tapEndpoint
            config.tapPublicKeys = try raw.tapKeys(path: path, resolve: resolve)
        }
        return config
    }

    /// The files the client config at `path` names (its own key pair; the hub's and the
    /// tap's public keys when given as files), read strictly but without reading any of
    /// them: an installer asks before it has made them.
    /// - Parameters:
    ///   - path: the config file.
    ///   - relativeTo: the folder relative paths are resolved against; nil: the file's own.
    /// - Throws: `ConfigError` (`unreadable`, `syntax`).
    public static func namedFiles(path: String, relativeTo: String? = nil) throws -> [NamedFile] {
        let raw = try Raw.read(path: path)
        _ = try raw.endpoints(path: path)
        let base = relativeTo ?? ConfigPath.directory(of: path)
        let resolve = { (file: String) in ConfigPath.resolve(file, against: base) }
        var files = [NamedFile(.clientKey, name: raw.party ?? "-", path: resolve(raw.keyFile))]
        for hubKey in (raw.hubPublicKeyFile.map { [$0] } ?? []) + (raw.hubPublicKeyFiles ?? []) {
            files.append(NamedFile(.hubPublicKey, name: "hub", path: resolve(hubKey)))
        }
        for tapKey in (raw.tapPublicKeyFile.map { [$0] } ?? []) + (raw.tapPublicKeyFiles ?? []) {
            files.append(NamedFile(.tapPublicKey, name: "tap", path: resolve(tapKey)))
        }
        return files
    }
}

extension ClientConfigFile {
    /// The file's shape: the keys a client config has (an `adapter:` section is the adapter's).
    struct Raw: Decodable {
        var hubEndpoint: String?
        var hubEndpoints: [String]?
        var hubPublicKeyFile: String?
        var hubPublicKey: String?
        var hubPublicKeyFiles: [String]?
        var hubPublicKeys: [String]?
        var keyFile: String
        var credit: UInt32?
        var party: String?
        var tapEndpoint: String?
        var tapPublicKeyFile: String?
        var tapPublicKey: String?
        var tapPublicKeyFiles: [String]?
        var tapPublicKeys: [String]?

        enum CodingKeys: String, CodingKey {
            case hubEndpoint = "hub_endpoint"
            case hubEndpoints = "hub_endpoints"
            case hubPublicKeyFile = "hub_public_key_file"
            case hubPublicKey = "hub_public_key"
            case hubPublicKeyFiles = "hub_public_key_files"
            case hubPublicKeys = "hub_public_keys"
            case keyFile = "key_file"
            case credit, party
            case tapEndpoint = "tap_endpoint"
            case tapPublicKeyFile = "tap_public_key_file"
            case tapPublicKey = "tap_public_key"
            case tapPublicKeyFiles = "tap_public_key_files"
            case tapPublicKeys = "tap_public_keys"
        }

        /// The hub endpoints the file names: exactly one of `hub_endpoint` (one) and
        /// `hub_endpoints` (a list of at least one, no blank entry, none twice).
        func endpoints(path: String) throws -> [String] {
            switch (hubEndpoint, hubEndpoints) {
            case (nil, nil):
                throw ConfigError(.syntax, "\(path): needs hub_endpoint (one hub) or hub_endpoints (a list of hub nodes)")
            case (.some, .some):
                throw ConfigError(.syntax, "\(path): has both hub_endpoint and hub_endpoints; give one of them")
            case (let one?, nil):
                guard !one.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ConfigError(.invalidValue, "\(path): hub_endpoint is empty")
                }
                return [one]
            case (nil, let list?):
                guard !list.isEmpty else {
                    throw ConfigError(.invalidValue, "\(path): hub_endpoints is an empty list; name at least one hub node")
                }
                if let blank = list.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    throw ConfigError(.invalidValue, "\(path): hub_endpoints[\(blank)] is empty")
                }
                if let twice = list.first(where: { endpoint in list.filter { $0 == endpoint }.count > 1 }) {
                    throw ConfigError(.duplicate, "\(path): hub_endpoints names \(twice) twice")
                }
                return list
            }
        }

        /// The hub's public keys: exactly one of `hub_public_key`, `hub_public_key_file`,
        /// `hub_public_keys` and `hub_public_key_files` (a list of one or two: the hub's key
        /// and, while it is being rotated, the next), each a Z85 key.
        func hubKeys(path: String, resolve: (String) -> String) throws -> [String] {
            try Self.keys(
                of: "hub", inline: hubPublicKey, file: hubPublicKeyFile, list: hubPublicKeys, files: hubPublicKeyFiles,
                missing: "\(path): needs hub_public_key or hub_public_key_file", path: path, resolve: resolve)
        }

        /// The tap's public keys, as `hubKeys` with `tap_public_key`, `tap_public_key_file`,
        /// `tap_public_keys` and `tap_public_key_files`: asked for when `tap_endpoint` is given.
        func tapKeys(path: String, resolve: (String) -> String) throws -> [String] {
            try Self.keys(
                of: "tap", inline: tapPublicKey, file: tapPublicKeyFile, list: tapPublicKeys, files: tapPublicKeyFiles,
                missing: "\(path): tap_endpoint needs tap_public_key or tap_public_key_file", path: path, resolve: resolve)
        }

        /// A server's public keys given in exactly one of four forms (`NAME_public_key`,
        /// `NAME_public_key_file`, `NAME_public_keys`, `NAME_public_key_files`): one key, or
        /// two while the server's key is rotated (current, next), each 40 characters of Z85.
        static func keys(
            of name: String, inline: String?, file: String?, list: [String]?, files: [String]?, missing: String, path: String,
            resolve: (String) -> String
        ) throws -> [String] {
            let given = [inline != nil, file != nil, list != nil, files != nil].filter { $0 }
            guard given.count == 1 else {
                throw ConfigError(
                    given.isEmpty ? .invalidValue : .syntax,
                    given.isEmpty
                        ? missing
                        : "\(path): give one of \(name)_public_key, \(name)_public_key_file, \(name)_public_keys and \(name)_public_key_files"
                )
            }
            let keys: [String]
            if let inline {
                keys = [inline]
            } else if let file {
                keys = [try KeyFile.load(path: resolve(file)).publicKey]
            } else if let list {
                keys = list
            } else {
                keys = try (files ?? []).map { try KeyFile.load(path: resolve($0)).publicKey }
            }
            guard (1...2).contains(keys.count) else {
                throw ConfigError(
                    .invalidValue,
                    "\(path): lists \(keys.count) \(name) keys; give one, or two while the \(name)'s key is rotated (current, next)")
            }
            for key in keys where !KeyFile.isZ85Key(key) {
                throw ConfigError(.badKey, "\(path): a \(name) public key is not 40 characters of Z85")
            }
            return keys
        }

        /// Reads the file strictly: an unknown key is refused with its place; `adapter:` is
        /// the adapter's section, checked by its own reader.
        static func read(path: String) throws -> Raw {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigError(.unreadable, "cannot read client config \(path)")
            }
            return try StrictYAMLDecoder().decode(Raw.self, from: text, file: path, otherSections: .named(["adapter"]))
        }
    }
}
