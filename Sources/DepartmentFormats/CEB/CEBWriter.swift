import Foundation
import SwiftProtobuf

/// The sender's transfer identity, written as every filing's BaseTransfer (基础报文传输实体).
public struct CEBIdentity: Sendable, Equatable {
    /// The transferring enterprise's customs code (copCode, 1 to 18 characters).
    public var copCode: String
    /// Its registered name (copName, up to 100 characters).
    public var copName: String
    /// The transfer mode (dxpMode, 3 characters): "DXP", the e-port's exchange platform.
    public var dxpMode: String
    /// Its user id on the exchange platform (dxpId, up to 30 characters).
    public var dxpId: String

    /// - Parameters:
    ///   - copCode: the transferring enterprise's customs code.
    ///   - copName: its registered name.
    ///   - dxpMode: the transfer mode, "DXP" unless the e-port says otherwise.
    ///   - dxpId: its user id on the exchange platform.
    public init(copCode: String, copName: String, dxpMode: String = "DXP", dxpId: String) {
        self.copCode = copCode
        self.copName = copName
        self.dxpMode = dxpMode
        self.dxpId = dxpId
    }
}

/// Writes hub messages as customs CEB XML, one message with one business node per call, in
/// the form the official samples have: UTF-8 with an XML declaration, the `ceb:` prefix,
/// elements in XSD sequence order, optional elements left out when empty. Every file it
/// returns validates against the 2022 XSD of its direction (ceb-import-2022.xsd for 311,
/// 411, 511, 513, 621, 623, 625, 711 and their receipts, 816, 818, 900; ceb-export-2022.xsd for 303, 403,
/// 505, 507, 509, 603, 605, 607, 213, 215, 701, 792 and theirs); a body that cannot make
/// such a file is refused with a ``FormatError``.
///
/// | hub type | message |
/// | --- | --- |
/// | ceb.Order | CEB311 (order_type "I" or empty), CEB303 ("E") |
/// | ceb.Payment | CEB411 (ie_flag "I" or empty), CEB403 proceeds ("E") |
/// | ceb.Waybill | CEB511, CEB505 (by ie_flag) |
/// | ceb.Inventory | CEB621, CEB603 (by ie_flag) |
/// | ceb.SummaryDeclaration | CEB701 |
/// | ceb.Receipt | its message_type: CEB312/412/512/622, CEB304/404/506/604/702, CEB606/624, 214/626, 216, 508, 510, 514, 608, 712, 900 |
/// | ceb.SummaryResult | CEB792 |
/// | ceb.Cancellation | CEB623 (ie_flag "I" or empty), CEB605 ("E") |
/// | ceb.ReturnRequest | CEB625 (original_ie_flag "I" or empty), CEB213 ("E") |
/// | ceb.ReturnTally | CEB215 |
/// | ceb.Arrival, ceb.Departure | CEB507, CEB509 |
/// | ceb.WaybillStatus | CEB513 |
/// | ceb.MasterWaybill | CEB607 |
/// | ceb.WarehouseEntry | CEB711 |
/// | ceb.TaxBill, ceb.TaxStatus | CEB816, CEB818 |
///
/// Defaults: a required element the body leaves empty gets
/// - `guid`: the `guid` parameter of ``write(type:body:guid:)`` (after ``messageGuid(_:)``),
///   which is also the root's guid attribute; `version` is always "1.0" (the standard's default);
/// - `appType`: "1" (新增, new), the standard's default;
/// - `appStatus`: "2" (申报, declared): the hub sends what it forwards for declaration;
/// - `appTime`: the writer's clock, Beijing time, `YYYYMMDDhhmmss`;
/// - `orderType` (orders) and `ieFlag` (inventories): "I" in CEB311/621, "E" in CEB303/603;
///   `ieFlag` of CEB213 and CEB215: "I" (an export's returned goods come in);
/// - `currency` of import messages: "142", the only currency the standard allows there;
/// - `freight`, `insuredFee`, `discount`, `taxTotal`: "0", as the standard says to fill when none;
/// - xs:int elements (`gnum`, `packNo`, `msgCount`, `msgSeqNo`, `gseqno`): the field's value,
///   0 when unset (proto3 cannot tell 0 from unset);
/// - xs:string elements without a minimum length (several export ones, e.g. CEB603
///   `barCode`, CEB604 `invtNo`): an empty element.
///
/// Also: CEB701 `startTime`/`endTime` given as a date `YYYYMMDD` (as the hub's summary
/// aggregator makes them) become `YYYYMMDD000000`/`YYYYMMDD235959`, since the XSD wants 14
/// characters; CEB621, 623, 625 and 711, whose XSD requires a ds:Signature, get an unsigned
/// template for the signing step; BaseTransfer comes from the writer's ``CEBIdentity``. Any other empty
/// required element is a `.missingField`.
public struct CEBWriter: Sendable {
    public let identity: CEBIdentity
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - identity: the BaseTransfer written into every filing.
    ///   - now: the clock for an appTime the body leaves empty.
    public init(identity: CEBIdentity, now: @escaping @Sendable () -> Date = { Date() }) {
        self.identity = identity
        self.now = now
    }

