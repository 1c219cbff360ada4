/// A small XML writer: UTF-8, two-space indentation, text and attribute values escaped,
/// characters XML 1.0 does not allow refused with the XPath of the element they were for.
struct XMLWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var path: [String] = []

    /// Opens `name`; every `open` needs a `close`.
    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) throws {
        let head = pad + "<" + name
        path.append(name)
        text += head + (try attributeText(attributes)) + ">\n"
    }

    /// Closes the innermost open element.
    mutating func close() {
        guard let name = path.popLast() else { return }
        text += pad + "</" + name + ">\n"
    }

    /// Writes `<name attributes>value</name>`.
    mutating func leaf(_ name: String, _ value: String, _ attributes: KeyValuePairs<String, String> = [:]) throws {
        let head = pad + "<" + name
        path.append(name)
        defer { path.removeLast() }
        text +=
            head + (try attributeText(attributes)) + ">" + (try Self.escape(value, attribute: false, at: location)) + "</" + name + ">\n"
    }

    /// Opens `name`, runs `body`, closes it.
    mutating func element(_ name: String, _ body: (inout XMLWriter) throws -> Void) throws {
        try open(name)
        try body(&self)
        close()
    }

    /// The document's bytes.
    var bytes: [UInt8] { Array(text.utf8) }

    /// The XPath of the element being written.
    var location: String { "/" + path.joined(separator: "/") }

    /// Two spaces per open element.
    private var pad: String { String(repeating: "  ", count: path.count) }

    private func attributeText(_ attributes: KeyValuePairs<String, String>) throws -> String {
        try attributes.map { " \($0.key)=\"\(try Self.escape($0.value, attribute: true, at: location + "/@" + $0.key))\"" }
            .joined()
    }

    /// `value` escaped (``XMLText/escape(_:)``).
    /// - Throws: `FormatError.invalidValue` for a character XML 1.0 does not allow (control
    ///   characters other than tab, line feed and carriage return; U+FFFE, U+FFFF), naming
    ///   the first one.
    static func escape(_ value: String, attribute: Bool, at location: String) throws -> String {
        guard XMLText.isAllowed(value) else {
            let bad =
                value.unicodeScalars.first { !XMLText.isAllowed(String($0)) }.map { String($0.value, radix: 16, uppercase: true) } ?? "?"
            throw FormatError(.invalidValue, at: location, "U+\(bad) is not allowed in XML")
        }
        return XMLText.escape(value)
    }
}
