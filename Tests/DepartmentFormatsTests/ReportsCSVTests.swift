import DepartmentFormats
import HubProtocol
import SwiftProtobuf
import Testing

@Suite("Tax and forex CSV")
struct ReportsCSVTests {
    static func notice() -> BizReleaseNotice {
        var notice = BizReleaseNotice()
        notice.invtNo = "31012024E000000123"
        notice.orderNo = "EO2024031500001"
        notice.ebcCode = "3101960002"
        notice.ieFlag = "E"
        notice.payTransactionID = "E2E-0001"
        notice.amountPaid = "1250.50"
        notice.currency = "142"
        notice.country = "502"
        notice.returnTime = "20240315103000123"
        notice.returnStatus = 800
        for (gnum, name, qty, total) in [(1, "丝绸围巾, \"Silk\" scarf", "2", "900.50"), (2, "茶叶", "1", "350")] {
            var item = BizInventoryItem()
            item.gnum = Int32(gnum)
            item.gcode = gnum == 1 ? "6214100000" : "0902100000"
            item.gname = name
            item.qty = qty
            item.unit = "035"
            item.totalPrice = total
            item.currency = gnum == 1 ? "142" : ""
            notice.inventoryList.append(item)
        }
        return notice
    }

    static func summary(listing invtNo: String) -> BizSummaryResult {
        var summary = BizSummaryResult()
        summary.entryID = "310120240518000123"
        summary.sumNo = "3101202400000001"
        var item = BizSummaryResultItem()
        item.invtNo = invtNo
        item.gnum = 1
        summary.summaryResultList = [item]
        return summary
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func taxExportHasOneRowPerLineOfAListedInventory() throws {
        let lines = TaxCSV.exportLines(notice: Self.notice(), summary: Self.summary(listing: "31012024E000000123"), exportDate: "20240315")
        #expect(
            lines == [
                [
                    "310120240518000123", "3101202400000001", "31012024E000000123", "EO2024031500001", "3101960002", "6214100000",
                    "丝绸围巾, \"Silk\" scarf", "2", "035", "900.50", "142", "20240315",
                ],
                [
                    "310120240518000123", "3101202400000001", "31012024E000000123", "EO2024031500001", "3101960002", "0902100000",
                    "茶叶", "1", "035", "350", "142", "20240315",
                ],
            ])
        #expect(TaxCSV.exportLines(notice: Self.notice(), summary: Self.summary(listing: "OTHER"), exportDate: "20240315").isEmpty)
        let file = Self.text(try TaxCSV.exportFile(lines))
        #expect(file.hasPrefix("entryId,sumNo,invtNo,orderNo,ebcCode,gcode,gname,qty,unit,totalPrice,currency,exportDate\r\n"))
        #expect(file.contains(",\"丝绸围巾, \"\"Silk\"\" scarf\",2,"))
        #expect(file.hasSuffix(",20240315\r\n"))
        #expect(file.components(separatedBy: "\r\n").count == 4)
        let withMark = try TaxCSV.exportFile(lines, byteOrderMark: true)
        #expect(Array(withMark.prefix(3)) == [0xEF, 0xBB, 0xBF])
    }

    @Test func refundResultsAreRead() throws {
        let csv = """
            \u{FEFF}entryId,invtNo,ebcCode,decision,refundAmount,currency,reason,decidedDate\r
            310120240518000123,31012024E000000123,3101960002,accepted,117.07,CNY,,20240420\r
            310120240518000123,31012024E000000124,3101960002,0,,142,"invoice missing, ""VAT"" number wrong",2024-04-21\r
            \r
            310120240518000123,31012024E000000125,,PENDING,,,"复核中",20240422\r

            """
        let documents = try TaxCSV.readRefundResults(Array(csv.utf8), fileName: "refunds.csv")
        #expect(documents.map(\.type) == Array(repeating: "tax.RefundResult", count: 3))
        #expect(documents.map(\.position) == ["line 2", "line 3", "line 5"])
        let results = try documents.map { try BizRefundResult(serializedBytes: $0.body) }
        #expect(results[0].decision == .accepted && results[0].refundAmount == "117.07" && results[0].currency == "142")
        #expect(results[0].entryID == "310120240518000123" && results[0].decidedDate == "20240420")
        #expect(results[1].decision == .refused && results[1].reason == "invoice missing, \"VAT\" number wrong")
        #expect(results[1].decidedDate == "20240421")
        #expect(results[2].decision == .pending && results[2].reason == "复核中" && results[2].ebcCode.isEmpty)
    }

