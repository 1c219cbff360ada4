extension FlowEngine {
    /// Takes a reloaded configuration over, keeping every flow's state: deadlines and query
    /// timeouts apply to what is started from now on (a running registration keeps the
    /// deadline it was given), departments and sharing apply to the next message the flows
    /// read or emit.
    /// - Parameters:
    ///   - config: the new configuration (flows on).
    ///   - policy: its redaction policy.
    public mutating func reconfigure(config: HubConfig, policy: RedactionPolicy) {
        let fresh = FlowEngine(config: config, policy: policy)
        self.config = fresh.config
        settings = fresh.settings
        self.policy = fresh.policy
        customsParties = fresh.customsParties
        departments = fresh.departments
        promoteWaitingCandidates()  // flows.summary.require_departure turned off (FlowEngine+Parcels.swift)
    }
}
