import Foundation
import SWXMLHash

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a parsed ISO 20022 document, found by local name (any namespace prefix
/// is ignored) and carrying its XPath for error locations, e.g.
/// `/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt`.
struct XMLNode {
    let element: SWXMLHash.XMLElement
    /// The XPath of this element, by local names, with `[n]` where a list was indexed.
    let path: String

    /// The element name without its namespace prefix.
    var localName: String { Self.localName(element.name) }

    /// The namespace prefix of the element name, "" when none.
    var prefix: String {
        guard let colon = element.name.firstIndex(of: ":") else { return "" }
        return String(element.name[..<colon])
    }

    /// The element's own text, trimmed.
    var text: String { element.text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Every child element named `name`, in document order, with indexed paths.
    func children(_ name: String) -> [XMLNode] {
        element.children.compactMap { $0 as? SWXMLHash.XMLElement }
            .filter { Self.localName($0.name) == name }
            .enumerated()
            .map { XMLNode(element: $1, path: "\(path)/\(name)[\($0 + 1)]") }
    }

    /// Every child element, in document order.
    var childElements: [XMLNode] {
        element.children.compactMap { $0 as? SWXMLHash.XMLElement }
            .map { XMLNode(element: $0, path: "\(path)/\(Self.localName($0.name))") }
    }

    /// The first descendant along `names` (each the first child of that name).
    func child(_ names: String...) -> XMLNode? {
        var node = self
        for name in names {
            guard
                let next = node.element.children.lazy.compactMap({ $0 as? SWXMLHash.XMLElement })
                    .first(where: { Self.localName($0.name) == name })
            else { return nil }
            node = XMLNode(element: next, path: "\(node.path)/\(name)")
        }
        return node
    }

    /// The trimmed text of the first descendant along `names`, "" when absent.
    func text(_ names: String...) -> String {
        var node = self
        for name in names {
            guard let next = node.child(name) else { return "" }
            node = next
        }
        return node.text
    }

    /// An attribute's value, nil when absent.
    func attribute(_ name: String) -> String? { element.attribute(by: name)?.text }

    static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}

/// Parsing with SWXMLHash (namespace processing off, so that prefixes and `xmlns`
/// attributes stay visible), turning a syntax error into a `FormatError.syntax` with the
/// parser's line and column.
enum XMLDocumentParser {
    /// The document element of `data`.
    static func root(_ data: [UInt8]) throws -> XMLNode {
        guard !data.isEmpty else { throw FormatError(.syntax, at: "line 1", "the file is empty") }
        try XMLDoctype.check(data)
        let parsed = XMLHash.config { $0.detectParsingErrors = true }.parse(Data(data))
        if case .parsingError(let error) = parsed {
            // Foundation on Linux leaves the error's line 0: ask the parser itself.
            let (line, column) = error.line > 0 ? (error.line, error.column) : SyntaxProbe.position(data)
            throw FormatError(.syntax, at: "line \(line), column \(column)", "not well-formed XML")
        }
        guard let top = parsed.element?.children.compactMap({ $0 as? SWXMLHash.XMLElement }).first else {
            throw FormatError(.syntax, at: "line 1", "no document element")
        }
        return XMLNode(element: top, path: "/" + XMLNode.localName(top.name))
    }

    /// The namespace URI the element's prefix (or the default namespace) is bound to on
    /// the element or one of its ancestors, "" when none.
    static func namespace(of node: XMLNode) -> String {
        let key = node.prefix.isEmpty ? "xmlns" : "xmlns:\(node.prefix)"
        var element: SWXMLHash.XMLElement? = node.element
        while let current = element {
            if let uri = current.attribute(by: key)?.text { return uri }
            element = current.parent
        }
        return ""
    }
}

/// Finds where Foundation's XMLParser stops on a syntax error.
private final class SyntaxProbe: NSObject, XMLParserDelegate {
    private var line = 0
    private var column = 0

    static func position(_ data: [UInt8]) -> (Int, Int) {
        let probe = SyntaxProbe()
        let parser = XMLParser(data: Data(data))
        parser.delegate = probe
        _ = parser.parse()
        return (probe.line, probe.column)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if line == 0 {
            line = parser.lineNumber
            column = parser.columnNumber
        }
    }
}
