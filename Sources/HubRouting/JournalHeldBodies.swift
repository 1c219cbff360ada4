import HubCore
import HubStore

/// The flows' parked held records read back from the journal (``FlowEngine/heldBodies``):
/// the body of the message the journal holds under the record's sender and id.
public struct JournalHeldBodies: HeldBodySource {
    let store: any JournalStore

    /// Bodies from `store`.
    public init(store: any JournalStore) {
        self.store = store
    }

    public func body(sender: String, id: String) -> [UInt8]? {
        // A record the journal cannot read (damaged) is as absent: the query does not find it.
        (try? store.record(sender: sender, id: id))??.body
    }
}
