import HubCore
import HubProtocol

/// A configuration a reload accepted (`swhub reload`, SIGHUP), as the router's thread
/// takes it over: the new policy and who holds which key.
public struct RouterReload: Sendable {
    /// The reloaded configuration.
    public let config: HubConfig
    /// Who may send what to whom.
    public let routing: RoutingTable
    /// Body checks and redaction.
    public let policy: RedactionPolicy
    /// Who may replay or tap whose stream, and what of each body they see.
    public let observers: ObserverPolicy

    /// Builds the policy of `config` (as the hub does at start).
    /// - Parameters:
    ///   - config: the reloaded configuration, already checked reloadable.
    /// - Throws: what building the redaction policy throws (a config `load` accepted never does).
    public init(config: HubConfig) throws {
        self.config = config
        routing = RoutingTable(config: config)
        policy = try RedactionPolicy(config: config, schema: HubConfig.schema())
        observers = ObserverPolicy(config: config, redaction: policy)
    }
}

/// What a reload did to the router's sessions.
public struct ReloadEffect: Sendable, Equatable {
    /// Receiving and replay sessions closed with KEY_REVOKED (party removed, key revoked).
    public var closedForKey = 0
    /// Replay sessions closed with NOT_ENTITLED (the observer may no longer replay the stream).
    public var closedForAudit = 0
    /// Receiving and replay sessions left open (their new policy applies from the next delivery).
    public var kept = 0
}

extension RouterCore {
    /// The keys the configuration accepts at start (set once, before any frame set).
    /// - Parameters:
    ///   - keys: each Z85 public key with its party.
    public mutating func accept(keys: [String: String]) {
        acceptedKeys = keys
    }

    /// Takes a reloaded configuration over, between two inputs: routing, redaction, audit
    /// rights and the flows' settings apply from the next input on. Sessions of a removed
    /// party, or opened with a key the configuration no longer accepts, get an unsolicited
    /// `ERROR 430 KEY_REVOKED` and are closed; replays the observer may no longer see get
    /// `ERROR 415 NOT_ENTITLED` and end. Other sessions are not disturbed: what they are
    /// delivered next is routed and redacted by the new policy.
    ///
    /// - Parameters:
    ///   - reload: the new configuration and its policy.
    ///   - actions: Where the actions go.
    /// - Returns: What became of the sessions.
    @discardableResult
    public mutating func reconfigure(_ reload: RouterReload, into actions: inout [RouterAction]) -> ReloadEffect {
        let keys = reload.config.partiesByKey
        if keyHolders != nil || acceptedKeys.contains(where: { keys[$0.key] != $0.value }) {
            // A key accepted before is no longer (or belongs to another party): connections
            // made with it stay open, so from now on every frame set's key is checked.
            keyHolders = keys
        }
        acceptedKeys = keys
        routing = reload.routing
        policy = reload.policy
        observers = reload.observers
        if var engine = flows, reload.config.flows != nil {
            engine.reconfigure(config: reload.config, policy: reload.policy)
            flows = engine
        }
        var effect = ReloadEffect()
        for (routingId, session) in sessions {
            if holds(session.party, session.key) {
                effect.kept += 1
                continue
            }
            revoke(routingId, party: session.party, into: &actions)
            closeSession(routingId, reason: "key revoked by a reload")
            effect.closedForKey += 1
        }
        for (routingId, stream) in replays {
            if !holds(stream.plan.observer, stream.key) {
                revoke(routingId, party: stream.plan.observer, into: &actions)
                logger.info(
                    "replay closed: key revoked by a reload", metadata: ["party": "\(stream.plan.party)", "session": "\(stream.id)"])
                closeReplay(routingId)
                effect.closedForKey += 1
            } else if !observers.mayReplay(stream.plan.observer, stream: stream.plan.party) {
                let reason = "a reload of the hub's configuration took away the right to replay \(stream.plan.party)'s stream"
                reply(routingId, WireProtocol.error(.notEntitled, reason: reason), into: &actions)
                logger.info(
                    "replay closed: audit right removed by a reload",
                    metadata: ["party": "\(stream.plan.party)", "session": "\(stream.id)"])
                closeReplay(routingId)
                effect.closedForAudit += 1
            } else {
                effect.kept += 1
            }
        }
        return effect
    }

    /// Whether `party` is still configured and `key` (when known) still its key.
    private func holds(_ party: String, _ key: String?) -> Bool {
        guard routing.knows(party: party) else { return false }
        guard let key else { return true }
        return acceptedKeys[key] == party
    }

    /// Tells a connection its key was revoked (unsolicited, no id).
    private func revoke(_ routingId: [UInt8], party: String, into actions: inout [RouterAction]) {
        let reason = "the hub's configuration no longer accepts this connection's key for party '\(party)': its session is closed"
        reply(routingId, WireProtocol.error(.keyRevoked, reason: reason), into: &actions)
    }

    /// A frame set from a connection whose key was revoked (or whose party was removed) by
    /// a reload: `ERROR 430 KEY_REVOKED`, echoing a SUBMIT's id, and nothing else.
    mutating func refuseRevoked(_ routingId: [UInt8], party: String, _ commandFrame: [UInt8], into actions: inout [RouterAction]) {
        let reason = "the hub's configuration no longer accepts this connection's key for party '\(party)'"
        if sessions[routingId] != nil { closeSession(routingId, reason: "key revoked by a reload") }
        if replays[routingId] != nil { closeReplay(routingId) }
        guard let command = try? WireCommand(serializedBytes: commandFrame) else {
            reply(routingId, WireProtocol.error(.keyRevoked, reason: reason), into: &actions)
            return
        }
        refuseFrame(routingId, command, .keyRevoked, reason, into: &actions)
    }
}
