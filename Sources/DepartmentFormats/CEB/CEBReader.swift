import HubProtocol
import SwiftProtobuf

/// Reads customs CEB XML files (the 2022-05 edition of the standard, also its 2018 samples)
/// into hub messages: one ``InboundDocument`` per business node.
///
/// | root | hub type | node |
/// | --- | --- | --- |
/// | CEB311 (import) / CEB303 (export) | ceb.Order, order_type I / E, B or W as written | Order |
/// | CEB411 / CEB403 (proceeds) | ceb.Payment, ie_flag I / E | Payment / Receipts |
/// | CEB511 / CEB505 | ceb.Waybill, ie_flag I / E | Logistics |
/// | CEB621 / CEB603 | ceb.Inventory | Inventory |
/// | CEB701 | ceb.SummaryDeclaration | SummaryApply |
/// | CEB312/412/512/622, 304/404/506/604/702 | ceb.Receipt, message_type = the root | ...Return |
/// | CEB792 | ceb.SummaryResult | SummaryResult |
/// | CEB605 (export) / CEB623 (import) | ceb.Cancellation, ie_flag E / I | InvtCancel |
/// | CEB213 (export) / CEB625 (import) | ceb.ReturnRequest, original_ie_flag E / I | InvtRefund |
/// | CEB215 | ceb.ReturnTally | InvtRefundDetail |
/// | CEB507 / CEB509 | ceb.Arrival / ceb.Departure | Arrival / Departure |
/// | CEB513 | ceb.WaybillStatus | LogisticsStatus |
/// | CEB607 | ceb.MasterWaybill | WayBill |
/// | CEB711 | ceb.WarehouseEntry | Delivery |
/// | CEB816 / CEB818 | ceb.TaxBill / ceb.TaxStatus | Tax |
/// | CEB606/624, 214/626, 216, 508, 510, 514, 608, 712, 900 | ceb.Receipt, message_type = the root | ...Return |
///
/// Every element of the standard goes to the business.proto field of the same name; line
/// lists (OrderList, InventoryList, SummaryResultList, InvtRefundList, ArrivalList, ...) to
/// the repeated items, SummaryApplyList to SummaryDeclaration.invt_no. Elements are matched by namespace
/// (`http://www.chinaport.gov.cn/ceb`, with any prefix or as the default namespace; elements
/// in no namespace are accepted too) and local name. A DXP envelope (`DxpMsg`, or the
/// transfer node's `DxpMsgSv` around one) is unwrapped first. A business node without a guid element takes the root's guid attribute.
public enum CEBReader {
    /// Reads one CEB file.
    /// - Parameters:
    ///   - data: the file's bytes (UTF-8, a byte order mark is fine), a CEB message or a
    ///     DxpMsg carrying one.
    ///   - fileName: the file's name, for error reasons.
    /// - Returns: one document per business node, in document order, at position "node N".
    /// - Throws: `.syntax` ("line L, column C") for XML that is not well-formed;
    ///   `.unknownDocument` for a root the hub does not read; `.missingField` (XPath, e.g.
    ///   "/CEB311Message/Order[2]/OrderHead/orderNo") for a missing or empty key element;
    ///   `.invalidValue` (XPath) for a number or decimal that is not one, or a value longer,
    ///   shorter or with more digits than the XSD allows.
    public static func read(_ data: [UInt8], fileName: String) throws(FormatError) -> [InboundDocument] {
        let tree: XMLTree
        do throws(FormatError) {
            tree = try XMLTree.parse(data)
        } catch {
            throw FormatError(error.code, at: error.location, "\(fileName): \(error.reason)")
        }
        var envelope = tree
        // A transfer node's message (传输节点报文, spec section 5: DxpMsgSv with SvNo, the
        // terminal node's DxpMsg and a signature) carries the DxpMsg inside.
        if tree.name == DXPEnvelope.transferRootName, tree.namespace == DXPEnvelope.namespace || tree.namespace.isEmpty {
            guard let message = tree.child(named: DXPEnvelope.rootName, in: DXPEnvelope.namespace) else {
                throw FormatError(
                    .missingField, at: "/\(DXPEnvelope.transferRootName)/\(DXPEnvelope.rootName)",
                    "\(fileName): a DxpMsgSv without its DxpMsg")
            }
            envelope = message
        }
        guard envelope.name == DXPEnvelope.rootName, envelope.namespace == DXPEnvelope.namespace || envelope.namespace.isEmpty else {
            return try read(tree, fileName: fileName)
        }
        let inner = try DXPEnvelope.unwrap(envelope).data
        do throws(FormatError) {
            let message = try XMLTree.parse(inner)
            guard message.name != DXPEnvelope.rootName else {
                throw FormatError(.unknownDocument, "a DxpMsg inside a DxpMsg")
            }
            return try read(message, fileName: fileName)
        } catch {
            throw FormatError(error.code, at: error.location, "\(fileName), in the DxpMsg Data: \(error.reason)")
        }
    }

