import HubConfigKit
import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

@Suite("Message schema from a descriptor set")
struct MessageSchemaTests {
    /// package shop; message Order { string order_no = 1; repeated Item items = 2;
    /// message Item { string gname = 1; string gcode = 2; } int64 total = 3; }
    private func schema() throws -> MessageSchema {
        func field(_ name: String, _ number: Int32, _ type: Google_Protobuf_FieldDescriptorProto.TypeEnum, _ typeName: String = "")
            -> Google_Protobuf_FieldDescriptorProto
        {
            var field = Google_Protobuf_FieldDescriptorProto()
            field.name = name
            field.number = number
            field.type = type
            if !typeName.isEmpty { field.typeName = typeName }
            return field
        }
        var item = Google_Protobuf_DescriptorProto()
        item.name = "Item"
        item.field = [field("gname", 1, .string), field("gcode", 2, .string)]
        var order = Google_Protobuf_DescriptorProto()
        order.name = "Order"
        order.field = [field("order_no", 1, .string), field("items", 2, .message, ".shop.Order.Item"), field("total", 3, .int64)]
        order.nestedType = [item]
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "shop.proto"
        file.package = "shop"
        file.messageType = [order]
        var set = Google_Protobuf_FileDescriptorSet()
        set.file = [file]
        return try MessageSchema(descriptorSet: try set.serializedBytes())
    }

    @Test func resolvesTopLevelAndNestedPaths() throws {
        let schema = try schema()
        #expect(schema.knows(message: "shop.Order"))
        #expect(schema.knows(message: "shop.Order.Item"))
        #expect(try schema.resolve("order_no", in: "shop.Order") == [1])
        #expect(try schema.resolve("items.gcode", in: "shop.Order") == [2, 2])
        #expect(schema.fields(of: "shop.Order")?["items"]?.messageType == "shop.Order.Item")
    }

    @Test func unknownFieldsAndMessagesAreConfigErrors() throws {
        let schema = try schema()
        #expect(throws: ConfigError.self) { try schema.resolve("buyer_id_number", in: "shop.Order") }
        #expect(throws: ConfigError.self) { try schema.resolve("items.price", in: "shop.Order") }
        #expect(throws: ConfigError.self) { try schema.resolve("order_no", in: "shop.Nothing") }
        do {
            _ = try schema.resolve("total.x", in: "shop.Order")
            Issue.record("a path through a scalar must fail")
        } catch let error as ConfigError {
            #expect(error.code == .invalidValue)
            #expect(error.reason.contains("total"))
        }
    }

    @Test func resolvedPathsDriveTheRedactor() throws {
        let schema = try schema()
        let redactor = WireRedactor(paths: [try schema.resolve("items.gcode", in: "shop.Order")])
        // Order{order_no:"A", items:[{gname:"tea", gcode:"0902"}]}
        let item: [UInt8] = [0x0A, 0x03] + Array("tea".utf8) + [0x12, 0x04] + Array("0902".utf8)
        let order: [UInt8] = [0x0A, 0x01, 0x41, 0x12, UInt8(item.count)] + item
        let expectedItem: [UInt8] = [0x0A, 0x03] + Array("tea".utf8)
        #expect(try redactor.redact(order) == [0x0A, 0x01, 0x41, 0x12, UInt8(expectedItem.count)] + expectedItem)
    }
}

@Suite("The committed schema descriptors")
struct CommittedSchemaTests {
    @Test func describeEveryGeneratedMessage() throws {
        let schema = try MessageSchema(descriptorSet: SchemaDescriptors.set)
        #expect(schema.knows(message: "swhub.v1.Command"))
        #expect(schema.knows(message: "swhub.v1.Order"))
        #expect(try schema.resolve("buyer_id_number", in: "swhub.v1.Order") == [21])
        #expect(try schema.resolve("submit.header.sender", in: "swhub.v1.Command") == [12, 1, 3])
    }

    @Test func redactAnOrderAsAPolicyWouldForABank() throws {
        let schema = try MessageSchema(descriptorSet: SchemaDescriptors.set)
        var order = BizOrder()
        order.orderNo = "order2018050711340001"
        order.buyerIDNumber = "110101199001011234"
        order.consignee = "张三"
        let redactor = WireRedactor(paths: [
            try schema.resolve("buyer_id_number", in: "swhub.v1.Order"),
            try schema.resolve("consignee", in: "swhub.v1.Order"),
        ])
        let bytes = try redactor.redact(try order.serializedBytes())
        #expect(!bytes.containsSubsequence(Array("110101199001011234".utf8)))
        let decoded = try BizOrder(serializedBytes: bytes)
        #expect(decoded.orderNo == "order2018050711340001")
        #expect(decoded.buyerIDNumber.isEmpty && decoded.consignee.isEmpty)
    }
}

extension Array where Element == UInt8 {
    fileprivate func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
