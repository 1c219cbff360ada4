/// Escaping for the XML the department formats write (CEB, DXP, ISO 20022): one rule for
/// every writer.
enum XMLText {
    /// `value` with the five XML special characters escaped, and carriage returns as
    /// character references so that a reader gets them back instead of a line feed.
    static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\r": escaped += "&#13;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Whether every character of `value` may appear in an XML 1.0 document (tab, line feed,
    /// carriage return and everything from U+0020 except U+FFFE and U+FFFF).
    static func isAllowed(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
            default: false
            }
        }
    }
}
