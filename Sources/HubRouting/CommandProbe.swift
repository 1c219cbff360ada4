/// A look inside a first frame that did not decode as `swhub.v1.Command`, to tell a SUBMIT
/// whose message id is not valid UTF-8 (`405 MISSING_ID`, as the table of PROTOCOL.md
/// section 4 says) from any other undecodable frame (`400 MALFORMED_FRAME`). Protobuf
/// decoders refuse a whole message when one of its `string` fields is not UTF-8, so the
/// id's bytes are found by walking the wire format: `Command.submit` (field 12), then
/// `Submit.header` (field 1), then `Header.id` (field 1). Reads only within the frame.
enum CommandProbe {
    /// Whether the frame is a SUBMIT whose `header.id` is present and not valid UTF-8.
    ///
    /// - Parameters:
    ///   - frame: The first frame's bytes.
    /// - Returns: True only when the id's bytes were found and are not UTF-8.
    static func submitIdIsNotUTF8(_ frame: [UInt8]) -> Bool {
        frame.withUnsafeBufferPointer { bytes in
            guard let submit = field(12, in: bytes[...]), let header = field(1, in: submit), let id = field(1, in: header) else {
                return false
            }
            return String(validating: id, as: UTF8.self) == nil
        }
    }

    /// The bytes of the last length-delimited field `number` in a protobuf message (the
    /// last one wins, as in protobuf's merge of a non-repeated field), or nil when the
    /// message has none or is not well-formed wire format.
    private static func field(_ number: UInt64, in message: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>>? {
        var index = message.startIndex
        var found: Slice<UnsafeBufferPointer<UInt8>>?
        while index < message.endIndex {
            guard let key = varint(message, &index) else { return nil }
            switch key & 7 {
            case 0:
                guard varint(message, &index) != nil else { return nil }
            case 1, 5:
                let width = key & 7 == 1 ? 8 : 4
                guard message.endIndex - index >= width else { return nil }
                index += width
            case 2:
                guard let length = varint(message, &index), length <= UInt64(message.endIndex - index) else { return nil }
                let end = index + Int(length)
                if key >> 3 == number { found = message[index..<end] }
                index = end
            default:
                return nil
            }
        }
        return found
    }

    private static func varint(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
