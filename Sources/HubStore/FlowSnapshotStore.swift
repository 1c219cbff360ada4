/// Where a hub keeps the flows' state (a `FlowSnapshot`'s bytes) as of a journal seq, so
/// that it starts from the newest readable one plus the journal after it instead of
/// reading the whole journal (issue 20).
public protocol FlowSnapshotStore: Sendable {
    /// Saves the flows' state as of `seq` durably and drops all but the newest
    /// ``keptFlowSnapshots`` saved states.
    ///
    /// - Parameters:
    ///   - seq: The last journal seq the flows had read.
    ///   - bytes: The encoded state (checksummed by its format).
    func saveFlowSnapshot(seq: UInt64, bytes: [UInt8]) throws

    /// The seqs of the saved states, newest first.
    func flowSnapshotSeqs() throws -> [UInt64]

    /// The bytes of the state saved as of `seq`, nil if there is none.
    func flowSnapshot(seq: UInt64) throws -> [UInt8]?
}

/// How many saved flow states a store keeps: the newest, and older ones to fall back to
/// when the newest cannot be read.
public let keptFlowSnapshots = 3
