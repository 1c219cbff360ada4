import HubCore
import HubProtocol
import SwiftProtobuf
import Testing

/// Taking personal fields out of business messages at the wire level and putting them back:
/// the rest is the message without them, and the merge gives back the original bytes.
@Suite("Personal fields split from and merged into bodies")
struct PersonalFieldSplitterTests {
    static let schema = Result { try HubConfig.schema() }

    static func splitter(_ fields: [String], in message: String) throws -> PersonalFieldSplitter {
        let schema = try schema.get()
        return PersonalFieldSplitter(paths: try fields.map { try schema.resolve($0, in: message) })
    }

    static func order() -> BizOrder {
        var order = BizOrder()
        order.orderNo = "order-20261204-0001"
        order.buyerName = "张三"
        order.buyerIDNumber = "110101199003071234"
        order.buyerTelephone = "13800138000"
        order.consignee = "李四"
        order.consigneeAddress = "北京市东城区东华门街道1号"
        order.ebcCode = "1105910159"
        var line = BizOrderItem()
        line.itemName = "奶粉"
        order.orderList = [line, line]
        return order
    }

    static func roundTrip(_ splitter: PersonalFieldSplitter, _ bytes: [UInt8]) throws -> (rest: [UInt8], removed: [UInt8]?, merged: [UInt8])
    {
        let (rest, removed) = try bytes.withUnsafeBytes { try splitter.split($0) }
        guard let removed else { return (rest, nil, rest) }
        let merged = try rest.withUnsafeBytes { restBytes in
            try removed.withUnsafeBytes { try PersonalFieldSplitter.merge(rest: restBytes, removed: $0) }
        }
        return (rest, removed, merged)
    }

    @Test func topLevelFieldsLeaveTheRestAndComeBackExactly() throws {
        let order = Self.order()
        let bytes: [UInt8] = try order.serializedBytes()
        let splitter = try Self.splitter(["buyer_name", "buyer_id_number", "consignee_address"], in: "swhub.v1.Order")
        let (rest, removed, merged) = try Self.roundTrip(splitter, bytes)
        var expected = order
        expected.buyerName = ""
        expected.buyerIDNumber = ""
        expected.consigneeAddress = ""
        #expect(try BizOrder(serializedBytes: rest) == expected)
        #expect(removed != nil)
        #expect(merged == bytes)
        let idNumber = Array("110101199003071234".utf8)
        #expect(!Self.contains(rest, idNumber))
    }

    @Test func nestedAndRepeatedFieldsComeBackExactly() throws {
        var registration = BizRegistration()
        registration.copNo = "cop-1"
        registration.name = "某某跨境电商有限公司"
        for number in ["6222020200112233445", "6222020200112233446"] {
            var account = BizBankAccount()
            account.bankName = "中国银行北京分行"
            account.accountNo = number
            account.accountName = "王五"
            registration.bankAccounts.append(account)
        }
        registration.contact.name = "赵六"
        registration.contact.telephone = "13900139000"
        registration.note = "after the contact"
        let bytes: [UInt8] = try registration.serializedBytes()
        let fields = try #require(HubConfig.PersonalData.defaultFields["swhub.v1.Registration"])
        let (rest, removed, merged) = try Self.roundTrip(try Self.splitter(fields, in: "swhub.v1.Registration"), bytes)
        let decoded = try BizRegistration(serializedBytes: rest)
        #expect(decoded.bankAccounts.count == 2 && decoded.bankAccounts.allSatisfy { $0.accountNo.isEmpty && $0.accountName.isEmpty })
        #expect(decoded.bankAccounts[0].bankName == "中国银行北京分行")
        #expect(decoded.contact.name.isEmpty && decoded.contact.telephone.isEmpty && decoded.note == "after the contact")
        #expect(removed != nil)
        #expect(merged == bytes)
    }

    @Test func mapValuesAndBytesFieldsSplit() throws {
        var query = BizQuery()
        query.subject = "ceb.Inventory"
        query.criteria = ["buyer_id_number": "110101199003071234", "ebc_code": "1105910159"]
        let bytes: [UInt8] = try query.serializedBytes()
        let (rest, _, merged) = try Self.roundTrip(try Self.splitter(["criteria.value"], in: "swhub.v1.Query"), bytes)
        let decoded = try BizQuery(serializedBytes: rest)
        #expect(Set(decoded.criteria.keys) == ["buyer_id_number", "ebc_code"] && decoded.criteria.values.allSatisfy(\.isEmpty))
        #expect(merged == bytes)

        var answer = BizAnswer()
        var record = BizAnswerRecord()
        record.type = "ceb.Order"
        record.body = try Self.order().serializedData()
        answer.records = [record, record]
        let answerBytes: [UInt8] = try answer.serializedBytes()
        let (answerRest, _, answerMerged) = try Self.roundTrip(try Self.splitter(["records.body"], in: "swhub.v1.Answer"), answerBytes)
        let decodedAnswer = try BizAnswer(serializedBytes: answerRest)
        #expect(decodedAnswer.records.count == 2 && decodedAnswer.records.allSatisfy { $0.body.isEmpty && $0.type == "ceb.Order" })
        #expect(answerMerged == answerBytes)
    }

