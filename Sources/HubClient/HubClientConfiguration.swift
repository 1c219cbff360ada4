public import HubConfigKit
public import ZeroMQ

/// How a client reaches the hub and who it is.
public struct HubClientConfiguration: Sendable {
    /// The hub's ROUTER endpoints, e.g. `["tcp://10.0.0.1:5570", "tcp://10.0.0.2:5570"]`:
    /// one hub, or the nodes of a hub cluster (all with the same hub key pair, serving the
    /// same journal). The client connects to the first; when the connection is lost (the
    /// hub closed it, or was silent for three heartbeats) or a node refuses the connection,
    /// it goes on to the next, round robin, with the usual backoff, and resumes there as on
    /// any reconnection: HELLO with the last acknowledged seq, unanswered submissions resent
    /// under their ids. Never empty when the client starts.
    public var endpoints: [String]
    /// The first endpoint, the only one of a single hub (source compatibility with clients
    /// written before `endpoints`); setting it makes it the only one.
    public var endpoint: String {
        get { endpoints.first ?? "" }
        set { endpoints = [newValue] }
    }
    /// The hub's CURVE public keys (Z85), never empty: its key, or while the hub's key is
    /// being rotated the current and the next. The client connects with the first; when a
    /// CURVE handshake fails (the hub presents another key) it tries the next, round robin,
    /// and stays with the key that worked.
    public var hubPublicKeys: [String]
    /// The first of `hubPublicKeys`; setting it makes it the only one.
    public var hubPublicKey: String {
        get { hubPublicKeys.first ?? "" }
        set { hubPublicKeys = [newValue] }
    }
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
    /// nil when not given. The hub decides who the client is from its key alone; when this
    /// is set, the client checks the hub's WELCOME against it before it submits anything,
    /// and a mismatch closes the client with a `.configuration` error naming both.
    public var party: String?
    /// The hub's monitoring tap endpoint (`tap_endpoint`), for `HubTap`; nil when not given.
    public var tapEndpoint: String?
    /// The tap's CURVE public keys (Z85; `tap_public_key` or `tap_public_key_file`, or
    /// `tap_public_keys` / `tap_public_key_files`), empty when not given: the tap's key, or
    /// while the tap's key is being rotated the current and the next. `HubTap` connects with
    /// the first; when a CURVE handshake fails it tries the next, and stays with the one
    /// that worked.
    public var tapPublicKeys: [String] = []
    /// The first of `tapPublicKeys` (nil when there is none); setting it makes it the only one.
    public var tapPublicKey: String? {
        get { tapPublicKeys.first }
        set { tapPublicKeys = newValue.map { [$0] } ?? [] }
    }
    /// The most submissions the client sends in one SUBMIT_BATCH to a hub that speaks
    /// batches (PROTOCOL.md section 16); 1 sends one SUBMIT per message. Default 100.
    public var batchSubmissions = 100
    /// How long a partly filled SUBMIT_BATCH may wait for more submissions before it is sent
    /// (like Kafka's `linger.ms`); `HubClient.flush()` sends it at once. Default 0: what is
    /// waiting when the client's I/O thread sends goes as one batch, and nothing waits on
    /// purpose (a request/answer adapter's latency is not traded for fuller batches).
    public var batchLinger: Duration = .zero
    /// The most deliveries the client takes in one DELIVER_BATCH (`Hello.batch_deliveries`);
    /// 0 asks for one DELIVER per message. Default 100.
    public var batchDeliveries: UInt32 = 100

