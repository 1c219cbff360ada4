import Adapters
import Foundation
import HubClient
import HubConfigKit
import HubCore
import HubCrypto
import Yams

/// A configuration as the program will use it: relative paths resolved, defaults filled in,
/// public keys read from their files. Secrets are never in it: secret keys are left out, the
/// monitor's token is shown as its length only.
struct ResolvedConfig: Encodable {
    /// What a file configures, from its top-level keys.
    enum Kind {
        case hub
        case client(adapter: Bool)
    }

    struct Hub: Encodable {
        var endpoint, keyFile, journal: String
        var publicKey: String?
        var maxBodyBytes, defaultCredit, heartbeatMs, maxPending, commitBatchMax, recentDeliveryBytes: Int
    }

    struct Party: Encodable {
        var id, publicKey: String
        /// The party's second key while its key is rotated (both authenticate it).
        var nextPublicKey: String?
        var roles, subscribes, bankCodes, audits: [String]
        var hide: [String: [String]]
    }

    struct Tap: Encodable {
        var endpoint, keyFile: String
        var queue: Int
    }

    struct Monitor: Encodable {
        var listen: String
        var tokenFile: String?
        var token: String?
    }

    /// `archive:` and `retention:` (durations in seconds).
    struct Archive: Encodable {
        var dir: String
        var liveForSeconds: Int64
        var segmentRecords: Int
        var checkEverySeconds: Double
        var retentionSeconds: [String: Int64]
    }

    /// `keys:`: where the master key comes from, the vault and its shred log; the master
    /// key's fingerprint when its file reads (never the key).
    struct Keys: Encodable {
        var masterKeyFile: String?
        var masterKeyCommand: [String]?
        var masterKeyFingerprint: String?
        var vault, shredLog: String
    }

    /// `statistics:`: the CNY rates (decimal strings) and the cache's file (nil: beside the
    /// config, for a PostgreSQL journal).
    struct Statistics: Encodable {
        var cnyRates: [String: String]
        var cache: String?
        /// `statistics.reconcile:`: tolerance (CNY, fraction) and grace.
        var reconcile: [String: String] = [:]
    }

    /// One risk rule of `risk.rules` that runs, with what its hits do.
    struct RiskRule: Encodable {
        var action, severity: String
        var notify, reviewers: [String]
    }

    struct Client: Encodable {
        var endpoint, hubPublicKey, publicKey: String
        /// Every hub node the client may use, in order (`endpoint` is the first).
        var endpoints: [String]
        var party: String?
        var credit: UInt32
        var tapEndpoint: String?
    }

    struct Adapter: Encodable {
        var inbox, outbox, archive, errors, state: String
        var pollMs: Int
    }

    var kind: String
    var hub: Hub?
    var types: [String]?
    var parties: [Party]?
    var flows: [String: String]?
    var tap: Tap?
    var monitor: Monitor?
    var archive: Archive?
    /// `crypto:` (standard or sm), for a hub.
    var crypto: String?
    var keys: Keys?
    var statistics: Statistics?
    /// `risk.rules`: the rules that run, by name (nil: none).
    var risk: [String: RiskRule]?
    var client: Client?
    var adapter: Adapter?

