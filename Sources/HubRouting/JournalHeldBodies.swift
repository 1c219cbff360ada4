import HubCore
import HubStore

/// The flows' parked held records read back from the journal (``FlowEngine/heldBodies``):
/// the body of the message the journal holds under the record's sender and id.
public struct JournalHeldBodies: HeldBodySource {
    let store: any JournalStore
    let seal: PersonalDataSeal?

    /// Bodies from `store`, their personal fields opened by `seal` (nil: none are sealed).
    public init(store: any JournalStore, seal: PersonalDataSeal? = nil) {
        self.store = store
        self.seal = seal
    }

    public func body(sender: String, id: String) -> [UInt8]? {
        // A record the journal cannot read (damaged) is as absent: the query does not find it.
        guard let stored = (try? store.record(sender: sender, id: id)) ?? nil else { return nil }
        return seal?.opened(stored).record.body ?? stored.body
    }
}