    /// Creates a configuration for one hub endpoint from values at hand (`load(path:)` reads
    /// one from a file).
    /// - Parameters:
    ///   - endpoint: the hub's ROUTER endpoint.
    ///   - hubPublicKey: the hub's CURVE public key (Z85).
    ///   - keyPair: this party's key pair.
    ///   - receive: open a receiving session as well as submitting.
    ///   - credit: deliveries that may be unacknowledged at once.
    ///   - requestTimeout: how long a request waits for its reply.
    ///   - heartbeat: the interval between PINGs on a quiet connection.
    ///   - clientName: the name sent in HELLO, for the hub's logs.
    ///   - party: the party the key belongs to, if known.
    public init(
        endpoint: String, hubPublicKey: String, keyPair: CurveKeyPair, receive: Bool = false, credit: UInt32 = 100,
        requestTimeout: Duration = .seconds(30), heartbeat: Duration = .seconds(1), clientName: String = "swhub-client",
        party: String? = nil
    ) {
        self.init(
            endpoints: [endpoint], hubPublicKey: hubPublicKey, keyPair: keyPair, receive: receive, credit: credit,
            requestTimeout: requestTimeout, heartbeat: heartbeat, clientName: clientName, party: party)
    }

    /// Creates a configuration for several hub endpoints (the nodes of a hub cluster, all
    /// with the same hub key pair) from values at hand.
    /// - Parameters:
    ///   - endpoints: the hub nodes' ROUTER endpoints, in the order they are tried.
    ///   - hubPublicKey: the hub's CURVE public key (Z85), the same on every node.
    ///   - keyPair: this party's key pair.
    ///   - receive: open a receiving session as well as submitting.
    ///   - credit: deliveries that may be unacknowledged at once.
    ///   - requestTimeout: how long a request waits for its reply.
    ///   - heartbeat: the interval between PINGs on a quiet connection.
    ///   - clientName: the name sent in HELLO, for the hub's logs.
    ///   - party: the party the key belongs to, if known.
    public init(
        endpoints: [String], hubPublicKey: String, keyPair: CurveKeyPair, receive: Bool = false, credit: UInt32 = 100,
        requestTimeout: Duration = .seconds(30), heartbeat: Duration = .seconds(1), clientName: String = "swhub-client",
        party: String? = nil
    ) {
        self.endpoints = endpoints
        self.hubPublicKeys = [hubPublicKey]
        self.keyPair = keyPair
        self.receive = receive
        self.credit = credit
        self.requestTimeout = requestTimeout
        self.heartbeat = heartbeat
        self.clientName = clientName
        self.party = party
    }

    /// Reads a client config file (`Deploy/client-*.yaml`, see `ClientConfigFile`):
    /// `hub_endpoint` (or `hub_endpoints`), `hub_public_key_file` (or `hub_public_key`, or
    /// two of either while the hub's key is rotated), `key_file`, optional `credit` and
    /// `party`, and for the monitoring tap `tap_endpoint` with `tap_public_key_file` (or
    /// `tap_public_key`, or two of either while the tap's key is rotated). Relative paths are
    /// resolved against the file's directory.
    /// - Parameter path: the config file.
    /// - Throws: `HubClientError` with code `.configuration` naming what is wrong.
    public static func load(path: String) throws -> HubClientConfiguration {
        let file: ClientConfigFile
        do {
            file = try ClientConfigFile.load(path: path)
        } catch let error as ConfigError {
            throw HubClientError(.configuration, error.reason)
        }
        return try HubClientConfiguration(file: file)
    }

    /// A configuration from a client config file already read.
    /// - Parameter file: the file's values; its key pair must hold a secret key.
    /// - Throws: `HubClientError` with code `.configuration` if the key pair is unusable.
    public init(file: ClientConfigFile) throws {
        let pair: CurveKeyPair
        do {
            pair = try CurveKeyPair(publicKey: file.keys.publicKey, secretKey: file.keys.secretKey ?? "")
        } catch {
            let problem = CurveKeyPair.problem(publicKey: file.keys.publicKey, secretKey: file.keys.secretKey ?? "")
            throw HubClientError(.configuration, "\(file.keyFile): \(problem ?? "\(error)")")
        }
        self.init(
            endpoints: file.hubEndpoints, hubPublicKey: file.hubPublicKey, keyPair: pair, credit: file.credit ?? 100,
            clientName: file.party.map { "swhub-\($0)" } ?? "swhub-client", party: file.party)
        hubPublicKeys = file.hubPublicKeys
        tapEndpoint = file.tapEndpoint
        tapPublicKeys = file.tapPublicKeys
    }
}
