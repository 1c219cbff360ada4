/// Where an ISO 20022 file keeps its message: a bare `Document`, or a business message — a
/// Business Application Header (`AppHdr`, head.001) and the `Document` — wrapped together
/// in an envelope element, as SWIFT CBPR+ exchanges them (`Envelope` or `BusMsgEnvlp` in
/// `urn:swift:xsd:envelope`, `RequestPayload`, ISO's `BizMsgEnvlp` with `Hdr`/`Doc`, a
/// network's `DataPDU`/`Body`...). The envelope's own name and namespace do not matter: the
/// header and the document are found under it by local name.
struct ISO20022File {
    /// The `Document` element.
    var document: XMLNode
    /// The message identifier from the document's namespace, e.g. "camt.054.001.08"; ""
    /// when the namespace is not `urn:iso:std:iso:20022:tech:xsd:<message>`.
    var messageType: String
    /// The document's namespace as written.
    var namespace: String
    /// The `AppHdr` element, when the file has one.
    var header: XMLNode?

    /// The prefix of every ISO 20022 message namespace.
    static let namespacePrefix = "urn:iso:std:iso:20022:tech:xsd:"

    /// How deep under the root an enveloped `Document` or `AppHdr` is looked for.
    static let envelopeDepth = 4

    /// Finds the document (and its header) of a parsed file.
    /// - Throws: `FormatError.unknownDocument` when there is no `Document`, or more than one
    ///   `Document` or `AppHdr` (one business message per file).
    static func open(_ root: XMLNode, fileName: String) throws -> ISO20022File {
        if root.localName == "Document" { return make(document: root, header: nil) }
        var documents: [XMLNode] = []
        var headers: [XMLNode] = []
        if root.localName == "AppHdr" {
            headers = [root]
        } else {
            collect(root, depth: 1, documents: &documents, headers: &headers)
        }
        guard headers.count <= 1 else {
            throw FormatError(
                .unknownDocument, at: headers[1].path, "\(fileName): \(headers.count) business application headers (AppHdr); one per file")
        }
        guard let document = documents.first else {
            let defined = headers.first.map { " (its header names \(Self.describe($0.text("MsgDefIdr"))))" } ?? ""
            throw FormatError(
                .unknownDocument, at: root.path,
                "\(fileName): the root element is \(root.localName), not Document, and no ISO 20022 Document is under it\(defined)")
        }
        guard documents.count == 1 else {
            throw FormatError(
                .unknownDocument, at: documents[1].path, "\(fileName): \(documents.count) Documents under \(root.localName); one per file")
        }
        return make(document: document, header: headers.first)
    }

    private static func make(document: XMLNode, header: XMLNode?) -> ISO20022File {
        let namespace = XMLDocumentParser.namespace(of: document)
        let type = namespace.hasPrefix(namespacePrefix) ? String(namespace.dropFirst(namespacePrefix.count)) : ""
        return ISO20022File(document: document, messageType: type, namespace: namespace, header: header)
    }

    /// Every Document and AppHdr under `node`, not looking inside either.
    private static func collect(_ node: XMLNode, depth: Int, documents: inout [XMLNode], headers: inout [XMLNode]) {
        guard depth <= envelopeDepth else { return }
        for child in node.childElements {
            switch child.localName {
            case "Document": documents.append(child)
            case "AppHdr": headers.append(child)
            default: collect(child, depth: depth + 1, documents: &documents, headers: &headers)
            }
        }
    }

    /// "camt.054.001.08 (BankToCustomerDebitCreditNotification)", the name when the message
    /// family is one a bank commonly sends; the identifier alone otherwise.
    static func describe(_ messageType: String) -> String {
        guard !messageType.isEmpty else { return "no message identifier" }
        guard let name = names[String(messageType.prefix(8))] else { return messageType }
        return "\(messageType) (\(name))"
    }

    /// The ISO 20022 message definitions a bank's system commonly produces, by family.
    static let names: [String: String] = [
        "camt.029": "ResolutionOfInvestigation",
        "camt.052": "BankToCustomerAccountReport",
        "camt.053": "BankToCustomerStatement",
        "camt.054": "BankToCustomerDebitCreditNotification",
        "camt.056": "FIToFIPaymentCancellationRequest",
        "camt.057": "NotificationToReceive",
        "camt.060": "AccountReportingRequest",
        "head.001": "BusinessApplicationHeader",
        "pacs.002": "FIToFIPaymentStatusReport",
        "pacs.004": "PaymentReturn",
        "pacs.007": "FIToFIPaymentReversal",
        "pacs.008": "FIToFICustomerCreditTransfer",
        "pacs.009": "FinancialInstitutionCreditTransfer",
        "pacs.010": "FinancialInstitutionDirectDebit",
        "pain.001": "CustomerCreditTransferInitiation",
        "pain.002": "CustomerPaymentStatusReport",
        "pain.008": "CustomerDirectDebitInitiation",
    ]
}