    @Test func malformedRefundRowsNameLineAndColumn() throws {
        let header = "entryId,invtNo,ebcCode,decision,refundAmount,currency,reason,decidedDate\n"
        let good = "E1,I1,C1,accepted,1.00,142,,20240420\n"
        let cases: [(String, FormatError)] = [
            (
                good + "E1,I2,C1,accepted,1.0O,142,,20240420\n",
                FormatError(.invalidValue, at: "line 3, column refundAmount", "'1.0O' is not a decimal number (digits, at most 5 decimals)")
            ),
            (good + ",I2,C1,accepted,1,142,,20240420\n", FormatError(.missingField, at: "line 3, column entryId", "entryId is empty")),
            (
                good + "E1,I2,C1,accepted,,142,,20240420\n",
                FormatError(.missingField, at: "line 3, column refundAmount", "refundAmount is empty")
            ),
            (
                good + "E1,I2,C1,maybe,1,142,,20240420\n",
                FormatError(.invalidValue, at: "line 3, column decision", "'maybe' is not accepted/1, refused/0 or pending")
            ),
            (
                good + "E1,I2,C1,1,1,142,,20240231\n",
                FormatError(.invalidValue, at: "line 3, column decidedDate", "'20240231' is not a date (YYYYMMDD or YYYY-MM-DD)")
            ),
            (
                good + "E1,I2,C1,1,1,XYZ,,20240420\n",
                FormatError(.invalidValue, at: "line 3, column currency", "currency 'XYZ' has no customs currency code in the table")
            ),
            (good + "E1,I2,C1,1,1,142\n", FormatError(.missingField, at: "line 3, column decidedDate", "decidedDate is empty")),
            (good + "E1,I2,C1,1,1,142,,20240420,extra\n", FormatError(.syntax, at: "line 3", "9 fields, the header has 8")),
            (good + "E1,I2,C1,1,1,142,\"open quote,20240420\n", FormatError(.syntax, at: "line 3", "a quoted field is not closed")),
        ]
        for (body, expected) in cases {
            #expect(throws: expected) { try TaxCSV.readRefundResults(Array((header + body).utf8), fileName: "t.csv") }
        }
        #expect(throws: FormatError(.missingField, at: "line 1, column decidedDate", "the header has no column decidedDate")) {
            try TaxCSV.readRefundResults(Array("entryId,invtNo,ebcCode,decision,refundAmount,currency,reason\n".utf8), fileName: "t.csv")
        }
        #expect(throws: FormatError(.missingField, at: "line 1", "no header row")) {
            try TaxCSV.readRefundResults([], fileName: "t.csv")
        }
        #expect(throws: FormatError(.syntax, "the file is not UTF-8 text")) {
            try TaxCSV.readRefundResults(Array(header.utf8) + [0xFF, 0xFE, 0x0A], fileName: "t.csv")
        }
    }

    @Test func forexExportHasOneRowPerOrderPayment() throws {
        let lines = ForexCSV.exportLines(notice: Self.notice())
        #expect(lines == [["EO2024031500001", "E2E-0001", "1250.50", "142", "502", "20240315"]])
        var noOrder = Self.notice()
        noOrder.orderNo = ""
        #expect(ForexCSV.exportLines(notice: noOrder).isEmpty)
        let file = Self.text(try ForexCSV.exportFile(lines))
        #expect(
            file == "orderNo,payTransactionId,amount,currency,payerCountry,date\r\nEO2024031500001,E2E-0001,1250.50,142,502,20240315\r\n")
    }

    @Test func settlementResultsAreRead() throws {
        let csv = """
            verifiedDate,orderNo,payTransactionId,decision,amount,currency,reason,remark
            20240425,EO2024031500001,E2E-0001,1,1250.50,USD,,ok
            20240425,"EO,2024",E2E-0002,refused,,502,"amount differs: ""1250.50"" vs ""1200"" (USD)",
            """
        let documents = try ForexCSV.readSettlementResults(Array(csv.utf8), fileName: "forex.csv")
        #expect(documents.map(\.type) == ["forex.SettlementResult", "forex.SettlementResult"])
        #expect(documents.map(\.position) == ["line 2", "line 3"])
        let results = try documents.map { try BizSettlementResult(serializedBytes: $0.body) }
        #expect(results[0].orderNo == "EO2024031500001" && results[0].decision == .accepted && results[0].amount == "1250.50")
        #expect(results[0].currency == "502" && results[0].verifiedDate == "20240425" && results[0].payTransactionID == "E2E-0001")
        #expect(results[1].orderNo == "EO,2024" && results[1].decision == .refused)
        #expect(results[1].reason == "amount differs: \"1250.50\" vs \"1200\" (USD)")
    }

    @Test func malformedSettlementRowsNameLineAndColumn() throws {
        let header = "orderNo,payTransactionId,decision,amount,currency,reason,verifiedDate\n"
        // A quoted line break: the bad row starts on line 4.
        let body = "EO1,P1,accepted,10,142,\"two\nlines\",20240425\nEO2,P2,accepted,ten,142,,20240425\n"
        #expect(
            throws: FormatError(.invalidValue, at: "line 4, column amount", "'ten' is not a decimal number (digits, at most 5 decimals)")
        ) {
            try ForexCSV.readSettlementResults(Array((header + body).utf8), fileName: "f.csv")
        }
        let noOrder = header + ",P2,refused,,,,20240425\n"
        #expect(throws: FormatError(.missingField, at: "line 2, column orderNo", "orderNo is empty")) {
            try ForexCSV.readSettlementResults(Array(noOrder.utf8), fileName: "f.csv")
        }
        let afterQuote = header + "\"EO1\"x,P1,1,10,142,,20240425\n"
        #expect(throws: FormatError(.syntax, at: "line 2", "text after a closing quote")) {
            try ForexCSV.readSettlementResults(Array(afterQuote.utf8), fileName: "f.csv")
        }
    }
}