    private static func read(_ root: XMLTree, fileName: String) throws(FormatError) -> [InboundDocument] {
        guard root.namespace == CEBSchema.namespace || root.namespace.isEmpty,
            let binding = CEBBinding.all[root.name], let schema = CEBSchema.named(root.name)
        else {
            let namespace = root.namespace.isEmpty ? "" : " in namespace \(root.namespace)"
            throw FormatError(
                .unknownDocument, at: "/\(root.name)", "\(fileName): root \(root.name)\(namespace) is not a CEB message the hub reads")
        }
        let nodes = root.children(named: schema.node, in: CEBSchema.namespace)
        guard !nodes.isEmpty else {
            throw FormatError(.missingField, at: "/\(root.name)/\(schema.node)", "\(fileName): \(root.name) has no \(schema.node)")
        }
        let rootGuid = root.attributes["guid"] ?? ""
        var documents: [InboundDocument] = []
        for (offset, node) in nodes.enumerated() {
            let path = "/\(root.name)/\(schema.node)[\(offset + 1)]"
            let body = try document(node, path: path, binding: binding, schema: schema, rootGuid: rootGuid)
            documents.append(InboundDocument(type: binding.hubType, body: body, position: "node \(offset + 1)"))
        }
        return documents
    }

    /// The serialized hub message of one business node.
    private static func document(
        _ node: XMLTree, path: String, binding: CEBBinding, schema: CEBSchema, rootGuid: String
    ) throws(FormatError) -> [UInt8] {
        var head = node
        var headPath = path
        if let name = schema.head.name {
            headPath = path + "/" + name
            guard let found = node.child(named: name, in: CEBSchema.namespace) else {
                throw FormatError(.missingField, at: headPath, "\(schema.node) has no \(name)")
            }
            head = found
        }
        var fields = try values(of: head, group: schema.head, path: headPath)
        if let list = schema.list, let listName = list.name, let listField = binding.listField {
            var lines: [Google_Protobuf_Value] = []
            for (offset, line) in node.children(named: listName, in: CEBSchema.namespace).enumerated() {
                let lineFields = try values(of: line, group: list, path: "\(path)/\(listName)[\(offset + 1)]")
                if binding.scalarList {
                    lines.append(lineFields.values.first ?? Google_Protobuf_Value(stringValue: ""))
                } else {
                    lines.append(Google_Protobuf_Value(structValue: Google_Protobuf_Struct(fields: lineFields)))
                }
            }
            fields[listField] = Google_Protobuf_Value(listValue: Google_Protobuf_ListValue(values: lines))
        }
        if CEBBinding.text(fields["guid"]).isEmpty, !rootGuid.isEmpty {
            fields["guid"] = Google_Protobuf_Value(stringValue: rootGuid)
        }
        // The root says the direction, whatever the flag reads (603 is an export inventory:
        // the official CEB603 sample carries the placeholder "a"; a 311 is an import order),
        // and receipts their type. An export order keeps its own type: E (B2C), B (B2B) or
        // W (overseas warehouse).
        for (field, value) in binding.implied {
            let written = CEBBinding.text(fields[field])
            let isDirection = field == "ieFlag" || field == "orderType" || field == "originalIeFlag"
            let keepsOwnType = field == "orderType" && value == "E" && OrderType.isExport(written)
            if written.isEmpty || (isDirection && written != value && !keepsOwnType) {
                fields[field] = Google_Protobuf_Value(stringValue: value)
            }
        }
        for key in binding.keys where CEBBinding.text(fields[key]).isEmpty {
            throw FormatError(.missingField, at: "\(headPath)/\(key)", "\(key) is missing or empty")
        }
        return try binding.body(fields, location: path)
    }

    /// The fields of the simple elements of `element` that `group` knows, by ProtoJSON name:
    /// text verbatim; numbers checked and trimmed of surrounding whitespace.
    private static func values(
        of element: XMLTree, group: CEBGroup, path: String
    ) throws(FormatError) -> [String: Google_Protobuf_Value] {
        var fields: [String: Google_Protobuf_Value] = [:]
        for child in element.children where child.namespace == CEBSchema.namespace || child.namespace.isEmpty {
            guard let known = group.element(named: child.name), fields[known.fieldName] == nil else { continue }
            // An element there but empty has the XSD's default, when it gives one.
            var text = child.text
            if let value = known.defaultValue, text.trimmingXMLWhitespace.isEmpty { text = value }
            if CEBBinding.integerTexts.contains(known.name) {
                let trimmed = text.trimmingXMLWhitespace
                if trimmed.isEmpty { continue }
                guard let number = Int32(trimmed) else {
                    throw FormatError(.invalidValue, at: "\(path)/\(child.name)", "'\(known.name)' is not a whole number")
                }
                fields[known.fieldName] = Google_Protobuf_Value(numberValue: Double(number))
            } else if case .text = known.kind {
                // An empty optional element is as good as none; otherwise the XSD's length.
                if !text.isEmpty, let problem = known.facetProblem(text) {
                    throw FormatError(.invalidValue, at: "\(path)/\(child.name)", problem)
                }
                fields[known.fieldName] = Google_Protobuf_Value(stringValue: text)
            } else {
                let trimmed = text.trimmingXMLWhitespace
                if trimmed.isEmpty { continue }
                if let problem = known.numberProblem(trimmed) ?? known.facetProblem(trimmed) {
                    throw FormatError(.invalidValue, at: "\(path)/\(child.name)", problem)
                }
                // An xs:int as its value ("01", "+1" → "1"): the lexical forms the XSD allows
                // are more than ProtoJSON reads into an int32 field.
                let value = known.kind.isInt ? Int32(trimmed).map(String.init) ?? trimmed : trimmed
                fields[known.fieldName] = Google_Protobuf_Value(stringValue: value)
            }
        }
        return fields
    }
}
