import Foundation
import HubProtocol
import SwiftProtobuf
import Testing

/// Every message of `Schemas/business.proto` survives serialize → deserialize and
/// JSON → parse unchanged, with all of its fields set; and the fixtures really cover every
/// message and every field the schema declares, so a new message or field without a
/// fixture value fails here.
@Suite("Business messages round trip")
struct BusinessMessagesRoundTripTests {
    static let fixtureNames = BusinessFixtures.all.map(BusinessFixtures.shortName(of:))

    // MARK: Round trips

    @Test(arguments: fixtureNames)
    func binaryRoundTrip(_ name: String) throws {
        let fixture = try #require(BusinessFixtures.byName[name])
        try expectBinaryRoundTrip(fixture)
    }

    @Test(arguments: fixtureNames)
    func jsonRoundTrip(_ name: String) throws {
        let fixture = try #require(BusinessFixtures.byName[name])
        try expectJSONRoundTrip(fixture)
    }

    private func expectBinaryRoundTrip<M: SwiftProtobuf.Message>(_ message: M) throws {
        #expect(!message.isEqualTo(message: M()), "fixture must not be the default message")
        let bytes: [UInt8] = try message.serializedBytes()
        #expect(!bytes.isEmpty)
        let decoded = try M(serializedBytes: bytes)
        #expect(decoded.isEqualTo(message: message), "\(M.protoMessageName) changed in a binary round trip")
    }

    private func expectJSONRoundTrip<M: SwiftProtobuf.Message>(_ message: M) throws {
        let json = try message.jsonString()
        let decoded = try M(jsonString: json)
        #expect(decoded.isEqualTo(message: message), "\(M.protoMessageName) changed in a JSON round trip: \(json)")
    }

    // MARK: The fixtures cover the schema

    @Test func everyMessageOfTheSchemaHasAFixture() throws {
        let schema = try BusinessSchema.load()
        #expect(schema.messages.count >= 14, "business.proto parsed to too few messages: \(schema.messages.keys.sorted())")
        let declared = Set(schema.messages.keys)
        let covered = Set(Self.fixtureNames)
        #expect(Self.fixtureNames.count == covered.count, "a message has two fixtures")
        #expect(
            declared.subtracting(covered).isEmpty,
            "messages of business.proto without a fixture: \(declared.subtracting(covered).sorted())")
        #expect(
            covered.subtracting(declared).isEmpty,
            "fixtures of messages not in business.proto: \(covered.subtracting(declared).sorted())")
    }

    /// ProtoJSON leaves out fields at their default, so every field of the schema must show
    /// up as a key of the fixture's JSON (a oneof needs one member).
    @Test(arguments: fixtureNames)
    func fixtureSetsEveryField(_ name: String) throws {
        let schema = try BusinessSchema.load()
        let fields = try #require(schema.messages[name], "\(name) is not declared in business.proto")
        let fixture = try #require(BusinessFixtures.byName[name])
        let object = try JSONSerialization.jsonObject(with: Data(fixture.jsonString().utf8))
        let keys = Set(try #require(object as? [String: Any]).keys)
        for field in fields.plain {
            #expect(keys.contains(field), "fixture of \(name) leaves \(field) at its default")
        }
        for group in fields.oneofs {
            #expect(!keys.isDisjoint(with: group), "fixture of \(name) sets no member of oneof \(group.sorted())")
        }
        #expect(fields.plain.count + fields.oneofs.count > 0, "\(name) parsed with no field")
    }

    // MARK: Facts the adapters rely on

    @Test func jsonNamesAreTheStandardsElementNames() throws {
        let order = try jsonKeys(BusinessFixtures.order)
        for element in [
            "orderNo", "ebpCode", "ebcCode", "goodsValue", "freight", "discount", "taxTotal",
            "acturalPaid", "buyerIdType", "buyerIdNumber", "payCode", "payTransactionId",
            "consignee", "consigneeTelephone", "consigneeAddress",
        ] {
            #expect(order.contains(element), "Order JSON lacks \(element)")
        }
        let inventory = try jsonKeys(BusinessFixtures.inventory)
        for element in [
            "copNo", "preNo", "invtNo", "logisticsCode", "logisticsNo", "fCurrency", "iFlag",
            "tradeMode", "grossWeight",
        ] {
            #expect(inventory.contains(element), "Inventory JSON lacks \(element)")
        }
        #expect(try jsonKeys(BusinessFixtures.payment).contains("amountPaid"))
        #expect(try jsonKeys(BusinessFixtures.summaryResult).contains("entryId"))
    }

    @Test func decimalStringsSurviveExactly() throws {
        var result = BusinessFixtures.summaryResult
        result.grossWeight = "12345678912345.12345"  // more digits than a Double holds
        result.netWeight = "0.00001"
        let decoded = try BizSummaryResult(serializedBytes: try result.serializedBytes() as [UInt8])
        #expect(decoded.grossWeight == "12345678912345.12345")
        #expect(decoded.netWeight == "0.00001")
        let fromJSON = try BizSummaryResult(jsonString: result.jsonString())
        #expect(fromJSON.grossWeight == "12345678912345.12345")
    }

    @Test func customsStatusCodesAreTheStandardsCodes() {
        let expected: [(BizCustomsStatus, Int)] = [
            (.staged, 1), (.declaring, 2), (.sent, 3), (.sendFailed, 4),
            (.rejected, 100), (.accepted, 120), (.manualReview, 300), (.approved, 399),
            (.inspection, 500), (.detainedClearance, 501), (.detainedAntismuggling, 502),
            (.detainedLegal, 503), (.detainedOther, 599), (.returned, 700), (.released, 800), (.closed, 899),
        ]
        for (status, code) in expected {
            #expect(status.rawValue == code, "\(status)")
            #expect(BizCustomsStatus(rawValue: code) == status)
        }
        #expect(BizTradeMode.tradeMode9610.rawValue == 9610)
        #expect(BizTradeMode.tradeMode1210.rawValue == 1210)
        #expect(BizAppType.delete.rawValue == 3)
        #expect(BizAppStatus.declared.rawValue == 2)
    }

    @Test func negativeAndUnlistedReturnStatusSurvive() throws {
        for code: Int32 in [-301010, -1, 0x7FFF_FFFF, 120, 501] {
            var receipt = BusinessFixtures.receipt
            receipt.returnStatus = code
            #expect(try BizReceipt(serializedBytes: try receipt.serializedBytes() as [UInt8]).returnStatus == code)
            #expect(try BizReceipt(jsonString: receipt.jsonString()).returnStatus == code)
        }
    }

    @Test func unknownRoleSurvivesBinaryRoundTrip() throws {
        var registration = BusinessFixtures.registration
        registration.roles.append(BizEnterpriseRole(rawValue: 42)!)
        let decoded = try BizRegistration(serializedBytes: try registration.serializedBytes() as [UInt8])
        #expect(decoded.roles.last?.rawValue == 42)
        #expect(decoded == registration)
    }

    @Test func answerRecordCarriesADecodableBody() throws {
        let answer = try BizAnswer(serializedBytes: try BusinessFixtures.answer.serializedBytes() as [UInt8])
        let record = try #require(answer.records.first)
        #expect(record.type == "ceb.Inventory")
        #expect(try BizInventory(serializedBytes: record.body) == BusinessFixtures.inventory)
    }

    @Test func orderAndPaymentOfTheFixturesMatch() {
        // The fixtures form a consistent 三单 set, usable by matching tests later.
        let order = BusinessFixtures.order
        let payment = BusinessFixtures.payment
        let waybill = BusinessFixtures.waybill
        #expect(order.payTransactionID == payment.payTransactionID)
        #expect(order.payCode == payment.payCode)
        #expect(order.acturalPaid == payment.amountPaid)
        #expect(order.consignee == waybill.consignee)
        #expect(order.consigneeTelephone == waybill.consigneeTelephone)
        #expect(order.consigneeAddress == waybill.consigneeAddress)
        #expect(BusinessFixtures.inventory.logisticsNo == waybill.logisticsNo)
    }

    private func jsonKeys(_ message: some SwiftProtobuf.Message) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(message.jsonString().utf8))
        return Set((object as? [String: Any] ?? [:]).keys)
    }
}

