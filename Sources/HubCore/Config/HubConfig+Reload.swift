import HubConfigKit

extension HubConfig {
    /// What a reload may change and what it may not: the parties (added, removed, their
    /// keys, roles, subscriptions, hidden fields, audit rights), the types and the flows'
    /// settings are taken over by a running hub; the `hub:` section (endpoint, key, journal,
    /// limits), the `store:`, the `tap:`, `monitor:` and `keys:` sections, and whether the flows
    /// run at all, are read once when the hub starts.
    ///
    /// - Parameters:
    ///   - running: the configuration the hub runs with.
    /// - Returns: each setting that differs from `running` and needs a restart, by its
    ///   place in the file (`hub.endpoint`, `tap`, ...); empty when a reload can apply this
    ///   configuration.
    public func restartOnlyChanges(from running: HubConfig) -> [String] {
        var changes: [String] = []
        var settings = self.settings
        settings.readOnly = running.settings.readOnly  // from the command line, never the file
        let fields: [(String, Bool)] = [
            ("hub.endpoint", settings.endpoint == running.settings.endpoint),
            ("hub.key_file", settings.keyFile == running.settings.keyFile),
            ("hub.journal", settings.journal == running.settings.journal),
            ("hub.max_body_bytes", settings.maxBodyBytes == running.settings.maxBodyBytes),
            ("hub.default_credit", settings.defaultCredit == running.settings.defaultCredit),
            ("hub.heartbeat_ms", settings.heartbeatMs == running.settings.heartbeatMs),
            ("hub.max_pending", settings.maxPending == running.settings.maxPending),
            ("hub.commit_batch_max", settings.commitBatchMax == running.settings.commitBatchMax),
            ("hub.recent_delivery_bytes", settings.recentDeliveryBytes == running.settings.recentDeliveryBytes),
            ("hub.node", settings.node == running.settings.node),
            ("store", postgres == running.postgres),
            ("crypto", crypto == running.crypto),
            ("tap", tap == running.tap),
            ("monitor", monitor == running.monitor),
            ("keys", keys == running.keys),
            ("flows (on or off)", (flows == nil) == (running.flows == nil)),
        ]
        for (name, same) in fields where !same { changes.append(name) }
        return changes
    }

    /// Checks that a running hub can take this configuration over from `running`.
    /// - Throws: ``ConfigError`` `.needsRestart` naming every setting that only a restart applies.
    public func checkReloadable(from running: HubConfig) throws {
        let changes = restartOnlyChanges(from: running)
        guard changes.isEmpty else {
            throw ConfigError(
                .needsRestart,
                "\(changes.joined(separator: ", ")) changed: a reload cannot apply \(changes.count == 1 ? "it" : "them"); restart the hub (nothing of this file was applied)"
            )
        }
    }

    /// Every public key the configuration accepts, with its party.
    public var partiesByKey: [String: String] {
        var keys: [String: String] = [:]
        for party in parties {
            for key in party.publicKeys { keys[key] = party.id }
        }
        return keys
    }
}