    @Test func aMessageWithoutPersonalFieldsIsLeftAlone() throws {
        var order = BizOrder()
        order.orderNo = "export-1"
        let bytes: [UInt8] = try order.serializedBytes()
        let (rest, removed, _) = try Self.roundTrip(try Self.splitter(["buyer_name"], in: "swhub.v1.Order"), bytes)
        #expect(removed == nil)
        #expect(rest == bytes)
    }

    @Test func unknownFieldsAndRepeatedOccurrencesSurvive() throws {
        // Field 18 (buyer_name) twice, an unknown field 900 between them, and a field after.
        var bytes: [UInt8] = []
        func string(_ number: UInt64, _ text: String) {
            bytes.append(UInt8(truncatingIfNeeded: number << 3 | 2))
            if number << 3 | 2 >= 0x80 {
                bytes[bytes.count - 1] |= 0x80
                bytes.append(UInt8((number << 3 | 2) >> 7))
            }
            bytes.append(UInt8(text.utf8.count))
            bytes.append(contentsOf: text.utf8)
        }
        string(18, "first")
        string(900, "unknown to the schema")
        string(18, "second")
        string(1, "guid")
        let (rest, removed, merged) = try Self.roundTrip(try Self.splitter(["buyer_name"], in: "swhub.v1.Order"), bytes)
        #expect(removed != nil)
        #expect(!Self.contains(rest, Array("first".utf8)) && !Self.contains(rest, Array("second".utf8)))
        #expect(Self.contains(rest, Array("unknown to the schema".utf8)))
        #expect(merged == bytes)
    }

    @Test func damagedOrMismatchedPartsAreRefused() throws {
        let bytes: [UInt8] = try Self.order().serializedBytes()
        let splitter = try Self.splitter(["buyer_name", "order_list.item_name"], in: "swhub.v1.Order")
        let (rest, removed) = try bytes.withUnsafeBytes { try splitter.split($0) }
        let part = try #require(removed)
        var wrongTag = part
        wrongTag[0] = 7
        var truncated = part
        truncated.removeLast(3)
        let other: [UInt8] = [0x0A, 0x01, 0x41]  // a rest with one short field: the places do not exist
        for (restBytes, removedBytes) in [(rest, wrongTag), (rest, truncated), (other, part)] {
            #expect(throws: WireFormatError.self) {
                try restBytes.withUnsafeBytes { r in
                    try removedBytes.withUnsafeBytes { try PersonalFieldSplitter.merge(rest: r, removed: $0) }
                }
            }
        }
        #expect(throws: WireFormatError.self) { try [0x0A, 0x05, 0x41].withUnsafeBytes { try splitter.split($0) } }
    }

    @Test func randomOrdersRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let fields = try #require(HubConfig.PersonalData.defaultFields["swhub.v1.Order"])
        let splitter = try Self.splitter(fields + ["order_list.item_name"], in: "swhub.v1.Order")
        var allExact = true
        for _ in 0..<300 {
            var order = BizOrder()
            if Bool.random(using: &generator) { order.buyerName = String(repeating: "名", count: Int.random(in: 0...40)) }
            if Bool.random(using: &generator) { order.buyerIDNumber = String(Int.random(in: 0...Int.max)) }
            if Bool.random(using: &generator) { order.consignee = String(repeating: "x", count: Int.random(in: 0...300)) }
            if Bool.random(using: &generator) { order.orderNo = "o-\(Int.random(in: 0...1000))" }
            for _ in 0..<Int.random(in: 0...4) {
                var line = BizOrderItem()
                line.itemName = String(repeating: "g", count: Int.random(in: 0...200))
                line.gnum = Int32.random(in: 0...99)
                order.orderList.append(line)
            }
            let bytes: [UInt8] = try order.serializedBytes()
            let merged = try Self.roundTrip(splitter, bytes).merged
            allExact = allExact && merged == bytes
        }
        #expect(allExact)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}