    init(hub config: HubConfig) {
        kind = "hub"
        let settings = config.settings
        hub = Hub(
            endpoint: settings.endpoint, keyFile: settings.keyFile, journal: settings.journal,
            publicKey: (try? KeyFile.load(path: settings.keyFile))?.publicKey, maxBodyBytes: settings.maxBodyBytes,
            defaultCredit: settings.defaultCredit, heartbeatMs: settings.heartbeatMs, maxPending: settings.maxPending,
            commitBatchMax: settings.commitBatchMax, recentDeliveryBytes: settings.recentDeliveryBytes)
        types = config.types.sorted()
        crypto = config.crypto.rawValue
        parties = config.parties.map { party in
            Party(
                id: party.id, publicKey: party.publicKey, nextPublicKey: party.publicKeys.dropFirst().first,
                roles: party.roles.map(\.rawValue), subscribes: party.subscribes,
                bankCodes: party.bankCodes, audits: party.audits, hide: party.hidden)
        }
        flows = config.flows.map { flows in
            [
                "registration_deadline_ms": "\(flows.registrationDeadlineMs)", "query_timeout_ms": "\(flows.queryTimeoutMs)",
                "summary_schedule": flows.dailySummaries ? "daily" : "none",
                "summary.require_departure": "\(flows.requireDeparture)",
                "declaration.after_release_days": "\(flows.afterReleaseMs / 86_400_000)",
            ]
        }
        tap = config.tap.map { Tap(endpoint: $0.endpoint, keyFile: $0.keyFile, queue: $0.queue) }
        var cache = config.statistics.cache
        if cache == nil, case .sqlite(let journal) = config.store { cache = journal + ".trade-stats.sqlite" }
        statistics = Statistics(cnyRates: config.statistics.cnyRates.mapValues(\.description), cache: cache)
        let reconcile = config.statistics.reconcile
        statistics?.reconcile = [
            "tolerance_absolute_cny": reconcile.absoluteTolerance.description,
            "tolerance_relative": reconcile.relativeTolerance.description, "grace_days": "\(reconcile.graceDays)",
        ]
        if config.risk.isOn {
            risk = Dictionary(
                uniqueKeysWithValues: config.risk.rules.map { name, rule in
                    (
                        name.rawValue,
                        RiskRule(action: rule.action.rawValue, severity: rule.severity, notify: rule.notify, reviewers: rule.reviewers)
                    )
                })
        }
        archive = config.archive.map { archive in
            Archive(
                dir: archive.directory, liveForSeconds: archive.liveForUs / 1_000_000, segmentRecords: archive.segmentRecords,
                checkEverySeconds: archive.checkEverySeconds,
                retentionSeconds: Dictionary(uniqueKeysWithValues: archive.retention.rules.map { ($0.pattern, $0.periodUs / 1_000_000) }))
        }
        keys = config.keys.map { keys in
            switch keys.masterKey {
            case .file(let path):
                return Keys(
                    masterKeyFile: path, masterKeyFingerprint: (try? MasterKeySource.file(path: path).load())?.fingerprint,
                    vault: keys.vault, shredLog: KeyVault.shredLogPath(vault: keys.vault))
            case .command(let argv):
                return Keys(masterKeyCommand: argv, vault: keys.vault, shredLog: KeyVault.shredLogPath(vault: keys.vault))
            }
        }
        monitor = config.monitor.map { monitor in
            let token = monitor.tokenFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            return Monitor(
                listen: "\(monitor.host):\(monitor.port)", tokenFile: monitor.tokenFile,
                token: token.map { "(masked: \($0.trimmingCharacters(in: .whitespacesAndNewlines).count) characters)" })
        }
    }

    init(client configuration: HubClientConfiguration, adapter settings: AdapterSettings?) {
        kind = settings == nil ? "client" : "adapter"
        client = Client(
            endpoint: configuration.endpoint, hubPublicKey: configuration.hubPublicKey, publicKey: configuration.keyPair.publicKey,
            endpoints: configuration.endpoints, party: configuration.party, credit: configuration.credit,
            tapEndpoint: configuration.tapEndpoint)
        adapter = settings.map { settings in
            let folders = settings.folders
            return Adapter(
                inbox: folders.inbox.path, outbox: folders.outbox.path, archive: folders.archive.path, errors: folders.errors.path,
                state: folders.state.path, pollMs: settings.pollMs)
        }
    }

    /// Whether `path` is a hub config (`hub:` section) or a client config (`hub_endpoint` or
    /// `hub_endpoints`),
    /// and whether a client config has an `adapter:` section.
    static func kind(of path: String) throws -> Kind {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(.unreadable, "cannot read config file \(path)")
        }
        let keys: [String]
        do {
            keys = (try Yams.compose(yaml: text))?.mapping?.keys.compactMap(\.string) ?? []
        } catch let error as YamlError {
            throw ConfigError(.syntax, "\(path): \(StrictYAMLDecoder.describe(error))")
        }
        if keys.contains("hub") { return .hub }
        if keys.contains("hub_endpoint") || keys.contains("hub_endpoints") { return .client(adapter: keys.contains("adapter")) }
        throw ConfigError(
            .syntax, "\(path): neither a hub config (a `hub:` section) nor a client config (`hub_endpoint` or `hub_endpoints`)")
    }
}
