/// A Business Application Header (head.001, `AppHdr`): who sent a business message to whom,
/// its identifier and which message definition the document is. SWIFT CBPR+ sends every
/// message with one (head.001.001.02, `BizSvc` `swift.cbprplus.NN`).
public struct BusinessAppHeader: Sendable, Equatable {
    /// The header's own message identifier, e.g. "head.001.001.02".
    public var version: String
    /// Fr: the sender's BIC (FIId/FinInstnId/BICFI, else OrgId/Id/OrgId/AnyBIC); "" when
    /// the sender is identified otherwise.
    public var from: String
    /// To: the receiver's BIC, found the same way.
    public var to: String
    /// BizMsgIdr, at most 35 characters.
    public var businessMessageId: String
    /// MsgDefIdr, the document's message identifier, e.g. "camt.054.001.08".
    public var messageDefinitionId: String
    /// BizSvc, e.g. "swift.cbprplus.03"; "" when absent.
    public var businessService: String
    /// CreDt, an ISODateTime as written.
    public var creationDate: String
    /// CpyDplct (COPY, CODU or DUPL); "" when absent.
    public var copyDuplicate: String

    /// - Parameters: see the properties.
    public init(
        version: String = "head.001.001.02", from: String, to: String, businessMessageId: String, messageDefinitionId: String,
        businessService: String = "", creationDate: String, copyDuplicate: String = ""
    ) {
        self.version = version
        self.from = from
        self.to = to
        self.businessMessageId = businessMessageId
        self.messageDefinitionId = messageDefinitionId
        self.businessService = businessService
        self.creationDate = creationDate
        self.copyDuplicate = copyDuplicate
    }

    /// True when the business service is one of SWIFT CBPR+ (`swift.cbprplus…`), whose
    /// rules are then applied too: both parties by BIC, CreDt with its UTC offset.
    public var isCBPRPlus: Bool { businessService.lowercased().hasPrefix("swift.cbprplus") }

    /// The header versions read.
    static let versions = ["head.001.001.01", "head.001.001.02", "head.001.001.03"]
}

/// A value a header shares with its document, to be checked against it.
struct HeaderOverlap {
    enum Field {
        /// The sender: compared with the header's Fr by institution (the BIC's first eight
        /// characters; a branch code may differ).
        case from
        /// The receiver: compared with To the same way.
        case to
        /// The document's copy/duplicate indicator: equal to CpyDplct when both are given.
        case copyDuplicate
        /// The document's message id (GrpHdr/MsgId), which BizMsgIdr must contain under
        /// CBPR+ (for the messages whose usage guidelines say so).
        case messageId
    }

    var field: Field
    /// The document's value; "" when the document does not give it (nothing is checked).
    var value: String
    /// Where the document gives it.
    var path: String
}

