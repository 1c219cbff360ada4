extension WireTapInfo {
    /// A serialized `TapInfo{header, dropped}` from an already serialized header: field 1
    /// (length-delimited), then field 2 (varint) unless it is 0 — byte for byte what
    /// `serializedBytes()` gives, without encoding the header again for every copy.
    /// - Parameters:
    ///   - headerBytes: a serialized `WireHeader`.
    ///   - dropped: the `dropped` field.
    public static func frame(headerBytes: [UInt8], dropped: UInt64) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(headerBytes.count + 16)
        func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                frame.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            frame.append(UInt8(value))
        }
        frame.append(0x0A)  // field 1, wire type 2
        varint(UInt64(headerBytes.count))
        frame.append(contentsOf: headerBytes)
        if dropped > 0 {
            frame.append(0x10)  // field 2, wire type 0
            varint(dropped)
        }
        return frame
    }
}
