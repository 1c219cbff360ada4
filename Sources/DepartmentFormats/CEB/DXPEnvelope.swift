import Foundation

/// The DXP terminal-node envelope (终端节点报文, dxp-terminal-2022.xsd): a `DxpMsg` whose
/// TransInfo names sender and receivers and whose Data holds the CEB message, base64.
/// Enterprises that connect to the e-port's exchange platform themselves send this form.
public enum DXPEnvelope {
    /// The namespace of the envelope's elements.
    public static let namespace = "http://www.chinaport.gov.cn/dxp"
    static let rootName = "DxpMsg"
    /// The transfer node's message (传输节点报文), a `DxpMsg` with the node's routing (`SvNo`).
    static let transferRootName = "DxpMsgSv"

    /// The envelope's TransInfo (终端信息节点).
    public struct TransInfo: Sendable, Equatable {
        /// The sender's own unique id of the message (1 to 255 characters).
        public var copMsgId: String
        /// The sender's DXP id (1 to 16 characters).
        public var senderId: String
        /// The receivers' DXP ids (1 to 5 of them, each 1 to 16 characters).
        public var receiverIds: [String]
        /// When the message was made, xs:dateTime as the spec writes it: "yyyy-MM-ddThh:mm:ss".
        public var creatTime: String
        /// The message type agreed between the parties, e.g. "CEB311Message" (up to 30 characters).
        public var msgType: String

        /// - Parameters:
        ///   - copMsgId: the sender's own unique id of the message.
        ///   - senderId: the sender's DXP id.
        ///   - receiverIds: the receivers' DXP ids.
        ///   - creatTime: xs:dateTime, e.g. "2026-11-21T10:15:00".
        ///   - msgType: e.g. "CEB311Message".
        public init(copMsgId: String, senderId: String, receiverIds: [String], creatTime: String, msgType: String) {
            self.copMsgId = copMsgId
            self.senderId = senderId
            self.receiverIds = receiverIds
            self.creatTime = creatTime
            self.msgType = msgType
        }

        /// A TransInfo created at `date`, written in Beijing time (UTC+08:00) as the e-port does.
        public init(copMsgId: String, senderId: String, receiverIds: [String], createdAt date: Date, msgType: String) {
            self.init(
                copMsgId: copMsgId, senderId: senderId, receiverIds: receiverIds, creatTime: BeijingTime.dateTime(date), msgType: msgType)
        }
    }

    /// What an envelope carried.
    public struct Contents: Sendable, Equatable {
        public var transInfo: TransInfo
        /// The decoded Data: the CEB message's bytes.
        public var data: [UInt8]
        /// AddInfo's FileName, "" when absent.
        public var fileName: String
    }

    /// Wraps a CEB message in a DxpMsg that validates against dxp-terminal-2022.xsd.
    /// - Parameters:
    ///   - xml: the CEB message (any bytes: they travel base64-encoded).
    ///   - transInfo: sender, receivers, time and type.
    ///   - fileName: the original file name, written as AddInfo/FileName when not empty.
    /// - Returns: the DxpMsg document, UTF-8.
    /// - Throws: `.missingField` or `.invalidValue` (XPath) when a TransInfo value breaks the XSD.
    public static func wrap(_ xml: [UInt8], transInfo: TransInfo, fileName: String = "") throws(FormatError) -> [UInt8] {
        let base = "/DxpMsg/TransInfo"
        try check(transInfo.copMsgId, 1...255, at: "\(base)/CopMsgId")
        try check(transInfo.senderId, 1...16, at: "\(base)/SenderId")
        guard (1...5).contains(transInfo.receiverIds.count) else {
            throw FormatError(.invalidValue, at: "\(base)/ReceiverIds", "1 to 5 receivers, not \(transInfo.receiverIds.count)")
        }
        for (offset, receiver) in transInfo.receiverIds.enumerated() {
            try check(receiver, 1...16, at: "\(base)/ReceiverIds/ReceiverId[\(offset + 1)]")
        }
        guard transInfo.creatTime.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?/) != nil else {
            throw FormatError(.invalidValue, at: "\(base)/CreatTime", "CreatTime is not an xs:dateTime (yyyy-MM-ddThh:mm:ss)")
        }
        try check(transInfo.msgType, 0...30, at: "\(base)/MsgType")
        if !fileName.isEmpty { try check(fileName, 1...255, at: "/DxpMsg/AddInfo/FileName") }