extension BusinessAppHeader {
    /// Reads and checks a header against its document.
    /// - Parameters:
    ///   - node: the AppHdr element.
    ///   - messageType: the document's message identifier from its namespace.
    ///   - overlaps: what the document says about the same things.
    /// - Throws: `FormatError`: `.unknownDocument` for a header version not read,
    ///   `.missingField` / `.invalidValue` at the header's XPath for a missing or bad field
    ///   or one that contradicts the document.
    static func read(_ node: XMLNode, messageType: String, overlaps: [HeaderOverlap]) throws -> BusinessAppHeader {
        let namespace = XMLDocumentParser.namespace(of: node)
        let version =
            namespace.hasPrefix(ISO20022File.namespacePrefix) ? String(namespace.dropFirst(ISO20022File.namespacePrefix.count)) : ""
        guard versions.contains(version) else {
            throw FormatError(
                .unknownDocument, at: node.path,
                "the business application header's namespace '\(namespace)' is not head.001.001.01 to head.001.001.03")
        }
        var header = BusinessAppHeader(
            version: version, from: "", to: "", businessMessageId: node.text("BizMsgIdr"),
            messageDefinitionId: node.text("MsgDefIdr"), businessService: node.text("BizSvc"), creationDate: node.text("CreDt"),
            copyDuplicate: node.text("CpyDplct"))
        header.from = try party(node, "Fr", cbpr: header.isCBPRPlus)
        header.to = try party(node, "To", cbpr: header.isCBPRPlus)
        try required(header.businessMessageId, node, "BizMsgIdr")
        guard header.businessMessageId.unicodeScalars.count <= 35 else {
            throw FormatError(.invalidValue, at: node.path + "/BizMsgIdr", "longer than 35 characters")
        }
        try required(header.messageDefinitionId, node, "MsgDefIdr")
        guard header.messageDefinitionId == messageType else {
            throw FormatError(
                .invalidValue, at: node.path + "/MsgDefIdr",
                "the header says the message is \(header.messageDefinitionId), the Document's namespace says \(ISO20022File.describe(messageType))"
            )
        }
        try required(header.creationDate, node, "CreDt")
        guard header.creationDate.contains("T"), ISODateTime.cebTime(header.creationDate, utcOffsetMinutes: 0) != nil else {
            throw FormatError(.invalidValue, at: node.path + "/CreDt", "'\(header.creationDate)' is not an ISO date-time")
        }
        if header.isCBPRPlus, !ISOPatterns.hasUTCOffset(header.creationDate) {
            throw FormatError(
                .invalidValue, at: node.path + "/CreDt", "'\(header.creationDate)' has no UTC offset (+hh:mm), which CBPR+ requires")
        }
        if !header.copyDuplicate.isEmpty, !["COPY", "CODU", "DUPL"].contains(header.copyDuplicate) {
            throw FormatError(.invalidValue, at: node.path + "/CpyDplct", "'\(header.copyDuplicate)' is not COPY, CODU or DUPL")
        }
        for overlap in overlaps where !overlap.value.isEmpty {
            try header.check(overlap, node: node)
        }
        return header
    }

    private func check(_ overlap: HeaderOverlap, node: XMLNode) throws {
        switch overlap.field {
        case .from, .to:
            let (own, element, role) = overlap.field == .from ? (from, "Fr", "sender") : (to, "To", "receiver")
            // A copy (COPY, CODU) goes to a third party: its Fr and To are not the document's parties.
            guard !own.isEmpty, !["COPY", "CODU"].contains(copyDuplicate) else { return }
            guard own.prefix(8).uppercased() == overlap.value.prefix(8).uppercased() else {
                throw FormatError(
                    .invalidValue, at: node.path + "/\(element)",
                    "the header's \(role) \(own) is another institution than the Document's \(overlap.value) at \(overlap.path)")
            }
        case .messageId:
            guard isCBPRPlus, !businessMessageId.contains(overlap.value) else { return }
            throw FormatError(
                .invalidValue, at: node.path + "/BizMsgIdr",
                "'\(businessMessageId)' does not contain the Document's message id \(overlap.value) at \(overlap.path), as CBPR+ requires")
        case .copyDuplicate:
            guard !copyDuplicate.isEmpty else { return }
            guard copyDuplicate == overlap.value else {
                throw FormatError(
                    .invalidValue, at: node.path + "/CpyDplct",
                    "the header says \(copyDuplicate), the Document's copy/duplicate indicator at \(overlap.path) says \(overlap.value)")
            }
        }
    }

    /// The BIC of Fr or To; "" when the party is identified otherwise (an error under CBPR+).
    private static func party(_ node: XMLNode, _ name: String, cbpr: Bool) throws -> String {
        guard let party = node.child(name) else {
            throw FormatError(.missingField, at: node.path + "/\(name)", "the header has no \(name)")
        }
        let element = party.child("FIId", "FinInstnId", "BICFI") ?? party.child("OrgId", "Id", "OrgId", "AnyBIC")
        guard let element, !element.text.isEmpty else {
            if cbpr {
                throw FormatError(.missingField, at: party.path + "/FIId/FinInstnId/BICFI", "CBPR+ names the party by its BIC")
            }
            return ""
        }
        guard ISOPatterns.isBIC(element.text) else {
            throw FormatError(.invalidValue, at: element.path, "'\(element.text)' is not a BIC")
        }
        return element.text
    }

    private static func required(_ value: String, _ node: XMLNode, _ name: String) throws {
        guard !value.isEmpty else { throw FormatError(.missingField, at: node.path + "/\(name)", "the header has no \(name)") }
    }
}
