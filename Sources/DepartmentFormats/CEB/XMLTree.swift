import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// One element of a parsed XML document: as much of a DOM as the CEB and DXP readers need.
/// Built by ``parse(_:)`` with Foundation's `XMLParser` (libxml2) in namespace-aware mode,
/// so names are local names and every element knows its namespace URI.
struct XMLTree: Sendable {
    /// The namespace URI, "" for an element in no namespace.
    var namespace: String
    /// The local name (no prefix).
    var name: String
    /// Attributes by name.
    var attributes: [String: String]
    /// The character data directly inside the element (CDATA included), verbatim.
    var text: String
    var children: [XMLTree]

    /// The children called `name` whose namespace is `namespace` or none at all, in document order.
    func children(named name: String, in namespace: String) -> [XMLTree] {
        children.filter { $0.name == name && ($0.namespace == namespace || $0.namespace.isEmpty) }
    }

    /// The first child called `name` in `namespace` (or in no namespace).
    func child(named name: String, in namespace: String) -> XMLTree? {
        children.first { $0.name == name && ($0.namespace == namespace || $0.namespace.isEmpty) }
    }

    /// Parses a whole document (a UTF-8 byte order mark is fine). External entities are not
    /// resolved, and a document with a DTD is refused (``XMLDoctype``).
    /// - Throws: `.syntax` at "line L, column C" when the bytes are not well-formed XML, at
    ///   "line L" when they carry a DTD.
    static func parse(_ bytes: [UInt8]) throws(FormatError) -> XMLTree {
        try XMLDoctype.check(bytes)
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let builder = Builder()
        parser.delegate = builder
        let parsed = parser.parse()
        if parsed, let root = builder.root {
            return root
        }
        let line = builder.errorLine ?? parser.lineNumber
        let column = builder.errorColumn ?? parser.columnNumber
        let code = builder.errorCode ?? (parser.parserError as? NSError)?.code ?? 0
        throw FormatError(.syntax, at: "line \(line), column \(column)", "not well-formed XML (\(describe(code)))")
    }

    /// What a libxml2 parser error number (`xmlParserErrors`, which `XMLParser` reports as
    /// its error code) means, for the common ones.
    private static func describe(_ code: Int) -> String {
        switch code {
        case 4: "the document is empty"
        case 5: "content after the root element"
        case 9, 6, 7, 8: "a character XML does not allow"
        case 22, 23, 26, 27, 28, 29: "an undeclared or malformed entity reference"
        case 31, 32: "an unsupported encoding"
        case 38...42: "a malformed attribute"
        case 45: "an unfinished comment"
        case 63: "an unfinished CDATA section"
        case 68: "a name is expected"
        case 72, 73, 74: "a tag is not closed"
        case 76: "an end tag does not match its start tag"
        case 77: "an element is not closed before the end"
        case 201: "an undeclared namespace prefix"
        default: "libxml2 error \(code)"
        }
    }

    /// The delegate that assembles the tree and remembers where the first error was.
    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLTree?
        var open: [XMLTree] = []
        var errorLine: Int?
        var errorColumn: Int?
        var errorCode: Int?
        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            open.append(
                XMLTree(namespace: namespaceURI ?? "", name: elementName, attributes: attributeDict, text: "", children: []))
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let done = open.popLast() else { return }
            if open.isEmpty {
                root = done
            } else {
                open[open.count - 1].children.append(done)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !open.isEmpty else { return }
            open[open.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            guard !open.isEmpty else { return }
            open[open.count - 1].text += String(decoding: block, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            guard errorLine == nil else { return }
            errorLine = parser.lineNumber
            errorColumn = parser.columnNumber
            errorCode = (parseError as NSError).code
        }
    }
}

extension Character {
    /// XML white space: space, tab, line feed, carriage return (and CR LF, one Character in Swift).
    var isXMLWhitespace: Bool { self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\r\n" }
}

extension String {
    /// Without leading and trailing XML white space, as xs:decimal, xs:int and base64 values are read.
    var trimmingXMLWhitespace: String {
        String(drop(while: \.isXMLWhitespace).reversed().drop(while: \.isXMLWhitespace).reversed())
    }
}
