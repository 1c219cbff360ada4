import HubConfigKit
import HubCore
import HubRouting
import Logging

extension Hub {
    /// Takes a new configuration over without a restart (`swhub reload`, SIGHUP): parties
    /// added or removed, keys rotated or revoked, roles, subscriptions, hidden fields, audit
    /// rights, types and the flows' settings. `config` must come from `HubConfig.load`, the
    /// same checks as at start-up; settings only a restart applies are refused and nothing
    /// changes. The router takes the new policy over between two turns of its loop (closing
    /// the sessions of removed parties and revoked keys with `ERROR 430 KEY_REVOKED`), then
    /// the ZAP handlers (the router's and the tap's) take the new keys.
    ///
    /// - Parameters:
    ///   - config: the new configuration, loaded and validated.
    ///   - timeout: how long to wait for the router to take it over.
    /// - Returns: the reload's number (1 for the first) and what it did to the sessions.
    /// - Throws: ``ConfigError`` `.needsRestart` (nothing applied), or ``ReloadError`` when
    ///   the router did not take it over in time (a stopping hub).
    public func reload(config: HubConfig, timeout: Duration = .seconds(10)) async throws -> (generation: UInt64, effect: ReloadEffect) {
        var config = config
        let current = running.withLock { $0 }
        config.settings.readOnly = current.settings.readOnly
        try config.checkReloadable(from: current)
        let reload = try RouterReload(config: config)
        let generation = reloadGeneration.withLock { generation in
            generation += 1
            return generation
        }
        // Keys that go (or change party) are refused at the handshake before the router
        // takes the new policy over, keys that come are accepted once it has: no handshake
        // falls between the two.
        let keys = config.partiesByKey
        let before = current.partiesByKey
        let staying = before.filter { keys[$0.key] == $0.value }
        if staying.count < before.count {
            zap.replaceKeys(staying)
            tap?.replaceKeys(staying)
        }
        router.reloads.post(reload, generation: generation)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let effect = router.reloads.effect(of: generation) {
                zap.replaceKeys(keys)
                tap?.reload(keys: keys, policy: reload.observers)
                running.withLock { $0 = config }
                return (generation, effect)
            }
            guard clock.now < deadline else {
                throw ReloadError(
                    "the router did not take reload \(generation) over within \(timeout) (is the hub stopping?); the old configuration stays in force"
                )
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The configuration in force.
    public var configuration: HubConfig { running.withLock { $0 } }
}

/// A reload the running hub could not apply although the file was valid.
public struct ReloadError: Error, CustomStringConvertible, Sendable {
    /// Why.
    public let reason: String

    init(_ reason: String) { self.reason = reason }

    public var description: String { "RELOAD_NOT_APPLIED: \(reason)" }
}
