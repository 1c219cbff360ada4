/// Writes XML text one element at a time, indenting with tabs as the customs samples do.
/// Every text and attribute value goes through ``escape(_:)``; names are the caller's
/// constants. The caller checks beforehand that values hold only characters XML allows
/// (``XMLTextWriter/isAllowed(_:)``).
struct XMLTextWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var open: [String] = []

    /// The document so far, UTF-8.
    var bytes: [UInt8] { Array(text.utf8) }

    /// Starts an element; `attributes` are written in the order given.
    mutating func start(_ name: String, _ attributes: [(String, String)] = []) {
        indent()
        text += "<" + name
        for (key, value) in attributes {
            text += " " + key + "=\"" + Self.escape(value) + "\""
        }
        text += ">\n"
        open.append(name)
    }

    /// Ends the innermost open element.
    mutating func end() {
        guard let name = open.popLast() else { return }
        indent()
        text += "</" + name + ">\n"
    }

    /// An element holding only text (`<name></name>` when `value` is empty).
    mutating func leaf(_ name: String, _ value: String, _ attributes: [(String, String)] = []) {
        indent()
        text += "<" + name
        for (key, value) in attributes {
            text += " " + key + "=\"" + Self.escape(value) + "\""
        }
        text += ">" + Self.escape(value) + "</" + name + ">\n"
    }

    private mutating func indent() {
        text += String(repeating: "\t", count: open.count)
    }

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
