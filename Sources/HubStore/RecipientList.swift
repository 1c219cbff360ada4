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

    /// The party ids of a stored list.
    public static func split(_ joined: String) -> [String] {
        joined.split(separator: ",").map(String.init)
    }
}
