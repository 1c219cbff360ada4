/// Protobuf's base-128 varints (unsigned LEB128), written: by the code that writes wire
/// bytes by hand (``DeliverBatchFrame``, ``TapBatchWriter``, HubCore's field redactor and
/// personal-field splitter) and by the journal's inbox runs, which store ranges with them.
public enum Varint {
    /// Appends `value` in as many bytes as it needs (1 to 10).
    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// How many bytes `value` takes.
    @inlinable
    public static func size(_ value: UInt64) -> Int {
        var value = value
        var size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }
}
