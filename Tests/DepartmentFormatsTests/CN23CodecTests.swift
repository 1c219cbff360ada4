import DepartmentFormats
import HubProtocol
import SwiftProtobuf
import Testing

@Suite("CN23 codec")
struct CN23CodecTests {
    static let tricky = "王小明, \"Wang\" 收"

    static func consignments() -> [CN23Consignment] {
        [
            CN23Consignment(
                consignmentId: "RR123456785CN", orderNo: "EO2024031500001", category: .saleOfGoods,
                sender: CN23Party(name: "上海出口电商有限公司", address: "上海市浦东新区, 世纪大道 100 号", country: "CN", telephone: "02112345678"),
                addressee: CN23Party(
                    name: tricky, address: "12 Rue de Rivoli,\n75001 Paris", country: "FR", telephone: "+33 1 23 45 67 89"),
                items: [
                    CN23Item(
                        description: "丝绸围巾 silk scarf", quantity: 2, netWeight: "0.300", value: "45.00", currency: "USD",
                        hsTariffNumber: "6214100000", originCountry: "CN"),
                    CN23Item(
                        description: "茶叶, green tea", quantity: 1, netWeight: "0.25", value: "20", currency: "USD",
                        hsTariffNumber: "0902.10", originCountry: "CN"),
                ],
                totalGrossWeight: "0.750", postage: "12.50", currency: "USD", parcels: 1),
            CN23Consignment(
                consignmentId: "RR987654321CN", orderNo: "EO2024031500002", category: .gift,
                addressee: CN23Party(name: "Jane O'Neil", address: "1 Main St", country: "US"),
                items: [CN23Item(description: "book")], totalGrossWeight: "1.2", postage: "8", currency: "CNY"),
        ]
    }

