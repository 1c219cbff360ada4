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
    /// resolved.
    /// - Throws: `.syntax` at "line L, column C" when the bytes are not well-formed XML.
    static func parse(_ bytes: [UInt8]) throws(FormatError) -> XMLTree {
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
        let code = (parser.parserError as? NSError)?.code ?? builder.errorCode ?? 0
        throw FormatError(.syntax, at: "line \(line), column \(column)", "not well-formed XML (\(describe(code)))")
    }

    /// A readable name for an `XMLParser.ErrorCode` value.
    private static func describe(_ code: Int) -> String {
        guard let known = XMLParser.ErrorCode(rawValue: code) else { return "parser error \(code)" }
        switch known {
        case .emptyDocumentError, .prematureDocumentEndError: return "the document is empty or ends too early"
        case .tagNameMismatchError: return "an end tag does not match its start tag"
        case .gtRequiredError, .ltRequiredError: return "a tag is not closed"
        case .entityRefAtEOFError, .entityRefLoopError, .undeclaredEntityError, .unparsedEntityError:
            return "an entity reference is not allowed or unknown"
        case .attributeNotStartedError, .attributeNotFinishedError, .attributeRedefinedError, .attributeHasNoValueError:
            return "an attribute is malformed"
        case .namespaceDeclarationError: return "a namespace prefix is not declared"
        case .invalidCharacterError, .invalidCharacterInEntityError, .invalidCharacterRefError:
            return "a character is not allowed in XML"
        case .encodingNotSupportedError, .unknownEncodingError: return "the encoding is not supported"
        default: return "libxml2 error \(code)"
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

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !open.isEmpty else { return }
            open[open.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            guard errorLine == nil else { return }
            errorLine = parser.lineNumber
            errorColumn = parser.columnNumber
            errorCode = (parseError as NSError).code
        }
    }
}
