import HubCore

/// The flows' snapshots kept sealed: the flows' state holds filings waiting for the rest
/// of their declaration, registrations and held notices, personal fields included, so a
/// snapshot is sealed whole (under the hub's own data key) before it reaches the store,
/// and opened when read. Wraps the store's ``FlowSnapshotStore``.
///
/// A snapshot saved before sealing was turned on is read as it is (the next one saved is
/// sealed, and the store keeps only the newest few); one that cannot be opened (another
/// master key) is reported unreadable like a damaged one, so the hub falls back to an older
/// snapshot or to the whole journal.
public struct SealedFlowSnapshots: FlowSnapshotStore {
    /// What a sealed snapshot's bytes begin with (a `FlowSnapshot` encoding never does).
    static let magic = Array("swhub-sealed-flow-snapshot-v1\n".utf8)

    private let base: any FlowSnapshotStore
    private let cipher: PersonalDataSeal.Cipher

    /// The snapshots of `base`, sealed with `cipher`.
    public init(_ base: any FlowSnapshotStore, cipher: PersonalDataSeal.Cipher) {
        self.base = base
        self.cipher = cipher
    }

    /// A snapshot that could not be opened.
    public struct Unreadable: Error, CustomStringConvertible {
        /// The snapshot's seq.
        public var seq: UInt64
        /// The cipher's reason (never a value of the snapshot).
        public var reason: String
        public var description: String { "the flows' snapshot at seq \(seq) cannot be opened: \(reason)" }
    }

    public func saveFlowSnapshot(seq: UInt64, bytes: [UInt8]) throws {
        try base.saveFlowSnapshot(seq: seq, bytes: Self.magic + cipher.seal(bytes, HubConfig.hubParty, Self.context(seq: seq)))
    }

    public func flowSnapshotSeqs() throws -> [UInt64] {
        try base.flowSnapshotSeqs()
    }

    public func flowSnapshot(seq: UInt64) throws -> [UInt8]? {
        guard let stored = try base.flowSnapshot(seq: seq) else { return nil }
        guard stored.starts(with: Self.magic) else { return stored }
        do {
            return try cipher.open(Array(stored[Self.magic.count...]), Self.context(seq: seq))
        } catch {
            throw Unreadable(seq: seq, reason: "\(error)")
        }
    }

    /// Binds a sealed snapshot to its seq: it cannot pass for another.
    static func context(seq: UInt64) -> [UInt8] {
        Array("swhub-flow-snapshot-v1\u{0}\(seq)".utf8)
    }
}