        var writer = XMLTextWriter()
        writer.start("dxp:DxpMsg", [("ver", "1.0"), ("xmlns:dxp", namespace)])
        writer.start("dxp:TransInfo")
        writer.leaf("dxp:CopMsgId", transInfo.copMsgId)
        writer.leaf("dxp:SenderId", transInfo.senderId)
        writer.start("dxp:ReceiverIds")
        for receiver in transInfo.receiverIds { writer.leaf("dxp:ReceiverId", receiver) }
        writer.end()
        writer.leaf("dxp:CreatTime", transInfo.creatTime)
        writer.leaf("dxp:MsgType", transInfo.msgType)
        writer.end()
        writer.leaf("dxp:Data", Data(xml).base64EncodedString())
        if !fileName.isEmpty {
            writer.start("dxp:AddInfo")
            writer.leaf("dxp:FileName", fileName)
            writer.end()
        }
        writer.end()
        return writer.bytes
    }

    /// Reads a DxpMsg and decodes its Data.
    /// - Throws: `.syntax` for XML that is not well-formed, `.unknownDocument` when the root
    ///   is not a DxpMsg, `.missingField` / `.invalidValue` (XPath) for a TransInfo or Data
    ///   that is missing or not base64.
    public static func unwrap(_ bytes: [UInt8]) throws(FormatError) -> Contents {
        let tree = try XMLTree.parse(bytes)
        guard tree.name == rootName, tree.namespace == namespace || tree.namespace.isEmpty else {
            throw FormatError(.unknownDocument, at: "/\(tree.name)", "root \(tree.name) is not a DxpMsg")
        }
        return try unwrap(tree)
    }

    /// Reads a parsed DxpMsg.
    static func unwrap(_ root: XMLTree) throws(FormatError) -> Contents {
        guard let info = root.child(named: "TransInfo", in: namespace) else {
            throw FormatError(.missingField, at: "/DxpMsg/TransInfo", "the DxpMsg has no TransInfo")
        }
        func text(_ name: String) -> String { info.child(named: name, in: namespace)?.text.trimmingXMLWhitespace ?? "" }
        let receivers = info.child(named: "ReceiverIds", in: namespace)?.children(named: "ReceiverId", in: namespace) ?? []
        let transInfo = TransInfo(
            copMsgId: text("CopMsgId"), senderId: text("SenderId"),
            receiverIds: receivers.map { $0.text.trimmingXMLWhitespace }, creatTime: text("CreatTime"), msgType: text("MsgType"))
        guard let data = root.child(named: "Data", in: namespace) else {
            throw FormatError(.missingField, at: "/DxpMsg/Data", "the DxpMsg has no Data")
        }
        guard let decoded = Data(base64Encoded: data.text.filter { !$0.isXMLWhitespace }), !decoded.isEmpty else {
            throw FormatError(.invalidValue, at: "/DxpMsg/Data", "Data is empty or not base64")
        }
        let fileName = root.child(named: "AddInfo", in: namespace)?.child(named: "FileName", in: namespace)?.text ?? ""
        return Contents(transInfo: transInfo, data: [UInt8](decoded), fileName: fileName)
    }

    private static func check(_ value: String, _ length: ClosedRange<Int>, at location: String) throws(FormatError) {
        let count = value.unicodeScalars.count
        if count == 0, length.lowerBound > 0 {
            throw FormatError(.missingField, at: location, "\(location.split(separator: "/").last ?? "") is empty")
        }
        guard length.contains(count), XMLTextWriter.isAllowed(value) else {
            throw FormatError(.invalidValue, at: location, "must be \(length.lowerBound) to \(length.upperBound) characters XML allows")
        }
    }
}
