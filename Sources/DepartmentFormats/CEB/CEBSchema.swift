/// The shape of one CEB message as the 2022 XSD of its direction defines it: the root, the
/// business node it repeats (`Order`, `Receipts`, `InventoryReturn`, ...), the node's head
/// and line list, and whether BaseTransfer and a signature follow. The tables themselves are
/// generated from the XSDs (`Generated/`, `Scripts/generate-ceb-schema.py`).
struct CEBSchema: Sendable {
    /// Which XSD defines the message: ceb-import-2022.xsd or ceb-export-2022.xsd (the latter
    /// also has the summary messages 701, 702 and 792).
    enum Direction: String, Sendable {
        case `import`
        case export
    }

    /// The root element, e.g. "CEB311Message".
    let root: String
    let direction: Direction
    /// The business node the root repeats, one hub document each.
    let node: String
    /// Whether a BaseTransfer follows the business nodes (filings have one, receipts not).
    let baseTransfer: Bool
    /// Whether the XSD requires a ds:Signature (CEB621, 623, 625 and 711 among the messages handled).
    let signatureRequired: Bool
    /// The node's head (`OrderHead`), or with `name` nil the elements directly in the node.
    let head: CEBGroup
    /// The node's repeated line list (`OrderList`), if it has one.
    let list: CEBGroup?

    /// The namespace of every CEB element.
    static let namespace = "http://www.chinaport.gov.cn/ceb"

    /// The schema of the message whose root element is `root`, if the hub handles it.
    static func named(_ root: String) -> CEBSchema? {
        importMessages[root] ?? exportMessages[root]
    }

    /// BaseTransfer (the sender's DXP identity), as both XSDs define it, with the stricter
    /// import minimum length of copCode.
    static let baseTransferElements: [CEBElement] = [
        .init("copCode", .text(1, 18)),
        .init("copName", .text(0, 100)),
        .init("dxpMode", .text(3, 3)),
        .init("dxpId", .text(0, 30)),
    ]
}

/// A group of simple elements in XSD sequence order: a head, a line, or a flat node.
struct CEBGroup: Sendable {
    /// The group's element name; nil when its elements sit directly in the business node.
    let name: String?
    let minOccurs: Int
    let maxOccurs: Int
    let elements: [CEBElement]

    /// The element called `name`, if the group has one.
    func element(named name: String) -> CEBElement? {
        elements.first { $0.name == name }
    }
}

/// One simple element of the standard and the facets the XSD gives it.
struct CEBElement: Sendable {
    enum Kind: Sendable, Equatable {
        /// xs:string of `min`...`max` characters.
        case text(Int, Int)
        /// xs:decimal with at most this many digits in all and after the point.
        case decimal(Int, Int)
        /// xs:int with at most this many digits.
        case int(Int)

        /// Whether it is an xs:int.
        var isInt: Bool {
            if case .int = self { return true }
            return false
        }
    }

    /// The element's local name, e.g. "orderNo", "POD".
    let name: String
    let kind: Kind
    let required: Bool
    /// The XSD's `default`: the value of the element when it is there but empty.
    let defaultValue: String?

    init(_ name: String, _ kind: Kind, required: Bool = true, default defaultValue: String? = nil) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
    }

    /// The ProtoJSON name of the business.proto field that holds this element: the element
    /// name itself, lower-cased when it is an all-capitals abbreviation ("POD" → "pod").
    var fieldName: String {
        name.allSatisfy(\.isUppercase) ? name.lowercased() : name
    }

    /// Why `value` is not a number of this element's kind (nil when it is one, or when the
    /// element holds text): the lexical form only (``facetProblem(_:)`` checks the rest).
    func numberProblem(_ value: String) -> String? {
        switch kind {
        case .text: nil
        case .decimal: CEBElement.decimalParts(value) == nil ? "'\(name)' is not a decimal number" : nil
        case .int: Int32(value) == nil ? "'\(name)' is not a whole number" : nil
        }
    }

    /// Why `value` breaks the XSD's facets for this element, nil when it keeps them: what a
    /// writer checks, so that every file it produces validates, and what a reader checks, so
    /// that a file that does not validate is refused at the element instead of journaled.
    func facetProblem(_ value: String) -> String? {
        guard XMLTextWriter.isAllowed(value) else { return "'\(name)' holds a character XML does not allow" }
        switch kind {
        case .text(let min, let max):
            let count = value.unicodeScalars.count
            if count < min || count > max {
                return min == max
                    ? "'\(name)' must be \(min) characters long, not \(count)"
                    : "'\(name)' must be \(min) to \(max) characters long, not \(count)"
            }
            return nil
        case .decimal(let total, let fraction):
            guard let parts = CEBElement.decimalParts(value) else { return "'\(name)' is not a decimal number" }
            if parts.fraction.count > fraction { return "'\(name)' has more than \(fraction) digits after the point" }
            if parts.integer.count + parts.fraction.count > total { return "'\(name)' has more than \(total) digits" }
            return nil
        case .int(let total):
            guard Int32(value) != nil else { return "'\(name)' is not a whole number" }
            return value.filter(\.isASCIIDigitCharacter).drop(while: { $0 == "0" }).count > total
                ? "'\(name)' has more than \(total) digits" : nil
        }
    }

    /// The significant digits of an xs:decimal's lexical form (optional sign, digits, an
    /// optional point and digits; at least one digit): the integer part without leading
    /// zeros and the fraction without trailing zeros, as the XSD's digit facets (and
    /// xmllint) count them. Nil when `value` is not one.
    static func decimalParts(_ value: String) -> (integer: Substring, fraction: Substring)? {
        var rest = Substring(value)
        if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
        let pieces = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = pieces[0]
        let fraction = pieces.count > 1 ? pieces[1] : ""
        guard integer.count + fraction.count > 0,
            integer.allSatisfy(\.isASCIIDigitCharacter), fraction.allSatisfy(\.isASCIIDigitCharacter)
        else { return nil }
        let significant = fraction.reversed().drop(while: { $0 == "0" }).count
        return (integer.drop(while: { $0 == "0" }), fraction.prefix(significant))
    }
}

extension Character {
    /// 0 to 9 only (`isNumber` also accepts other scripts' digits).
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
