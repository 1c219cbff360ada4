/// A delivery header's bytes for a DELIVER_BATCH entry, written once for all of a message's
/// recipients (`DeliverBatchFrame.append(_:recipient:bodySize:)`): every field but the
/// recipients, which each entry writes for itself.
public struct SharedDeliveryHeader: Sendable {
    /// The fields before the recipients, then those after them.
    let bytes: [UInt8]
    /// Where the fields after the recipients begin in `bytes`.
    let split: Int

    /// Writes `header`'s fields (its own recipients are not written).
    public init(_ header: WireHeader) {
        (bytes, split) = DeliverBatchFrame.sharedParts(of: header)
    }
}
