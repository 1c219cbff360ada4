import HubRouting

extension Router {
    /// Takes a reloaded configuration over (on the router's thread, between two turns): the
    /// core closes the sessions whose key or party is gone, the observers' view applies to
    /// the next delivery, and the outcome goes back to whoever posted it.
    func apply(_ request: (generation: UInt64, reload: RouterReload)) {
        let effect = core.reconfigure(request.reload, into: &work)
        observers = request.reload.observers
        monitoring.partiesChanged(request.reload.config)
        performWork()
        logger.info(
            "configuration reloaded",
            metadata: [
                "generation": "\(request.generation)", "parties": "\(request.reload.config.parties.count)",
                "sessions_closed_key_revoked": "\(effect.closedForKey)", "replays_closed_not_entitled": "\(effect.closedForAudit)",
                "sessions_kept": "\(effect.kept)",
            ])
        reloads.applied(request.generation, effect)
    }
}
