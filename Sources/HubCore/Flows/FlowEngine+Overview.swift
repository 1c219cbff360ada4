/// Read-only views of the flows for monitoring: counts by state and the latest filings.
extension FlowEngine {
    /// How many flows of each kind are in each unified state.
    public var stateCounts: [FlowTally.StateKey: Int] { tally.counts }

    /// The most recently started flows of `kind` (at most ``FlowTally/recentLimit``),
    /// newest first, with their current unified state.
    public func recentFlows(_ kind: FlowTally.Kind) -> [FlowBrief] {
        (tally.recent[kind] ?? []).reversed().compactMap { brief(kind, $0) }
    }

    /// The current brief of one flow, nil if there is no such flow.
    public func brief(_ kind: FlowTally.Kind, _ key: FlowKey) -> FlowBrief? {
        switch kind {
        case .registration:
            registration(key).map { FlowBrief(kind: kind, filer: key.sender, feedback: $0.feedback) } ?? finishedBrief(kind, key)
        case .declaration:
            declaration(key).map { FlowBrief(kind: kind, filer: key.sender, feedback: $0.feedback) } ?? waitingDeclarations[key]?.brief
                ?? finishedBrief(kind, key)
        }
    }
}
