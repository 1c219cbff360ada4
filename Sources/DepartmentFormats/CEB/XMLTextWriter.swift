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

    /// `value` escaped for text and attributes (``XMLText/escape(_:)``).
    static func escape(_ value: String) -> String { XMLText.escape(value) }

    /// Whether XML 1.0 allows every character of `value` (``XMLText/isAllowed(_:)``).
    static func isAllowed(_ value: String) -> Bool { XMLText.isAllowed(value) }
}
