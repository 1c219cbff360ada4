import DepartmentFormats
import FlowSamples
import Foundation
import HubProtocol
import SwiftProtobuf
import Testing

/// Defaults for required elements, refusals with their XPath, escaping, guids.
@Suite("CEB: writing")
struct CEBWriterTests {
    static func write(_ type: String, _ message: any SwiftProtobuf.Message, guid: String = CEBFixtures.guid) throws -> String {
        String(decoding: try CEBFixtures.writer.write(type: type, body: try message.serializedBytes(), guid: guid), as: UTF8.self)
    }

    static func error(_ type: String, _ message: any SwiftProtobuf.Message) -> FormatError? {
        do {
            _ = try write(type, message)
            return nil
        } catch {
            return error as? FormatError
        }
    }

    @Test func fillsRequiredElementsTheBodyLeavesEmpty() throws {
        var order = SampleFilings.declaration(2).order
        order.guid = ""
        order.appType = .unspecified
        order.appStatus = .unspecified
        order.appTime = ""
        order.orderType = ""
        order.currency = ""
        order.freight = ""
        order.discount = ""
        order.taxTotal = ""
        order.orderList[0].currency = ""
        let xml = try Self.write("ceb.Order", order)
        try CEBSpecs.expectValid(Array(xml.utf8), root: "CEB311Message")
        for element in [
            "<ceb:guid>\(CEBFixtures.guid)</ceb:guid>", "<ceb:appType>1</ceb:appType>", "<ceb:appStatus>2</ceb:appStatus>",
            "<ceb:appTime>20261121101500</ceb:appTime>", "<ceb:orderType>I</ceb:orderType>", "<ceb:currency>142</ceb:currency>",
            "<ceb:freight>0</ceb:freight>", "<ceb:discount>0</ceb:discount>", "<ceb:taxTotal>0</ceb:taxTotal>",
        ] {
            #expect(xml.contains(element), "\(element) missing in\n\(xml)")
        }
        #expect(!xml.contains("<ceb:batchNumbers>") && !xml.contains("<ceb:note>"), "optional elements are left out when empty")
    }