/// The messages and fields declared in `Schemas/business.proto`, read from the file itself
/// with a small line parser (enough for the schema's style: one declaration per line).
struct BusinessSchema {
    struct Fields {
        /// ProtoJSON names of the fields outside any oneof.
        var plain: [String] = []
        /// ProtoJSON names of the members of each oneof.
        var oneofs: [Set<String>] = []
    }

    /// Message name (unqualified, as declared) → its fields.
    var messages: [String: Fields] = [:]

    static var protoURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // HubProtocolTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent("Schemas/business.proto")
    }

    static func load() throws -> BusinessSchema {
        try BusinessSchema(source: String(contentsOf: protoURL, encoding: .utf8))
    }

    init(source: String) {
        enum Block { case message(String), oneof(String), other }
        var stack: [Block] = []
        var oneofMembers: [String: Set<String>] = [:]
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            if let comment = line.range(of: "//") { line = line[..<comment.lowerBound] }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = words.first else { continue }
            if line.contains("{") {
                switch first {
                case "message" where words.count >= 2:
                    if messages[words[1]] == nil { messages[words[1]] = Fields() }
                    stack.append(.message(words[1]))
                case "oneof" where words.count >= 2:
                    stack.append(.oneof(words[1]))
                default:
                    stack.append(.other)
                }
                if line.contains("}") { stack.removeLast() }  // "{ }" on one line
                continue
            }
            if first.hasPrefix("}") {
                if case .oneof(let name)? = stack.last,
                    case .message(let owner)? = stack.dropLast().last
                {
                    messages[owner]?.oneofs.append(oneofMembers.removeValue(forKey: name) ?? [])
                }
                if !stack.isEmpty { stack.removeLast() }
                continue
            }
            // A field: [repeated|optional] type name = number;
            guard line.contains("="), line.contains(";") else { continue }
            let beforeEquals = line[..<line.firstIndex(of: "=")!]
            let parts = beforeEquals.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let fieldName = parts.last.map(String.init),
                fieldName.first?.isLetter == true
            else { continue }
            let jsonName = Self.jsonName(of: fieldName)
            switch stack.last {
            case .message(let owner)?:
                messages[owner]?.plain.append(jsonName)
            case .oneof(let name)?:
                oneofMembers[name, default: []].insert(jsonName)
            default:
                continue  // enum values and options
            }
        }
    }

    /// protoc's default json_name: each letter after an underscore upper-cased, underscores dropped.
    static func jsonName(of field: String) -> String {
        var result = ""
        var upperNext = false
        for character in field {
            if character == "_" {
                upperNext = true
            } else {
                result.append(upperNext ? Character(character.uppercased()) : character)
                upperNext = false
            }
        }
        return result
    }
}