    /// Writes one hub message as a CEB message.
    /// - Parameters:
    ///   - type: the hub message type, e.g. "ceb.Inventory".
    ///   - body: the serialized business.proto message.
    ///   - guid: the message's guid: the root's guid attribute, and the business node's guid
    ///     when the body has none. Used as it is when 36 characters long; otherwise a stable
    ///     36-character id is derived from it (``CEBWriter/messageGuid(_:)``).
    /// - Returns: the XML document, UTF-8.
    /// - Throws: `.unsupported` for a hub type without a CEB message; `.invalidValue` for a
    ///   body that does not parse, a variant flag other than I/E, or a value that breaks the
    ///   XSD (XPath of the element); `.missingField` (XPath) for a required element the body
    ///   leaves empty and that has no default, and for an empty business key (the keys the
    ///   reader insists on: what the writer writes, the reader reads).
    public func write(type: String, body: [UInt8], guid: String) throws(FormatError) -> [UInt8] {
        let fields = try CEBBinding.fields(ofBody: body, hubType: type)
        let binding = try CEBBinding.forWriting(type, fields: fields.mapValues { CEBBinding.text($0) })
        guard let schema = CEBSchema.named(binding.root) else {
            throw FormatError(.unsupported, "no schema for \(binding.root)")
        }
        let messageGuid = try Self.messageGuid(guid)
        let fill = Fill(binding: binding, direction: schema.direction, guid: messageGuid, appTime: BeijingTime.appTime(now()))
        let root = schema.root
        var xml = XMLTextWriter()
        xml.start("ceb:" + root, [("guid", messageGuid), ("version", "1.0"), ("xmlns:ceb", CEBSchema.namespace)])
        let nodePath = "/\(root)/\(schema.node)[1]"
        // The reader refuses a document without its business keys (it could not be matched):
        // the writer refuses to write one.
        for key in binding.keys where CEBBinding.text(fields[key]).isEmpty && binding.implied[key] == nil {
            throw FormatError(
                .missingField, at: nodePath + (schema.head.name.map { "/" + $0 } ?? "") + "/" + key,
                "\(key) is a business key of \(root) and the \(binding.hubType) leaves \(Fill.protoName(key)) empty")
        }
        xml.start("ceb:" + schema.node)
        if let head = schema.head.name {
            xml.start("ceb:" + head)
            try write(schema.head.elements, fields, path: nodePath + "/" + head, fill: fill, into: &xml)
            xml.end()
        } else {
            try write(schema.head.elements, fields, path: nodePath, fill: fill, into: &xml)
        }
        if let list = schema.list, let listName = list.name, let listField = binding.listField {
            let lines = fields[listField]?.listValue.values ?? []
            guard lines.count >= list.minOccurs else {
                throw FormatError(.missingField, at: "\(nodePath)/\(listName)", "\(root) needs at least \(list.minOccurs) \(listName)")
            }
            guard lines.count <= list.maxOccurs else {
                throw FormatError(
                    .invalidValue, at: "\(nodePath)/\(listName)", "\(root) allows at most \(list.maxOccurs) \(listName), not \(lines.count)"
                )
            }
            for (offset, line) in lines.enumerated() {
                let lineFields = binding.scalarList ? [list.elements[0].fieldName: line] : line.structValue.fields
                xml.start("ceb:" + listName)
                try write(list.elements, lineFields, path: "\(nodePath)/\(listName)[\(offset + 1)]", fill: fill, into: &xml)
                xml.end()
            }
        }
        xml.end()
        if schema.baseTransfer { try writeBaseTransfer(root: root, into: &xml) }
        if schema.signatureRequired { Self.writeSignatureTemplate(into: &xml) }
        xml.end()
        return xml.bytes
    }

    /// Writes `elements` in order, each with its value or default, left out when optional
    /// and empty.
    private func write(
        _ elements: [CEBElement], _ fields: [String: Google_Protobuf_Value], path: String, fill: Fill, into xml: inout XMLTextWriter
    ) throws(FormatError) {
        for element in elements {
            let raw = CEBBinding.text(fields[element.fieldName])
            if let value = try fill.value(of: element, raw, at: "\(path)/\(element.name)") {
                xml.leaf("ceb:" + element.name, value)
            }
        }
    }

    private func writeBaseTransfer(root: String, into xml: inout XMLTextWriter) throws(FormatError) {
        let values = [identity.copCode, identity.copName, identity.dxpMode, identity.dxpId]
        xml.start("ceb:BaseTransfer")
        for (element, value) in zip(CEBSchema.baseTransferElements, values) {
            let location = "/\(root)/BaseTransfer/\(element.name)"
            if value.isEmpty, case .text(let min, _) = element.kind, min > 0 {
                throw FormatError(.missingField, at: location, "the writer's identity has no \(element.name)")
            }
            if let problem = element.facetProblem(value) {
                throw FormatError(.invalidValue, at: location, "the writer's identity: \(problem)")
            }
            xml.leaf("ceb:" + element.name, value)
        }
        xml.end()
    }

    /// An enveloped XML-DSig template (the algorithms of the standard's §6.2, the preferred
    /// SM2/SM3 ones) with DigestValue and SignatureValue left empty, for the signing step
    /// (the e-port's signing client with the enterprise's certificate) to complete. Written
    /// where the XSD requires a ds:Signature (CEB621, 623, 625, 711).
    private static func writeSignatureTemplate(into xml: inout XMLTextWriter) {
        xml.start("ds:Signature", [("xmlns:ds", "http://www.w3.org/2000/09/xmldsig#")])
        xml.start("ds:SignedInfo")
        xml.leaf("ds:CanonicalizationMethod", "", [("Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")])
        xml.leaf("ds:SignatureMethod", "", [("Algorithm", "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3")])
        xml.start("ds:Reference", [("URI", "")])
        xml.start("ds:Transforms")
        xml.leaf("ds:Transform", "", [("Algorithm", "http://www.w3.org/2000/09/xmldsig#enveloped-signature")])
        xml.end()
        xml.leaf("ds:DigestMethod", "", [("Algorithm", "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3")])
        xml.leaf("ds:DigestValue", "")
        xml.end()
        xml.end()
        xml.leaf("ds:SignatureValue", "")
        xml.end()
    }
}
