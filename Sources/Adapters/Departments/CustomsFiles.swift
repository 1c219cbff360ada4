import DepartmentFormats
import Foundation
import HubClient
import HubProtocol

/// The customs exchange's files, CEB XML of the 2022 standard (`specs/customs-ceb`):
/// - out: what the hub forwards to customs — orders (311/303), payments (411/403),
///   waybills (511/505), inventories (621/603) — and summary applications (701), and the
///   other documents filed with customs — cancellations (605/623), returns (213/625),
///   return tallies (215), arrivals (507), departures (509), waybill statuses (513), master
///   waybills (607), warehouse entries (711) —, each a CEB message validating against its
///   XSD, optionally in a DXP envelope; file name `<type>_<hub message id>.xml`, so a
///   redelivery rewrites the same file;
/// - in: customs' receipts (312/412/512/622, 304/404/506/604/702, and 606/624, 214/626,
///   216, 508, 510, 514, 608, 712, the format checks 900), summary results (792) and tax
///   bills (816, 818), with or without a DXP envelope, prefixed or default namespace →
///   `ceb.Receipt`, `ceb.SummaryResult`, `ceb.TaxBill` and `ceb.TaxStatus`, matched by the
///   hub by their business keys. A receipt of one of the other documents
///   goes to the document's filer, `correlation_id` = its id (``CustomsFilings``).
/// Registrations shared with customs and anything else travel as hub JSON.
public struct CustomsFiles: DepartmentFiles {
    static let written = Set<MessageType>(
        [.order, .payment, .waybill, .inventory, .summaryDeclaration] + MessageType.otherCustomsDocuments)
    let settings: AdapterSettings.Customs
    /// The other documents written, for addressing customs' receipts of them.
    var filings = CustomsFilings()

    public init(settings: AdapterSettings.Customs) {
        self.settings = settings
    }

    public func read(name: String, data: [UInt8]) throws(FormatError) -> FileReading {
        guard name.lowercased().hasSuffix(".xml") else {
            throw FormatError(.unknownDocument, "the customs adapter reads CEB XML as .xml (or hub JSON as .json), not \(name)")
        }
        return FileReading(documents: try CEBReader.read(data, fileName: name).map(filings.addressed))
    }

    public mutating func write(_ delivery: Delivery) throws(FormatError) -> [OutboundFile]? {
        let type = delivery.header.type
        guard Self.written.contains(MessageType(type)) else { return nil }
        // The message's own time, so that a redelivery writes the very same bytes.
        let journaled = Date(timeIntervalSince1970: Double(delivery.header.journaledAtUs) / 1_000_000)
        let identity = CEBIdentity(copCode: settings.copCode, copName: settings.copName, dxpId: settings.dxpId)
        let guid = StableGUID.make("ceb", delivery.header.sender, delivery.header.id)
        var xml = try CEBWriter(identity: identity, now: { journaled }).write(type: type, body: delivery.body, guid: guid)
        if settings.dxpEnvelope {
            let info = DXPEnvelope.TransInfo(
                copMsgId: guid, senderId: settings.dxpId, receiverIds: [settings.dxpReceiver], createdAt: journaled,
                msgType: Self.rootName(xml))
            xml = try DXPEnvelope.wrap(xml, transInfo: info)
        }
        if let keys = CEBFilingKeys.filing(type: type, body: delivery.body) {
            filings.note(keys, sender: delivery.header.sender, id: delivery.header.id)
        }
        return [OutboundFile(name: HubJSONFile.fileName(type: type, id: delivery.header.id, extension: "xml"), content: xml)]
    }

    public var state: [UInt8] { filings.filings.isEmpty ? [] : Self.encodeState(filings) }

    public mutating func restore(_ state: [UInt8]) throws {
        // No filings is saved as an empty file (`state`).
        filings = state.isEmpty ? CustomsFilings() : try Self.decodeState(CustomsFilings.self, state)
    }

    /// The CEB message's root element name (e.g. "CEB303Message"), the DXP MsgType.
    static func rootName(_ xml: [UInt8]) -> String {
        let text = String(decoding: xml.prefix(600), as: UTF8.self)
        guard let range = text.range(of: #"CEB\d{3}Message"#, options: .regularExpression) else { return "CEB" }
        return String(text[range])
    }
}