    @Test func jsonLinesRoundTrip() throws {
        let bytes = try CN23Codec.encodeJSONLines(Self.consignments())
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.split(separator: "\n").count == 2)
        #expect(text.contains("王小明"))
        #expect(try CN23Codec.decodeJSONLines(bytes) == Self.consignments())
        // Blank lines, CRLF and a byte order mark are accepted.
        let loose = [0xEF, 0xBB, 0xBF] + Array(text.replacingOccurrences(of: "\n", with: "\r\n\r\n").utf8)
        #expect(try CN23Codec.decodeJSONLines(loose) == Self.consignments())
    }

    @Test func csvRoundTripQuotesCommasLineBreaksAndChinese() throws {
        let bytes = try CN23Codec.encodeCSV(Self.consignments())
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(CN23Codec.csvColumns.joined(separator: ",") + "\r\n"))
        #expect(text.contains("\"王小明, \"\"Wang\"\" 收\""))
        // One row per item: the first consignment's columns are repeated.
        #expect(text.components(separatedBy: "RR123456785CN").count == 3)
        #expect(try CN23Codec.decodeCSV(bytes) == Self.consignments())
    }

    @Test func csvGroupsRowsByConsignmentAndReadsTheBOM() throws {
        let csv = """
            \u{FEFF}consignmentId,orderNo,addresseeName,itemDescription,itemQuantity,itemValue,currency
            C0000001,EO1000001,"Li, Lei",shoes,1,10.00,CNY
            C0000002,EO1000002,Zhao,hat,2,5,CNY
            C0000001,EO1000001,"Li, Lei",socks,3,1.50,CNY
            """
        let consignments = try CN23Codec.decodeCSV(Array(csv.utf8))
        #expect(consignments.map(\.consignmentId) == ["C0000001", "C0000002"])
        #expect(consignments[0].items.map(\.description) == ["shoes", "socks"])
        #expect(consignments[0].items.map(\.quantity) == [1, 3])
        #expect(consignments[0].addressee.name == "Li, Lei")
        #expect(consignments[0].category == .saleOfGoods)
    }

    @Test func csvErrorsNameLineAndColumn() throws {
        let header = "consignmentId,orderNo,addresseeName,itemDescription,itemValue,currency\n"
        let conflicting = header + "C1,EO1000001,Li,shoes,1,CNY\nC1,EO1000001,Wang,socks,2,CNY\n"
        #expect(throws: FormatError(.invalidValue, at: "line 3, column addresseeName", "differs from line 2 of consignment C1")) {
            try CN23Codec.decodeCSV(Array(conflicting.utf8))
        }
        let badValue = header + "C1,EO1000001,Li,shoes,1,CNY\n\"C1\",EO1000001,Li,socks,1.2.3,CNY\n"
        let error = try #require(throws: FormatError.self) { try CN23Codec.decodeCSV(Array(badValue.utf8)) }
        #expect(error.code == .invalidValue && error.location == "line 3, column itemValue")
        let noOrder = header + "\"C1\nwith a line break\",,Li,shoes,1,CNY\n"
        #expect(throws: FormatError(.missingField, at: "line 2, column orderNo", "orderNo is empty")) {
            try CN23Codec.decodeCSV(Array(noOrder.utf8))
        }
        let missingColumn = "consignmentId,addresseeName,itemDescription\nC1,Li,shoes\n"
        #expect(throws: FormatError(.missingField, at: "line 1, column orderNo", "the header has no column orderNo")) {
            try CN23Codec.decodeCSV(Array(missingColumn.utf8))
        }
        let unterminated = header + "C1,EO1000001,\"Li,shoes,1,CNY\n"
        #expect(throws: FormatError(.syntax, at: "line 2", "a quoted field is not closed")) {
            try CN23Codec.decodeCSV(Array(unterminated.utf8))
        }
    }

    @Test func jsonErrorsNameLineAndField() throws {
        let good = String(decoding: try CN23Codec.encodeJSONLines([Self.consignments()[1]]), as: UTF8.self)
        #expect(throws: FormatError(.syntax, at: "line 2", "not a JSON object")) {
            try CN23Codec.decodeJSONLines(Array((good + "{not json\n").utf8))
        }
        let noId = #"{"orderNo":"EO1","addressee":{"name":"x"}}"#
        #expect(throws: FormatError(.missingField, at: "line 1, field consignmentId", "consignmentId is missing")) {
            try CN23Codec.decodeJSONLines(Array(noId.utf8))
        }
        let badItem =
            #"{"consignmentId":"C1","orderNo":"EO1","addressee":{"name":"x"},"items":[{"description":"a"},{"description":"b","value":"ten"}]}"#
        let error = try #require(throws: FormatError.self) { try CN23Codec.decodeJSONLines(Array(badItem.utf8)) }
        #expect(error.code == .invalidValue && error.location == "line 1, field items[2].value")
        let badCategory = #"{"consignmentId":"C1","orderNo":"EO1","category":"bribe","addressee":{"name":"x"}}"#
        let category = try #require(throws: FormatError.self) { try CN23Codec.decodeJSONLines(Array(badCategory.utf8)) }
        #expect(category.code == .invalidValue && category.location == "line 1, field category")
        let typeMismatch =
            #"{"consignmentId":"C1","orderNo":"EO1","addressee":{"name":"x"},"items":[{"description":"a","quantity":"two"}]}"#
        let mismatch = try #require(throws: FormatError.self) { try CN23Codec.decodeJSONLines(Array(typeMismatch.utf8)) }
        #expect(mismatch.location == "line 1, field items[1].quantity")
    }

    @Test func consignmentToWaybillExport() throws {
        let options = CN23Options(ieFlag: "E", logisticsCode: "3100000099", logisticsName: "中国邮政上海", ebcCode: "3101960002")
        let waybill = try CN23Codec.waybill(from: Self.consignments()[0], options: options)
        #expect(waybill.logisticsNo == "RR123456785CN")
        #expect(waybill.orderNo == "EO2024031500001")
        #expect(waybill.logisticsCode == "3100000099" && waybill.logisticsName == "中国邮政上海")
        #expect(waybill.consignee == Self.tricky)
        #expect(waybill.consigneeAddress == "12 Rue de Rivoli,\n75001 Paris")
        #expect(waybill.consigneeTelephone == "+33 1 23 45 67 89")
        #expect(waybill.grossWeight == "0.750" && waybill.weight.isEmpty)
        #expect(waybill.freight == "12.50")
        #expect(waybill.currency == "502")
        #expect(waybill.packNo == 1)
        #expect(waybill.goodsInfo == "丝绸围巾 silk scarf; 茶叶, green tea")
        #expect(waybill.ebcCode == "3101960002" && waybill.ebcName == "上海出口电商有限公司")
        #expect(waybill.ebcTelephone == "02112345678")
        #expect(waybill.ieFlag == "E" && waybill.appType == .new && waybill.appStatus == .declared)
    }

    @Test func waybillToConsignmentKeepsWhatTheWaybillHolds() throws {
        let options = CN23Options(ieFlag: "I", logisticsCode: "L1")
        let original = Self.consignments()[0]
        let waybill = try CN23Codec.waybill(from: original, options: options)
        #expect(waybill.weight == "0.750" && waybill.grossWeight.isEmpty)
        let back = try CN23Codec.consignment(from: waybill, options: options)
        #expect(back.consignmentId == original.consignmentId && back.orderNo == original.orderNo)
        #expect(back.addressee.name == original.addressee.name && back.addressee.telephone == original.addressee.telephone)
        #expect(back.addressee.country.isEmpty)
        #expect(back.totalGrossWeight == "0.750" && back.postage == "12.50" && back.currency == "USD")
        #expect(back.items == [CN23Item(description: "丝绸围巾 silk scarf"), CN23Item(description: "茶叶, green tea")])
        #expect(back.category == .saleOfGoods)
        // What is left survives a second trip unchanged.
        #expect(try CN23Codec.consignment(from: CN23Codec.waybill(from: back, options: options), options: options) == back)
        // And through the file encodings.
        for encoding in [CN23Codec.Encoding.csv, .jsonLines] {
            let file = try CN23Codec.write([waybill], encoding: encoding, options: options)
            let documents = try CN23Codec.read(file, encoding: encoding, fileName: "post.txt", options: options)
            var read = try BizWaybill(serializedBytes: try #require(documents.first).body)
            #expect(read.guid.count == 36)
            read.guid = ""
            #expect(read == waybill)
        }
    }

    @Test func readGivesWaybillDocumentsWithLinePositions() throws {
        let bytes = try CN23Codec.encodeJSONLines(Self.consignments())
        let documents = try CN23Codec.read(bytes, encoding: .jsonLines, fileName: "cn23.jsonl", options: CN23Options())
        #expect(documents.map(\.type) == ["ceb.Waybill", "ceb.Waybill"])
        #expect(documents.map(\.position) == ["line 1", "line 2"])
        let csv = try CN23Codec.encodeCSV(Self.consignments())
        let rows = try CN23Codec.read(csv, encoding: .csv, fileName: "cn23.csv", options: CN23Options())
        // The first consignment's address has a line break: its two rows span lines 2 to 5.
        #expect(rows.map(\.position) == ["line 2", "line 6"])
        #expect(try CN23Codec.read(csv, encoding: .csv, fileName: "cn23.csv", options: CN23Options()) == rows)
    }

    @Test func unknownCurrencyIsRefusedWhenMapped() throws {
        var consignment = Self.consignments()[1]
        consignment.currency = "XTS"
        #expect((try? CN23Codec.waybill(from: consignment, options: CN23Options())) == nil)
        var waybill = BizWaybill()
        waybill.currency = "999"
        #expect((try? CN23Codec.consignment(from: waybill, options: CN23Options())) == nil)
    }
}
