import HubProtocol
import HubStore

extension JournalRecord {
    /// The delivery header of this journaled message, without recipients (a recipient
    /// learns that it is one, not who else is: each sender of a DELIVER sets them).
    public var deliveryHeader: WireHeader {
        var header = WireHeader()
        header.id = id
        header.type = type
        header.sender = sender
        header.correlationID = correlationId
        header.createdAtUs = createdAtUs
        header.journaledAtUs = journaledAtUs
        header.seq = seq
        return header
    }
}
