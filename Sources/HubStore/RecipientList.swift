/// How every store keeps a message's recipients: party ids joined by `,` (party ids never
/// contain one), the form the checksum and the hash chain cover.
public enum RecipientList {
    /// Party ids joined by `,`.
    /// - Throws: ``StoreError`` `writeFailed` if one is empty or contains a `,`.
    public static func join(_ recipients: [String]) throws -> String {
        for recipient in recipients where recipient.isEmpty || recipient.utf8.contains(UInt8(ascii: ",")) {
            throw StoreError(code: .writeFailed, reason: "a recipient id is empty or contains ','")
        }
        return recipients.joined(separator: ",")
    }

    /// The party ids of a stored list: split at each `,` byte, which no party id holds,
    /// so it inverts ``join(_:)`` even for an id that begins with a combining mark (which
    /// a split by `Character` would leave joined to the comma before it). Every record
    /// read pays this once, so it walks bytes rather than grapheme clusters.
    public static func split(_ joined: String) -> [String] {
        joined.utf8.split(separator: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) }
    }
}
