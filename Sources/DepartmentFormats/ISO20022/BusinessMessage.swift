/// Which ISO 20022 message a file holds and the business application header it came with,
/// checked against the document: what a bank's system (or a test) can learn of any
/// business message without reading its content, e.g. a CBPR+ pacs.008 written by
/// ``SettlementWriter/cbprPacs008(_:businessService:)`` read back.
public struct BusinessMessage: Sendable, Equatable {
    /// The document's message identifier from its namespace, e.g. "pacs.008.001.08".
    public var messageType: String
    /// The header, nil for a bare Document.
    public var header: BusinessAppHeader?

    /// - Parameters: see the properties.
    public init(messageType: String, header: BusinessAppHeader?) {
        self.messageType = messageType
        self.header = header
    }

    /// Reads a file: a bare Document, or AppHdr and Document under an envelope.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - fileName: the file's name, for messages only.
    /// - Throws: `FormatError`: `.syntax` for XML that is not well-formed,
    ///   `.unknownDocument` when there is no Document or its namespace is not an ISO 20022
    ///   message's, `.missingField` / `.invalidValue` for a header that is incomplete or
    ///   contradicts the document (``BusinessAppHeader``).
    public static func read(_ data: [UInt8], fileName: String) throws -> BusinessMessage {
        let file = try ISO20022File.open(try XMLDocumentParser.root(data), fileName: fileName)
        guard !file.messageType.isEmpty else {
            throw FormatError(
                .unknownDocument, at: file.document.path, "\(fileName): namespace '\(file.namespace)' is not an ISO 20022 message's")
        }
        let header = try file.header.map {
            try BusinessAppHeader.read($0, messageType: file.messageType, overlaps: overlaps(file.document, file.messageType))
        }
        return BusinessMessage(messageType: file.messageType, header: header)
    }

    /// What a document says about its header's sender, receiver and copy indicator, for the
    /// messages whose structure is known here:
    /// - camt.053 / camt.054: each report's account servicer (`Acct/Svcr/FinInstnId/BICFI`,
    ///   `BIC` before version 05) is the sender; the group header's message recipient
    ///   (`GrpHdr/MsgRcpt/Id/OrgId/AnyBIC`, `BICOrBEI` in 02) the receiver; each report's
    ///   `CpyDplctInd` the copy indicator;
    /// - pacs.008: the instructing agent (`InstgAgt`, of the group header or a transaction)
    ///   is the sender, the instructed agent (`InstdAgt`) the receiver, and under CBPR+ the
    ///   header's BizMsgIdr contains `GrpHdr/MsgId`, as CBPR+'s pacs.008 rules require.
    /// Other messages: none.
    static func overlaps(_ document: XMLNode, _ messageType: String) -> [HeaderOverlap] {
        guard let message = document.childElements.first else { return [] }
        var overlaps: [HeaderOverlap] = []
        func add(_ field: HeaderOverlap.Field, _ node: XMLNode?) {
            if let node { overlaps.append(HeaderOverlap(field: field, value: node.text, path: node.path)) }
        }
        switch String(messageType.prefix(8)) {
        case "camt.053", "camt.054":
            if let recipient = message.child("GrpHdr", "MsgRcpt", "Id", "OrgId") {
                add(.to, recipient.child("AnyBIC") ?? recipient.child("BICOrBEI"))
            }
            for report in message.children(messageType.hasPrefix("camt.053") ? "Stmt" : "Ntfctn") {
                if let servicer = report.child("Acct", "Svcr", "FinInstnId") {
                    add(.from, servicer.child("BICFI") ?? servicer.child("BIC"))
                }
                add(.copyDuplicate, report.child("CpyDplctInd"))
            }
        case "pacs.008":
            add(.messageId, message.child("GrpHdr", "MsgId"))
            let holders = [message.child("GrpHdr")].compactMap { $0 } + message.children("CdtTrfTxInf")
            for holder in holders {
                add(.from, holder.child("InstgAgt", "FinInstnId", "BICFI"))
                add(.to, holder.child("InstdAgt", "FinInstnId", "BICFI"))
            }
        default:
            break
        }
        return overlaps
    }
}
