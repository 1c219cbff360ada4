import HubStore

/// The flows' saved states in memory, as the SQLite store keeps them (the newest
/// ``keptFlowSnapshots``).
extension InMemoryJournalStore: FlowSnapshotStore {
    public func saveFlowSnapshot(seq: UInt64, bytes: [UInt8]) throws {
        state.withLock { state in
            state.flowSnapshots[seq] = bytes
            for old in state.flowSnapshots.keys.sorted(by: >).dropFirst(keptFlowSnapshots) { state.flowSnapshots[old] = nil }
        }
    }

    public func flowSnapshotSeqs() throws -> [UInt64] {
        state.withLock { $0.flowSnapshots.keys.sorted(by: >) }
    }

    public func flowSnapshot(seq: UInt64) throws -> [UInt8]? {
        state.withLock { $0.flowSnapshots[seq] }
    }
}
