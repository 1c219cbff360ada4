/// Where a pending submission sits in a SUBMIT_BATCH (PROTOCOL.md section 16): the batch
/// the router opened for it and the entry's index. The journal writer never splits a batch
/// across commits: it takes entries up to the one marked `last`.
public struct BatchSlot: Sendable, Equatable {
    /// The router's token for the open batch (not the client's batch number).
    public let token: UInt64
    /// The entry's index in the batch.
    public let index: Int
    /// Whether this is the batch's last entry handed to the journal.
    public var last: Bool

    /// Creates a slot.
    ///
    /// - Parameters:
    ///   - token: The open batch's token.
    ///   - index: The entry's index.
    ///   - last: Whether it is the last entry handed to the journal.
    public init(token: UInt64, index: Int, last: Bool = false) {
        self.token = token
        self.index = index
        self.last = last
    }
}
