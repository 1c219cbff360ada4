import CZeroMQ

/// The Z85 text encoding of binary data used for CURVE keys (`zmq_z85_encode`,
/// `zmq_z85_decode`).
public enum Z85 {
    /// Encodes bytes as Z85 text.
    /// - Parameters:
    ///   - bytes: The data; its length must be a multiple of 4.
    /// - Returns: The text (5 characters per 4 bytes), or `nil` if the length is wrong.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        if bytes.isEmpty { return "" }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else { return nil }
        return stringFromCBuffer(text)
    }

    /// Decodes Z85 text.
    /// - Parameters:
    ///   - string: The text; its length must be a multiple of 5.
    /// - Returns: The bytes (4 per 5 characters), or `nil` if the text is not valid Z85.
    public static func decode(_ string: String) -> [UInt8]? {
        let length = string.utf8.count
        guard length % 5 == 0, !string.utf8.contains(0) else { return nil }
        if length == 0 { return [] }
        var bytes = [UInt8](repeating: 0, count: length / 5 * 4)
        guard zmq_z85_decode(&bytes, string) != nil else { return nil }
        return bytes
    }
}
