import Foundation
import HubCore
import Yams
import ZeroMQ

/// How a client reaches the hub and who it is.
public struct HubClientConfiguration: Sendable {
    /// The hub's ROUTER endpoint, e.g. `tcp://127.0.0.1:5570`.
    public var endpoint: String
    /// The hub's CURVE public key (Z85).
    public var hubPublicKey: String
    /// This party's key pair.
    public var keyPair: CurveKeyPair
    /// Open a receiving session (deliveries) as well as submitting.
    public var receive: Bool
    /// Deliveries that may be unacknowledged at once.
    public var credit: UInt32
    /// How long a request waits for its reply before failing with `.timeout`.
    public var requestTimeout: Duration
    /// Interval between PINGs when the connection is otherwise quiet.
    public var heartbeat: Duration
    /// Name sent in HELLO, for the hub's logs.
    public var clientName: String
    /// The party this client's key belongs to, as the config file names it (`party:`);
    /// nil when not given. The hub decides from the key alone (`WireWelcome.party`).
    public var party: String?
    /// The hub's monitoring tap endpoint (`tap_endpoint`), for `HubTap`; nil when not given.
    public var tapEndpoint: String?
    /// The tap's CURVE public key (Z85; `tap_public_key` or `tap_public_key_file`).
    public var tapPublicKey: String?

    public init(
        endpoint: String, hubPublicKey: String, keyPair: CurveKeyPair, receive: Bool = false, credit: UInt32 = 100,
        requestTimeout: Duration = .seconds(30), heartbeat: Duration = .seconds(1), clientName: String = "swhub-client",
        party: String? = nil
    ) {
        self.endpoint = endpoint
        self.hubPublicKey = hubPublicKey
        self.keyPair = keyPair
        self.receive = receive
        self.credit = credit
        self.requestTimeout = requestTimeout
        self.heartbeat = heartbeat
        self.clientName = clientName
        self.party = party
    }

    /// Reads a client config file (`Deploy/client-*.yaml`): `hub_endpoint`,
    /// `hub_public_key_file` (or `hub_public_key`), `key_file`, optional `credit` and `party`,
    /// and for the monitoring tap `tap_endpoint` with `tap_public_key_file` (or `tap_public_key`).
    /// Relative paths are resolved against the file's directory.
    public static func load(path: String) throws -> HubClientConfiguration {
        struct Raw: Decodable {
            var hub_endpoint: String
            var hub_public_key_file: String?
            var hub_public_key: String?
            var key_file: String
            var credit: UInt32?
            var party: String?
            var tap_endpoint: String?
            var tap_public_key_file: String?
            var tap_public_key: String?
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HubClientError(.configuration, "cannot read client config \(path)")
        }
        let raw: Raw
        do {
            raw = try YAMLDecoder().decode(Raw.self, from: text)
        } catch {
            throw HubClientError(.configuration, "\(path): \(error)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let resolve = { (file: String) in HubConfig.resolve(file, against: base) }
        let hubKey: String
        if let inline = raw.hub_public_key {
            hubKey = inline
        } else if let file = raw.hub_public_key_file {
            hubKey = try readKeyFile(resolve(file)).publicKey
        } else {
            throw HubClientError(.configuration, "\(path): needs hub_public_key or hub_public_key_file")
        }
        let keys = try readKeyFile(resolve(raw.key_file))
        guard let secret = keys.secretKey else {
            throw HubClientError(.configuration, "\(raw.key_file) has no secret_key: use the NAME.key_secret file")
        }
        let pair: CurveKeyPair
        do {
            pair = try CurveKeyPair(publicKey: keys.publicKey, secretKey: secret)
        } catch {
            throw HubClientError(.configuration, "\(raw.key_file): \(error)")
        }
        var configuration = HubClientConfiguration(
            endpoint: raw.hub_endpoint, hubPublicKey: hubKey, keyPair: pair, credit: raw.credit ?? 100,
            clientName: raw.party.map { "swhub-\($0)" } ?? "swhub-client", party: raw.party)
        if let tapEndpoint = raw.tap_endpoint {
            configuration.tapEndpoint = tapEndpoint
            if let inline = raw.tap_public_key {
                configuration.tapPublicKey = inline
            } else if let file = raw.tap_public_key_file {
                configuration.tapPublicKey = try readKeyFile(resolve(file)).publicKey
            } else {
                throw HubClientError(.configuration, "\(path): tap_endpoint needs tap_public_key or tap_public_key_file")
            }
        }
        return configuration
    }

    private static func readKeyFile(_ path: String) throws -> KeyFile {
        do {
            return try KeyFile.load(path: path)
        } catch let error as ConfigError {
            throw HubClientError(.configuration, error.reason)
        }
    }
}