    @Test func writesElementsInXSDOrderWithTheSamplesPrefix() throws {
        let xml = try Self.write("ceb.Waybill", SampleFilings.declaration(1).waybill)
        let names = xml.split(separator: "\n").compactMap { line -> String? in
            guard let open = line.range(of: "<ceb:") else { return nil }
            return String(line[open.upperBound...].prefix { $0 != ">" && $0 != " " })
        }
        #expect(
            names == [
                "CEB511Message", "Logistics", "LogisticsHead", "guid", "appType", "appTime", "appStatus", "logisticsCode",
                "logisticsName", "logisticsNo", "billNo", "orderNo", "freight", "insuredFee", "currency", "weight", "packNo",
                "goodsInfo", "consignee", "consigneeAddress", "consigneeTelephone", "BaseTransfer", "copCode", "copName",
                "dxpMode", "dxpId",
            ])
    }

    @Test func aRequiredElementWithoutDefaultIsAMissingField() throws {
        var order = SampleFilings.declaration(1).order
        order.ebpName = ""
        #expect(Self.error("ceb.Order", order)?.location == "/CEB311Message/Order[1]/OrderHead/ebpName")
        order = SampleFilings.declaration(1).order
        order.orderList[1].gmodel = ""
        let error = try #require(Self.error("ceb.Order", order))
        #expect(error.code == .missingField && error.location == "/CEB311Message/Order[1]/OrderList[2]/gmodel")
        #expect(error.reason == "CEB311Message requires gmodel and the ceb.Order leaves gmodel empty")
        var inventory = SampleFilings.declaration(1).inventory
        inventory.inventoryList = []
        #expect(
            Self.error("ceb.Inventory", inventory)
                == FormatError(
                    .missingField, at: "/CEB621Message/Inventory[1]/InventoryList", "CEB621Message needs at least 1 InventoryList"))
        var receipt = CEBFixtures.importReceipt("CEB622Message", SampleFilings.declaration(1))
        receipt.returnStatus = 0
        #expect(Self.error("ceb.Receipt", receipt)?.location == "/CEB622Message/InventoryReturn[1]/returnStatus")
    }

    @Test func aValueTheXSDRejectsIsAnInvalidValue() throws {
        var order = SampleFilings.declaration(1).order
        order.currency = "RMB1"
        #expect(Self.error("ceb.Order", order)?.location == "/CEB311Message/Order[1]/OrderHead/currency")
        order = SampleFilings.declaration(1).order
        order.acturalPaid = "829.671234"
        #expect(Self.error("ceb.Order", order)?.code == .invalidValue)
        order.acturalPaid = "829.670000"
        #expect(Self.error("ceb.Order", order) == nil, "trailing zeros do not count as digits")
        order.acturalPaid = "eight"
        #expect(Self.error("ceb.Order", order)?.location == "/CEB311Message/Order[1]/OrderHead/acturalPaid")
        order = SampleFilings.declaration(1).order
        order.note = "bell \u{7}"
        #expect(Self.error("ceb.Order", order)?.location == "/CEB311Message/Order[1]/OrderHead/note")
        order = SampleFilings.declaration(1).order
        order.orderType = "X"
        #expect(Self.error("ceb.Order", order)?.code == .invalidValue)
        var receipt = BizReceipt()
        receipt.messageType = "CEB311Message"
        #expect(Self.error("ceb.Receipt", receipt)?.code == .invalidValue)
    }

    @Test func refusesWhatItCannotWrite() throws {
        let writer = CEBFixtures.writer
        #expect(throws: FormatError.self) { try writer.write(type: "reg.Registration", body: [], guid: CEBFixtures.guid) }
        do {
            _ = try writer.write(type: "flow.Feedback", body: [], guid: CEBFixtures.guid)
            Issue.record("a flow.Feedback was written")
        } catch {
            #expect(error.code == .unsupported)
        }
        do {
            _ = try writer.write(type: "ceb.Order", body: [0xFF, 0xFF, 0xFF], guid: CEBFixtures.guid)
            Issue.record("a body that is not an Order was written")
        } catch {
            #expect(error.code == .invalidValue)
        }
        let noIdentity = CEBWriter(identity: CEBIdentity(copCode: "", copName: "", dxpId: ""))
        let order = try CEBFixtures.body(for: "CEB311Message")
        do {
            _ = try noIdentity.write(type: "ceb.Order", body: order, guid: CEBFixtures.guid)
            Issue.record("a filing without copCode was written")
        } catch {
            #expect(error.location == "/CEB311Message/BaseTransfer/copCode")
        }
    }

    @Test func specialCharactersRoundTrip() throws {
        var order = SampleFilings.declaration(1).order
        order.note = "a & b < c > d \"e\" 'f'\r\nline\ttab ]]> 𠀀"
        order.consigneeAddress = "<script>&amp;</script>"
        let xml = try Self.write("ceb.Order", order)
        try CEBSpecs.expectValid(Array(xml.utf8), root: "CEB311Message")
        #expect(xml.contains("&lt;script&gt;&amp;amp;&lt;/script&gt;"))
        let read = try BizOrder(serializedBytes: try #require(try CEBReader.read(Array(xml.utf8), fileName: "o.xml").first).body)
        #expect(read == order)
    }

    @Test func messageGuidsAre36CharactersAndStable() throws {
        #expect(try CEBWriter.messageGuid(CEBFixtures.guid) == CEBFixtures.guid)
        let derived = try CEBWriter.messageGuid("ceb:order:1")
        #expect(derived.count == 36 && derived == derived.uppercased())
        #expect(derived.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(derived == (try CEBWriter.messageGuid("ceb:order:1")))
        #expect(derived != (try CEBWriter.messageGuid("ceb:order:2")))
        #expect(throws: FormatError.self) { try CEBWriter.messageGuid("") }
        let xml = try Self.write("ceb.Payment", SampleFilings.declaration(1).payment, guid: "ceb:order:1")
        #expect(xml.contains("<ceb:CEB411Message guid=\"\(derived)\""))
    }

    @Test func exportAndImportVariantsFollowTheFlag() throws {
        var waybill = SampleFilings.declaration(1).waybill
        waybill.ieFlag = ""
        #expect(try Self.write("ceb.Waybill", waybill).contains("<ceb:CEB511Message"))
        let export = try CEBFixtures.firstOfSample("CEB505Message", as: BizWaybill.self)
        #expect(try Self.write("ceb.Waybill", export).contains("<ceb:CEB505Message"))
        var inventory = try CEBFixtures.firstOfSample("CEB603Message", as: BizInventory.self)
        inventory.ieFlag = "a"
        #expect(Self.error("ceb.Inventory", inventory)?.code == .invalidValue, "the sample's ieFlag 'a' names no direction")
    }

    @Test func dxpWrapRefusesValuesTheXSDRejects() throws {
        let xml = Array("<a/>".utf8)
        let good = DXPEnvelope.TransInfo(
            copMsgId: "1", senderId: "DXPENT0000000001", receiverIds: ["DXPEDCCEB0000002"], creatTime: "2026-11-21T10:15:00",
            msgType: "CEB311Message")
        var info = good
        info.senderId = "DXPENT00000000012"
        #expect(throws: FormatError.self) { try DXPEnvelope.wrap(xml, transInfo: info) }
        info = good
        info.receiverIds = []
        #expect(throws: FormatError.self) { try DXPEnvelope.wrap(xml, transInfo: info) }
        info = good
        info.creatTime = "20261121101500"
        #expect(throws: FormatError.self) { try DXPEnvelope.wrap(xml, transInfo: info) }
        try CEBSpecs.expectValid(try DXPEnvelope.wrap(xml, transInfo: good), root: "DxpMsg")
    }
}
